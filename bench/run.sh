#!/usr/bin/env bash
# Instruction counts of hypervisor operations, Xenolith side by side with the
# real Xen 4.17, in one run on the same QEMU (design.md, "Performance").
#
#   bench/run.sh [--runs N] [--only NAME[,NAME...]] [--no-linux]
#                [--timeout SECS] [--no-write] [--toolstack]
#
#   --runs N     boot every bench kernel N times on each hypervisor (default
#                1); the table then says how far the runs' counts differ
#   --only       just these bench kernels (names of bench/kernels/*.c)
#   --no-linux   skip the Linux Dom0 boot-to-/init measurement
#   --timeout    seconds before one boot is given up (default 60)
#   --no-write   print the table only; leave bench/results.* alone
#   --toolstack  then bench/toolstack.sh too: our xl against Debian's
#                (about 5 more minutes; docs/bench.md)
#   (bench/devices.sh, the device benchmark, runs on its own; this script
#   keeps its section of bench/results.md)
#
# Fetches the real Xen (scripts/fetch-xen.sh), builds Xenolith (make xen)
# and the bench kernels (bench/bench.mk), then boots each kernel as Dom0 of
# each hypervisor, one boot at a time, under QEMU with -icount shift=0
# (bench/boot-icount), where the TSC counts instructions: every kernel
# prints `BENCH <name> <instructions> <iterations>`. With the Linux kernel
# of the integration tests (scripts/fetch-linux.sh) it also boots Debian's
# Linux as Dom0 until its /init runs and reads /proc/uptime there, which is
# virtual time: one nanosecond per instruction while a CPU is busy.
#
# Prints the table, and writes bench/results.md (table, date, QEMU version,
# command) and bench/results.png (ratios as bars; gnuplot-nox is installed
# with apt-get if missing, and results.md keeps an ASCII chart either way).
# Logs: build/bench/logs/<hypervisor>/<kernel>[.<run>].log. Exit status 0
# when every measurement worked on Xen 4.17 (Xenolith's failures are
# results, shown in the table), 1 otherwise, 2 on a usage error.
set -uo pipefail

usage() {
    sed -n '5,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

runs=1
only=""
linux=yes
timeout=60
write=yes
toolstack=no
argv="bench/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    --no-linux) linux=no; shift ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --no-write) write=no; shift ;;
    --toolstack) toolstack=yes; shift ;;
    *) usage ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs wants a number >= 1" >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "bench: --timeout wants whole seconds" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

say() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# The plot: gnuplot from Debian, once. Without it results.md still has its
# ASCII chart, so a failed install is only a note.
ensure_gnuplot() {
    command -v gnuplot >/dev/null && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    say "installing gnuplot-nox for the plot"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gnuplot-nox \
        >/dev/null 2>&1 ||
        { $sudo apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gnuplot-nox \
              >/dev/null 2>&1; } ||
        say "could not install gnuplot-nox: no PNG, the ASCII chart only"
}

scripts/deps.sh || die "scripts/deps.sh failed (QEMU >= 8 and the build tools are needed)"
[ "$write" = no ] || ensure_gnuplot
scripts/fetch-xen.sh || die "cannot fetch the real Xen 4.17 (scripts/fetch-xen.sh)"
make --no-print-directory xen || die "make xen failed"
make --no-print-directory -f bench/bench.mk bench-kernels || die "building the bench kernels failed"

