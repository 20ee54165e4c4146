#!/usr/bin/env bash
# Run every PV test kernel (build/guests/*.elf) as Dom0 of HYPERVISOR.
#
#   tests/integration/guests.sh HYPERVISOR LABEL
#
# e.g. `guests.sh build/xen-4.17/xen xen-4.17` or `guests.sh xen/xen xenolith`.
# Prints one line per test, `PASS: guests/<name> (LABEL)` (or FAIL:, SKIP:;
# a FAIL is followed by run-guest's reason, indented), keeps the serial logs
# in build/logs/LABEL/<name>.log, and exits non-zero if any test failed.
# At most two QEMUs run at once (this machine has two cores; GUESTS_JOBS=N
# overrides).
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 HYPERVISOR LABEL" >&2
    exit 2
fi
hyp=$1
label=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
run_guest=tests/integration/run-guest
logs=build/logs/$label
jobs=${GUESTS_JOBS:-2}

if [ ! -f "$hyp" ]; then
    echo "guests: $hyp: no such hypervisor image" >&2
    exit 2
fi
shopt -s nullglob
kernels=(build/guests/*.elf)
if [ ${#kernels[@]} -eq 0 ]; then
    echo "guests: no test kernels in build/guests (make guests first)" >&2
    exit 2
fi
mkdir -p "$logs"

# What the hypervisor must do beyond printing SUCCESS.
# The real Xen 4.17 (hwdom_shutdown, xen/common/shutdown.c; machine_halt,
# machine_restart, xen/arch/x86/shutdown.c):
#  - poweroff: halts every CPU and QEMU keeps running (no ACPI S5 from
#    SCHEDOP_shutdown), so there is no exit to expect;
#  - reboot: resets the machine at once; with -no-reboot QEMU exits;
#  - crash: with no kexec image and without `noreboot`, waits 5 s and resets.
# Xenolith prints the same lines but, as issue 2 asks and docs/decisions.md
# records, poweroff really powers off (QEMU exits) and crash halts with the
# crash on the console (QEMU keeps running).

# Sets the caller's array `opts` to the run-guest options of test $1.
# NAME@xapic is test NAME again with the hypervisor's local APIC in xAPIC
# mode (x2apic=0, on both hypervisors): QEMU's CPUs have x2APIC, which
# both use when they can, so the memory-mapped path runs only this way.
set_options() {
    opts=()
    case ${1%@xapic} in
    shutdown_poweroff)
        opts=(--expect-log '\(XEN\) Hardware Dom0 halted: halting machine')
        [ "$label" = xenolith ] && opts+=(--expect-exit) ;;
    shutdown_reboot | shutdown_code)
        opts=(--expect-log '\(XEN\) Hardware Dom0 shutdown: rebooting machine'
              --expect-exit) ;;
    shutdown_crash)
        if [ "$label" = xenolith ]; then
            opts=(--expect-log '\(XEN\) Hardware Dom0 crashed: halting machine')
        else
            opts=(--expect-log '\(XEN\) Hardware Dom0 crashed: rebooting machine in 5 seconds\.'
                  --expect-exit)
        fi ;;
    trap_unhandled | iret_no_user_table)
        # The domain crashes; what the machine then does differs as for shutdown_crash.
        opts=(--expect-log 'Domain 0 \(vcpu#0\) crashed')
        if [ "$label" = xenolith ]; then
            opts+=(--expect-log '\(XEN\) Hardware Dom0 crashed: halting machine')
        else
            opts+=(--expect-log '\(XEN\) Hardware Dom0 crashed: rebooting machine in 5 seconds\.'
                   --expect-exit)
        fi ;;
    sched_watchdog_fire)
        opts=(--expect-log 'Watchdog timer fired for domain 0'
              --expect-log '\(XEN\) Hardware Dom0 shutdown: watchdog rebooting machine'
              --expect-exit) ;;
    console_read)
        # The kernel asks for input; run-guest types it on the serial port.
        opts=(--send 'console_read: waiting for serial input' xyzzy) ;;
    smp_ipi | time_smp)
        # The test brings up a second vCPU of Dom0.
        opts=(--xen-cmdline "console=com1 com1=115200,8n1 dom0_mem=64M dom0_max_vcpus=2 loglvl=all guest_loglvl=all") ;;
    esac
    if [ "${1%@xapic}" != "$1" ]; then
        opts=(--xen-cmdline "console=com1 com1=115200,8n1 dom0_mem=64M dom0_max_vcpus=2 loglvl=all guest_loglvl=all x2apic=0")
    fi
}

# Tests that cannot pass on a hypervisor yet, and the issue that closes the
# gap (tests/integration/known-gaps: "LABEL TEST ISSUE REASON..."). They are
# reported as SKIP with the reason, never as PASS, and still run elsewhere.
known_gap() {
    awk -v l="$label" -v t="guests/$1" '$1 == l && $2 == t { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }' \
        tests/integration/known-gaps 2>/dev/null
}

# Runs one test; its result line goes to $logs/<name>.result.
run_one() {
    local name=$1 kernel=$2 out rc verdict gap
    local -a opts
    gap=$(known_gap "$name")
    if [ -n "$gap" ]; then
        echo "SKIP: guests/$name ($label): known gap, $gap" > "$logs/$name.result"
        return
    fi
    set_options "$name"
    out=$("$run_guest" "$hyp" "$kernel" --log "$logs/$name.log" "${opts[@]}" 2>&1)
    rc=$?
    case $rc in
    0) verdict=PASS ;;
    77) verdict=SKIP ;;
    *) verdict=FAIL ;;
    esac
    {
        echo "$verdict: guests/$name ($label)"
        if [ "$verdict" = FAIL ]; then
            printf '%s\n' "$out" | grep '^run-guest:' | sed 's/^/    /'
            echo "    log: $logs/$name.log"
        fi
    } >"$logs/$name.result"
}

# Every kernel once, and those that bring up a second vCPU again in xAPIC mode.
runs=()
for kernel in "${kernels[@]}"; do
    runs+=("$kernel")
    case $(basename "$kernel" .elf) in
    smp_ipi | time_smp) runs+=("$kernel@xapic") ;;
    esac
done

# The test name of a run: the kernel's, with @xapic when it has it.
run_name() {
    local kernel=${1%@xapic}
    echo "$(basename "$kernel" .elf)${1#"$kernel"}"
}

running=0
for run in "${runs[@]}"; do
    name=$(run_name "$run")
    rm -f "$logs/$name.result"
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$name" "${run%@xapic}" &
    running=$((running + 1))
done
wait

# Results in a fixed order, once every run has finished.
failed=0
for run in "${runs[@]}"; do
    name=$(run_name "$run")
    cat "$logs/$name.result" 2>/dev/null || echo "FAIL: guests/$name ($label): no result"
    if ! grep -q '^\(PASS\|SKIP\):' "$logs/$name.result" 2>/dev/null; then
        failed=$((failed + 1))
    fi
done
[ "$failed" -eq 0 ]
