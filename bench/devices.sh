#!/usr/bin/env bash
# The device benchmark of issue 6: TCP throughput DomU->Dom0 and
# DomU->DomU through netfront/netback on xenbr0, and 4 KiB random-read IOPS
# of a vbd (blkfront/blkback, a file in Dom0's tmpfs on a loop device),
# Xenolith against the real Xen 4.17 in one run. Target: Xenolith at least
# 1.0x of Xen.
#
#   bench/devices.sh [--rounds N] [--repeat K] [--mib M] [--secs S]
#                    [--disk-mib D] [--mem M] [--workloads LIST]
#                    [--timeout S] [--xen-args STR] [--domu-cpus LIST]
#                    [--no-write] [HYPERVISOR...]
#
#   HYPERVISOR   multiboot1 images (default: build/xen-4.17/xen xen/xen)
#   --rounds N   boots per hypervisor (default 3); the order of the
#                hypervisors alternates from round to round (A B, B A, ...)
#   --repeat K   repetitions of every workload within a boot (default 1)
#   --mib M      MiB each TCP sender writes (default 128)
#   --secs S     seconds of the IOPS run (default 20)
#   --disk-mib D size of the disk image in Dom0's tmpfs (default 256)
#   --mem M      MiB of each DomU (default 192)
#   --workloads  comma-separated subset of domu-dom0,domu-domu,iops
#   --timeout S  seconds before one boot is given up (default 900)
#   --xen-args   more hypervisor options (dom0-run.sh --xen-args), e.g.
#                dom0_vcpus_pin (Xen 4.17 only) for a diagnostic run
#   --domu-cpus  the DomUs' hard affinity (xl.cfg cpus=, e.g. 0)
#   --no-write   print the table only; leave bench/results.md alone
#
# Each boot is tests/integration/dom0-run.sh (same QEMU command line for
# both hypervisors, QEMU's -kernel multiboot path, Dom0 1 vCPU, 768 MiB:
# the tmpfs holds the disk image) running bench/devices/rounds.sh in Dom0.
# The DomUs boot the default DomU kernel with its initrd plus
# build/bench/devices/domu-bench.cpio.gz (bench/devices/domu-init as
# rdinit, tcpsend, tcprecv, iops); Dom0 gets tcprecv and waitline
# with --add.
# Prints the table (median, min-max over all rounds and repetitions; ratio
# Xenolith/Xen of the medians, higher is better for Xenolith) and replaces
# the devices section of bench/results.md. Logs:
# build/logs/bench-devices-<hypervisor>/dom0-run-devices-<round>.log.
# Exit status 0 when every workload worked on Xen 4.17 (Xenolith's failures
# are results, shown in the table), 1 otherwise, 2 on a usage error.
# Timings are never asserted.
set -uo pipefail

usage() {
    sed -n '8,26p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

rounds=3 repeat=1 mib=128 secs=20 disk_mib=256 mem=192 timeout=900 write=yes
workloads=domu-dom0,domu-domu,iops xen_args="" domu_cpus="" hyps=()
argv="bench/devices.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --repeat) [ $# -ge 2 ] || usage; repeat=$2; shift 2 ;;
    --mib) [ $# -ge 2 ] || usage; mib=$2; shift 2 ;;
    --secs) [ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
    --disk-mib) [ $# -ge 2 ] || usage; disk_mib=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --workloads) [ $# -ge 2 ] || usage; workloads=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --xen-args) [ $# -ge 2 ] || usage; xen_args=$2; shift 2 ;;
    --domu-cpus) [ $# -ge 2 ] || usage; domu_cpus=$2; shift 2 ;;
    --no-write) write=no; shift ;;
    -*) usage ;;
    *) hyps+=("$1"); shift ;;
    esac
done
for v in "$rounds" "$repeat" "$mib" "$secs" "$disk_mib" "$mem" "$timeout"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "devices: '$v' is not a number >= 1" >&2; exit 2; }
done
for w in ${workloads//,/ }; do
    case $w in domu-dom0|domu-domu|iops) ;; *) echo "devices: unknown workload '$w'" >&2; exit 2 ;; esac