kernels=()
for src in bench/kernels/*.c; do
    name=$(basename "$src" .c)
    if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then
        continue
    fi
    kernels+=("$name")
done
[ ${#kernels[@]} -gt 0 ] || die "no bench kernel matches --only $only"

# label, image: the real Xen first, as every integration test runs them.
hyps=("xen-4.17 build/xen-4.17/xen" "xenolith xen/xen")

out=build/bench
results=$out/results.tsv
mkdir -p "$out/logs"
: >"$results"

# One boot; appends "run hypervisor name status total iterations detail".
# status: ok, unsupported, failed.
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

bench_kernel() {
    local run=$1 label=$2 image=$3 kernel=$4 log output rc line
    log=$out/logs/$label/$kernel$([ "$runs" -gt 1 ] && echo ".$run").log
    mkdir -p "$(dirname "$log")"
    output=$(bench/boot-icount "$image" "$out/$kernel.elf" \
                 --timeout "$timeout" --log "$log" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$output" | grep -m1 '^BENCH ')
    local verdict
    verdict=$(printf '%s\n' "$output" | grep -o 'Test result: [A-Z]*' | tail -n1)
    # A kernel is named after its BENCH line: bench/kernels/<name>.c.
    if [[ $line =~ ^BENCH\ $kernel\ ([0-9]+)\ ([0-9]+)$ ]] &&
       [ $rc -eq 0 ] && [ "$verdict" = "Test result: SUCCESS" ]; then
        record "$run" "$label" "$kernel" ok "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" ""
        printf '  %-9s %-24s %14s instructions / %s\n' "$label" "$kernel" \
            "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    elif [ "$line" = "BENCH $kernel unsupported" ]; then
        record "$run" "$label" "$kernel" unsupported "" "" ""
        printf '  %-9s %-24s unsupported\n' "$label" "$kernel"
    else
        local why
        if [ $rc -ne 0 ]; then
            why=$(printf '%s\n' "$output" | grep -m1 '^boot-icount: ' |
                  sed 's/^boot-icount: [^:]*: //; s/; last lines:$//')
        elif [ -n "$line" ] && [[ $line != "BENCH $kernel "* ]]; then
            why="the kernel calls itself ${line#BENCH }"
        else
            why="${verdict:-no verdict}"
        fi
        record "$run" "$label" "$kernel" failed "" "" "$why"
        printf '  %-9s %-24s FAILED: %s (log: %s)\n' "$label" "$kernel" "$why" "$log"
    fi
}

# Debian's Linux as Dom0 until /init prints LINUX-DOM0-INIT-OK with the
# uptime: the boot of tests/integration/linux-dom0.sh, one vCPU.
linux_boot() {
    local run=$1 label=$2 image=$3 log output uptime
    log=$out/logs/$label/linux-dom0$([ "$runs" -gt 1 ] && echo ".$run").log
    mkdir -p "$(dirname "$log")"
    output=$(bench/boot-icount "$image" \
                 "build/linux/vmlinuz earlyprintk=xen console=hvc0 xtest_vcpus=1" \
                 build/linux/test-initrd.gz --memory 1024 \
                 --xen-cmdline "console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=all guest_loglvl=all bootscrub=0" \
                 --until 'LINUX-DOM0-INIT-OK' --show 'LINUX-DOM0-INIT-OK' \
                 --timeout $((timeout * 5)) --log "$log" 2>&1)
    uptime=$(printf '%s\n' "$output" | sed -n 's/^LINUX-DOM0-INIT-OK uptime=\([0-9.]*\).*/\1/p' | head -n1)
    if [[ $uptime =~ ^[0-9]+\.[0-9]+$ ]]; then
        # Seconds of virtual time, to nanoseconds = instructions.
        local ns
        ns=$(awk -v s="$uptime" 'BEGIN { printf "%.0f", s * 1e9 }')
        record "$run" "$label" linux_dom0_boot ok "$ns" 1 "uptime $uptime s"
        printf '  %-9s %-24s %14s ns of virtual time (uptime %s s)\n' "$label" linux_dom0_boot "$ns" "$uptime"
    else
        local why
        why=$(printf '%s\n' "$output" | grep -m1 '^boot-icount: ' |
              sed 's/^boot-icount: [^:]*: //; s/; last lines:$//')
        record "$run" "$label" linux_dom0_boot failed "" "" "${why:-no uptime in the /init line}"
        printf '  %-9s %-24s FAILED: %s (log: %s)\n' "$label" linux_dom0_boot "${why:-no uptime}" "$log"
    fi
}

if [ "$linux" = yes ]; then
    if ! { scripts/fetch-linux.sh && tests/integration/linux-initramfs/build.sh build/linux/test-initrd.gz; }; then
        say "no Linux kernel or initramfs: the Dom0 boot is left out"
        linux=no
    fi
fi

start=$SECONDS
for run in $(seq 1 "$runs"); do
    [ "$runs" -eq 1 ] || say "run $run of $runs"
    for k in "${kernels[@]}"; do
        for h in "${hyps[@]}"; do
            # shellcheck disable=SC2086
            bench_kernel "$run" $h "$k"
        done
    done
    if [ "$linux" = yes ]; then
        for h in "${hyps[@]}"; do
            # shellcheck disable=SC2086
            linux_boot "$run" $h
        done
    fi
done
say "measured in $((SECONDS - start)) s"

report=(python3 bench/report.py "$results" --command "$argv"
        --qemu "$(qemu-system-x86_64 --version | head -n1)"
        --xen "$(cat build/xen-4.17/deb 2>/dev/null || echo unknown)"
        --xenolith "$(git describe --always --dirty 2>/dev/null || echo unknown)")
if [ "$write" = yes ]; then
    report+=(--markdown bench/results.md)
    command -v gnuplot >/dev/null && report+=(--png bench/results.png)
fi
# bench/report.py rewrites what is before the toolstack section; the
# devices section (bench/devices.sh) is kept and put back.
devices_md=$out/devices-section.md
python3 bench/devices/report.py --extract bench/results.md >"$devices_md" 2>/dev/null || : >"$devices_md"
"${report[@]}" || die "bench/report.py failed"
[ "$write" = no ] || python3 bench/devices/report.py --insert "$devices_md" bench/results.md ||
    say "could not put the devices section back into bench/results.md ($devices_md)"

# Xen 4.17 is the reference: a measurement that fails there is broken.
status=0
! grep -qP '^\d+\txen-4\.17\t[^\t]+\tfailed\t' "$results" || status=1
if [ "$toolstack" = yes ]; then
    bench/toolstack.sh $([ "$write" = yes ] || echo --no-write) || status=1
fi
exit $status
