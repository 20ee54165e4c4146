#!/usr/bin/env bash
# The toolstack benchmark of issue 5: time from `xl create` to the guest's
# first console byte, and `xl destroy`, our toolstack against Debian's own
# Xen 4.17 xl, in the same QEMU run on the same hypervisor, for a
# console-only guest (bench/toolstack/console_guest.c). Target: ours at most
# 0.25x of Debian's.
#
#   bench/toolstack.sh [--rounds N] [--xenstored ours|debian|both]
#                      [--timeout S] [--no-write] [--profile] [HYPERVISOR...]
#
#   HYPERVISOR   multiboot1 images (default: build/xen-4.17/xen xen/xen)
#   --rounds N   timed rounds per toolstack and boot (default 10), after
#                one warm-up round that is not counted
#   --xenstored  which xenstored the boot runs, under both toolstacks:
#                ours, Debian's oxenstored, or one boot of each (default)
#   --timeout S  seconds before a boot is given up (default 600)
#   --no-write   print the table only; leave bench/results.md alone
#   --profile    instead of the rounds, time the steps of a create one by
#                one (bench/toolstack/profile.sh: program start-up, config
#                parsing, connections, build, unpause -> console, destroy),
#                then --rounds creates and destroys with xltrace.so
#                preloaded (calls and hypercalls by count and time); prints
#                them per toolstack, writes nothing
#
# Each boot is tests/integration/dom0-run.sh --debian-xl (same QEMU command
# line, QEMU's -kernel multiboot path, Dom0 1 vCPU 512 MiB) running
# bench/toolstack/rounds.sh in Dom0; it times with bench/toolstack/tsclock
# (CLOCK_MONOTONIC in Dom0, waits on inotify and a pidfd, never polls).
# Dom0 keeps one xenstored for the whole boot (it cannot change it while
# running); the toolstack under test brings its own xl (with its libxc/libxl)
# and its own xenconsoled, which runs only during that toolstack's rounds.
#
# Prints the table (median, min, max of each metric; ratio ours/Debian of
# the medians) and replaces the "Toolstack" section at the end of
# bench/results.md. Logs: build/logs/bench-toolstack-<hypervisor>/.
# Exit status 0 when every round of Debian's toolstack worked (ours failing
# is a result, shown in the table), 1 otherwise, 2 on a usage error.
# Timings are never asserted.
set -uo pipefail

usage() {
    sed -n '8,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

rounds=10 xenstored=both timeout=600 write=yes profile=no hyps=()
argv="bench/toolstack.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --xenstored) [ $# -ge 2 ] || usage; xenstored=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --no-write) write=no; shift ;;
    --profile) profile=yes; write=no; shift ;;
    -*) usage ;;
    *) hyps+=("$1"); shift ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "toolstack: --rounds wants a number >= 1" >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "toolstack: --timeout wants whole seconds" >&2; exit 2; }
case $xenstored in
ours) stores=(ours) ;;
debian) stores=(debian) ;;
both) stores=(debian ours) ;;
*) usage ;;
esac
[ ${#hyps[@]} -gt 0 ] || hyps=(build/xen-4.17/xen xen/xen)

. "$(dirname "$0")/lib.sh"
bench_begin toolstack
prepare_hypervisors "${hyps[@]}"
make --no-print-directory -f bench/bench.mk bench-toolstack || die "cannot build the console guest or tsclock"

# Debian's archive, unpacked after the image, turns /usr/sbin/{xl,xenstored,
# xenconsoled,...} into links to its version wrapper; the run's own archive
# comes last and puts our programs back.
ours=()
for p in xl xenstored xenconsoled xenconsole xen-init-dom0; do
    [ -f "build/tools/bin/$p" ] && ours+=(--add "build/tools/bin/$p:/usr/sbin/$p")
done

out=build/bench/toolstack
results=$out/results.tsv
[ $profile = no ] || results=$out/profile.tsv
mkdir -p "$out"
: >"$results"
env_file=$out/bench.env
status=0
start=$SECONDS
for h in "${hyps[@]}"; do
    label=$(label_of "$h")
    for xs in "${stores[@]}"; do
        # Debian's toolstack first on Debian's xenstored, ours first on ours.
        if [ "$xs" = debian ]; then order="debian xenolith"; append=""
        else order="xenolith debian"; append="xenolith.toolstack=xenolith"; fi
        printf 'ROUNDS=%s\nMEMORY=16\nORDER="%s"\n' "$rounds" "$order" >"$env_file"
        name=toolstack-xenstored-$xs
        script=bench/toolstack/rounds.sh
        extra=()
        if [ $profile = yes ]; then
            name=profile-xenstored-$xs script=bench/toolstack/profile.sh
            extra=(--add "$out/xltrace.so:/xenolith/run/xltrace.so")
        fi
        say "$label, xenstored $xs: other QEMU processes on this host: $(pgrep -c qemu-system)"
        say "$label, xenstored $xs: $rounds rounds each of $order"
        tests/integration/dom0-run.sh "$h" "bench-toolstack-$label" --debian-xl \
            ${append:+--append "$append"} --timeout "$timeout" --name "$name" \
            --add "$out/tsclock:/xenolith/run/tsclock" \
            --add "$out/console-guest.elf:/xenolith/run/console-guest.elf" \
            --add "$env_file:/xenolith/run/bench.env" "${ours[@]}" ${extra[@]+"${extra[@]}"} \
            "$script" | sed 's/^/  /'
        log=build/logs/bench-toolstack-$label/dom0-run-$name.log
        if [ $profile = yes ]; then
            python3 bench/toolstack/profile_report.py "$log"
            continue
        fi
        # BENCH-TS <toolstack> <round> key=value...  ->  tsv rows.
        tr -d '\r' <"$log" | grep -a '^BENCH-TS ' |
            awk -v h="$label" -v xs="$xs" '{ printf "%s\t%s\t%s\t%s", h, xs, $2, $3
                for (i = 4; i <= NF; i++) printf "\t%s", $i; printf "\n" }' >>"$results"
        grep -aq "^BENCH-TS-INFO xenstored=" "$log" ||
            { say "$label, xenstored $xs: the boot did not run the rounds (log: $log)"; status=1; }
    done
done
say "measured in $((SECONDS - start)) s"
[ $profile = no ] || exit $status

report=(python3 bench/toolstack/report.py "$results" --rounds "$rounds" --command "$argv"
        --qemu "$(qemu-system-x86_64 --version | head -n1)"
        --xen "$(cat build/xen-4.17/deb 2>/dev/null || echo unknown)"
        --xenolith "$(git describe --always --dirty 2>/dev/null || echo unknown)")
[ "$write" = no ] || report+=(--markdown bench/results.md)
"${report[@]}" || status=1
exit $status