done
[ ${#hyps[@]} -gt 0 ] || hyps=(build/xen-4.17/xen xen/xen)

. "$(dirname "$0")/lib.sh"
bench_begin devices
prepare_hypervisors "${hyps[@]}"
make --no-print-directory -f bench/bench.mk bench-devices || die "cannot build the device tools"

out=build/bench/devices
results=$out/results.tsv
env_file=$out/bench.env
mkdir -p "$out"
: >"$results"
# A workload gets its MiB at no less than ~0.1 MB/s before it is given up.
wl_timeout=$((mib * 10 + 60))
printf 'WORKLOADS="%s"\nMIB=%s\nSECS=%s\nDISK_MIB=%s\nMEM=%s\nREPEAT=%s\nTIMEOUT=%s\nDOMU_CPUS="%s"\n' \
    "${workloads//,/ }" "$mib" "$secs" "$disk_mib" "$mem" "$repeat" "$wl_timeout" "$domu_cpus" >"$env_file"

status=0
start=$SECONDS
for r in $(seq 1 "$rounds"); do
    order=("${hyps[@]}")
    if [ $((r % 2)) = 0 ]; then # every other round, the other way round
        order=()
        for ((i = ${#hyps[@]} - 1; i >= 0; i--)); do order+=("${hyps[i]}"); done
    fi
    for h in "${order[@]}"; do
        label=$(label_of "$h")
        say "round $r/$rounds, $label (other QEMU processes on this host: $(pgrep -c qemu-system))"
        tests/integration/dom0-run.sh "$h" "bench-devices-$label" --timeout "$timeout" \
            --mem 768 --name "devices-$r" ${xen_args:+--xen-args "$xen_args"} \
            --add "$out/tcprecv:/xenolith/run/tcprecv" \
            --add "$out/waitline:/xenolith/run/waitline" \
            --add "$out/domu-bench.cpio.gz:/xenolith/run/domu-bench.cpio.gz" \
            --add "$env_file:/xenolith/run/bench.env" \
            bench/devices/rounds.sh |
            while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done >"$out/run.out"
        grep -v ' PASS: bench-clock ' "$out/run.out" | cut -d' ' -f2- | sed 's/^/  /'
        # "<host time> PASS: bench-clock WORKLOAD REP start|end <Dom0 uptime>"
        # pairs: the window in both clocks.
        awk -v h="$label" -v r="$r" '$2 == "PASS:" && $3 == "bench-clock" {
                k = $4 " " $5
                if ($6 == "start") { hs[k] = $1; gs[k] = $7 }
                else if (k in hs) printf "%s\t%s\tclock-%s\t%s\tguest_s=%.2f\thost_s=%.2f\n",
                    h, r, $4, $5, $7 - gs[k], $1 - hs[k] }' "$out/run.out" |
            tee -a "$results" | cut -f1-3,5- | sed 's/^/  /'
        cut -d' ' -f2- "$out/run.out" >"$out/run.out.plain" && mv "$out/run.out.plain" "$out/run.out"
        log=build/logs/bench-devices-$label/dom0-run-devices-$r.log
        # Dom0's clock against the host's: from "ready" (just before the
        # script starts) to DOM0-RUN-DONE (just after it ends), in seconds.
        host_s=$(sed -n 's/.* ready=\([0-9.]*\) done=\([0-9.]*\) .*/\1 \2/p' "$out/run.out" |
                 awk '{ print $2 - $1 }')
        guest_s=$(tr -d '\r' <"$log" | sed -n 's/^BENCH-DEV-CLOCK \(start\|end\) uptime=//p' |
                  awk 'NR == 1 { a = $1 } END { if (NR == 2) print $1 - a }')
        # The TSC rate the hypervisor took at boot (Xenolith: "TSC: N MHz,
        # calibrated against the ACPI PM timer (port ...)", not its later
        # "TSC: corrected to N MHz"; Xen: "Detected N MHz processor").
        mhz=$(tr -d '\r' <"$log" | sed -n 's/^(XEN) TSC: \([0-9.]*\) MHz.*/\1/p; s/^(XEN) Detected \([0-9.]*\) MHz processor.*/\1/p' | head -n1)
        [ -n "$host_s" ] && [ -n "$guest_s" ] &&
            printf '%s\t%s\tclock\t1\tguest_s=%s\thost_s=%s\ttsc_mhz=%s\n' "$label" "$r" "$guest_s" "$host_s" "${mhz:-0}" |
            tee -a "$results" | cut -f1-3,5- | sed 's/^/  /' 
        # BENCH-DEV <workload> <rep> key=value...  ->  tsv rows.
        tr -d '\r' <"$log" | grep -a '^BENCH-DEV ' |
            awk -v h="$label" -v r="$r" '{ printf "%s\t%s\t%s\t%s", h, r, $2, $3
                for (i = 4; i <= NF; i++) printf "\t%s", $i; printf "\n" }' |
            tee -a "$results" | cut -f1-3,5- | sed 's/^/  /'
        grep -aq '^BENCH-DEV-INFO ' "$log" ||
            { say "round $r, $label: the boot did not run the workloads (log: $log)"; status=1; }
    done
done
say "measured in $((SECONDS - start)) s"

report=(python3 bench/devices/report.py "$results" --command "$argv"
        --qemu "$(qemu-system-x86_64 --version | head -n1)"
        --xen "$(cat build/xen-4.17/deb 2>/dev/null || echo unknown)"
        --xenolith "$(git describe --always --dirty 2>/dev/null || echo unknown)"
        --mib "$mib" --secs "$secs" --disk-mib "$disk_mib" --mem "$mem")
[ "$write" = no ] || report+=(--markdown bench/results.md)
"${report[@]}" || status=1
exit $status
