#!/usr/bin/env bash
# Boot HYPERVISOR with Debian's stock Linux 6.1 as Dom0 under QEMU and check,
# stage by stage, how far it gets (docs/linux-dom0.md).
#
#   tests/integration/linux-dom0.sh HYPERVISOR LABEL [--kernel PATH]
#                                   [--vcpus N] [--timeout SECS] [--verbose]
#
# Relative paths are taken from the repository's top directory.
#   HYPERVISOR  an uncompressed multiboot1 image: build/xen-4.17/xen (the real
#               Xen 4.17, scripts/fetch-xen.sh) or xen/xen (Xenolith)
#   LABEL       names the log directory and ends every result line
#   --kernel    the Dom0 kernel (default build/linux/vmlinuz, the bzImage of
#               scripts/fetch-linux.sh; build/linux/vmlinux is its ELF,
#               scripts/extract-vmlinux.sh, made here when asked for)
#   --vcpus N   dom0_max_vcpus=N, and /init checks that N CPUs are online
#               (default 1). With N != 1 the test is called
#               linux-dom0-vcpusN, so both can sit side by side in a summary.
#   --timeout   seconds before QEMU is stopped (default 300)
#   --verbose   also copy the serial output to stdout
#
# Prints one line per stage, `PASS: linux-dom0/<stage> (LABEL)` or
# `FAIL: ...` (a FAIL is followed by its reason, indented), in boot order:
#   start                 "mapping kernel into physical memory": Linux's
#                         xen_start_kernel runs (features, CPUID, GDT, p2m)
#   pagetables            "about to get started...": xen_setup_kernel_pagetable
#                         pinned Linux's own L4 and switched to it
#   banner                "Linux version 6.1..." (replayed when earlyprintk=xen
#                         registers its console, early in setup_arch)
#   memory-map            "BIOS-provided physical RAM map:" then a
#                         "Xen: [mem 0x...-0x...] usable" line (xen_memory_setup)
#   paging                "Kernel command line:": start_kernel's first line
#                         after setup_arch, i.e. after init_mem_mapping and
#                         xen_pagetable_init (paging_init, p2m remap) are done
#   no-hypervisor-fault   no "(XEN) FATAL", "(XEN) PANIC" or "Panic on CPU"
#   init                  the initramfs /init prints LINUX-DOM0-INIT-OK
#   capabilities, hypervisor-type, hypervisor-version, hypervisor-properties,
#   cpus, sleep,
#   xen-dmesg             /init's `LINUX-DOM0-CHECK <name> ok|fail <detail>`
#                         (tests/integration/linux-initramfs/init)
#   shell                 /init runs `sh -i` on hvc0: the runner types
#                         `echo SHELL-$((6*7)); exit` into QEMU's serial
#                         input and the shell answers SHELL-42
#   poweroff              (--end poweroff, the default) after LINUX-DOM0-DONE
#                         /init runs `poweroff -f`: QEMU exits (ACPI S5) or
#                         the hypervisor logs "Hardware Dom0 halted", and
#                         no reboot line came
#   reboot                (--end reboot) /init runs `reboot -f`: the
#                         hypervisor logs "Hardware Dom0 shutdown: rebooting
#                         machine" and the machine resets (QEMU exits, as it
#                         runs with -no-reboot)
# then a line of host times (seconds since QEMU started) per stage. QEMU is
# stopped as soon as the verdict is known: after poweroff, 3 s after a
# hypervisor fault, a domain crash or a Linux panic, or at the timeout. On a
# failure the last 30 lines of the log follow. Log:
# build/logs/LABEL/linux-dom0.log (linux-dom0-vcpusN.log). Exit status 0 when
# every stage passed, 1 otherwise, 2 on a usage error.
set -uo pipefail

usage() {
    echo "usage: $0 HYPERVISOR LABEL [--kernel PATH] [--vcpus N] [--end poweroff|reboot] [--timeout SECS] [--verbose]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
hyp=$1
label=$2
shift 2
kernel=build/linux/vmlinuz
vcpus=1
end=poweroff
timeout=300
verbose=no
while [ $# -gt 0 ]; do
    case $1 in
    --kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
    --vcpus) [ $# -ge 2 ] || usage; vcpus=$2; shift 2 ;;
    --end) [ $# -ge 2 ] || usage; end=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --verbose | -v) verbose=yes; shift ;;
    *) usage ;;
    esac
done
[[ $vcpus =~ ^[1-9][0-9]*$ ]] || { echo "linux-dom0: --vcpus wants a number >= 1" >&2; exit 2; }
[[ $end =~ ^(poweroff|reboot)$ ]] || { echo "linux-dom0: --end wants poweroff or reboot, not '$end'" >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || { echo "linux-dom0: --timeout wants whole seconds" >&2; exit 2; }

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
[ -f "$hyp" ] || { echo "linux-dom0: $hyp: no such hypervisor image" >&2; exit 2; }

# The default kernel and its ELF are fetched and made on demand (cached).
if [ ! -f "$kernel" ]; then
    case $kernel in
    build/linux/vmlinuz) scripts/fetch-linux.sh || exit 2 ;;
    build/linux/vmlinux) { scripts/fetch-linux.sh && scripts/extract-vmlinux.sh; } || exit 2 ;;
    esac
fi
[ -f "$kernel" ] || { echo "linux-dom0: $kernel: no such kernel" >&2; exit 2; }
initrd=build/linux/test-initrd.gz
tests/integration/linux-initramfs/build.sh "$initrd" || exit 2
for path in "$hyp" "$kernel" "$initrd"; do
    case $path in
    *,* | *" "*)
        # QEMU's multiboot -initrd splits modules at commas and a module's
        # path from its command line at the first space.
        echo "linux-dom0: $path: QEMU's -initrd cannot take a path with a comma or a space" >&2
        exit 2 ;;
    esac
done

name=linux-dom0
[ "$vcpus" -eq 1 ] || name=linux-dom0-vcpus$vcpus
[ "$end" = poweroff ] || name=$name-$end
logdir=build/logs/$label
log=$logdir/$name.log
mkdir -p "$logdir"

# Xen's command line as real-xen-in-qemu.md boots it (no smap=0: that was
# for QEMU 7.2 only). Dom0's: the early console through console_io
# (earlyprintk=xen), then hvc0; xtest_vcpus tells /init what to expect,
# xtest_end how to leave.
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=$vcpus loglvl=all guest_loglvl=all"
dom0_cmdline="earlyprintk=xen console=hvc0 xtest_vcpus=$vcpus xtest_end=$end"
module="$kernel $dom0_cmdline"
module=${module//,/,,}      # a doubled comma is a literal one in -initrd
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -display none
      -monitor none -serial stdio -no-reboot -net none
      -kernel "$hyp" -append "$xen_cmdline" -initrd "$module,$initrd")

STAGES=(start pagetables banner memory-map paging no-hypervisor-fault init
        capabilities hypervisor-type hypervisor-version hypervisor-properties
        cpus sleep xen-dmesg shell "$end")
CHECKS=" capabilities hypervisor-type hypervisor-version hypervisor-properties cpus sleep xen-dmesg "
FAULT_RE='\(XEN\) (FATAL|PANIC)|Panic on CPU'
# Lines after which nothing more will come: a crashed or halted Dom0 (Xen:
# "Domain 0 (vcpu#0) crashed on cpu#0", "Hardware Dom0 crashed: rebooting
# machine in 5 seconds."; Xenolith: "Domain 0 (vcpu#0) crashed: why",
# "Hardware Dom0 crashed: halting machine") or a Linux panic.
END_RE='Domain 0 \(vcpu#[0-9]+\) crashed|Hardware Dom0 (crashed|halted|shutdown)|Kernel panic - not syncing'
GRACE_US=3000000            # keep reading this long after such a line
POWEROFF_WAIT_US=15000000   # after LINUX-DOM0-DONE, for the poweroff

declare -A at detail        # stage -> host µs since start; stage -> text
now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }
start_us=$(now_us)
mark() { [ -n "${at[$1]:-}" ] || at[$1]=$(( $(now_us) - start_us )); }

exec {logfd}>"$log"
# QEMU's serial input comes from a FIFO we keep open for writing.
fifo=$(mktemp -u /tmp/linux-dom0.XXXXXX)
mkfifo "$fifo" || exit 2
exec {infd}<>"$fifo"
exec {qfd}< <(exec timeout -k 5 $((timeout + 10)) "${qemu[@]}" <"$fifo" 2>&1)
qpid=$!
trap 'kill -TERM "$qpid" 2>/dev/null' EXIT

saw_map_header=no
next_type_us=""   # when to type the shell's command (again: busybox sh may
                  # flush what came before it set up its line editing)
saw_reboot=no
want_reboot=no
[ "$end" = reboot ] && want_reboot=yes
fault=""
end_line=""
stop_us=""
ended=""     # why reading stopped: exit, timeout, end, poweroff
deadline_us=$(( start_us + timeout * 1000000 ))
buf=""

feed() {
    local line=${1%$'\r'}
    printf '%s\n' "$line" >&"$logfd"
    [ "$verbose" = yes ] && printf '%s\n' "$line"
    case $line in
    *"mapping kernel into physical memory"*) mark start ;;
    *"about to get started..."*) mark pagetables ;;
    *"Linux version 6.1"*) mark banner ;;
    *"BIOS-provided physical RAM map:"*) saw_map_header=yes ;;
    *"Kernel command line:"*) mark paging ;;
    LINUX-DOM0-INIT-OK*) mark init; detail[init]=${line#LINUX-DOM0-INIT-OK } ;;
    LINUX-DOM0-SHELL*) next_type_us=$(now_us) ;;
    SHELL-42*) mark shell ;; # the echo of what we typed shows $((6*7)), not 42
    LINUX-DOM0-DONE*)
        mark "done"
        stop_us=$(( $(now_us) + POWEROFF_WAIT_US )) ;;
    esac
    if [ "$saw_map_header" = yes ] &&
       [[ $line =~ Xen:\ \[mem\ 0x[0-9a-f]+-0x[0-9a-f]+\]\ usable ]]; then
        mark memory-map
    fi
    if [[ $line =~ ^LINUX-DOM0-CHECK\ ([a-z-]+)\ (ok|fail)\ ?(.*)$ ]]; then
        local c=${BASH_REMATCH[1]}
        if [[ $CHECKS == *" $c "* ]] && [ -z "${at[$c]:-}" ]; then
            mark "$c"
            detail[$c]="${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
        fi
    fi
    if [ -z "$fault" ] && [[ $line =~ $FAULT_RE ]]; then
        fault=$line
        [ -n "$stop_us" ] || stop_us=$(( $(now_us) + GRACE_US ))
    fi
    if [ -z "$end_line" ] && [[ $line =~ $END_RE ]]; then
        end_line=$line
        if [ -n "${at[done]:-}" ] && [ "$end" = poweroff ] &&
           [[ $line == *"Hardware Dom0 halted"* ]]; then
            mark poweroff
            stop_us=$(now_us)
        elif [ -n "${at[done]:-}" ] && [[ $line == *"Hardware Dom0 shutdown: rebooting machine"* ]]; then
            saw_reboot=yes  # the reset follows: QEMU exits (-no-reboot)
            stop_us=$(( $(now_us) + POWEROFF_WAIT_US ))
        elif [ -z "$stop_us" ] || [ -z "${at[done]:-}" ]; then
            stop_us=$(( $(now_us) + GRACE_US ))
        fi
    fi
}

while :; do
    now=$(now_us)
    if [ -n "$stop_us" ] && [ "$now" -ge "$stop_us" ]; then
        ended=${at[$end]:+$end}
        ended=${ended:-end}
        break
    fi
    if [ "$now" -ge "$deadline_us" ]; then ended=timeout; break; fi
    if [ -n "$next_type_us" ] && [ -z "${at[shell]:-}" ] && [ "$now" -ge "$next_type_us" ]; then
        printf 'echo SHELL-$((6*7)); exit\n' >&"$infd"
        next_type_us=$(( now + 2000000 ))
    fi
    chunk=""
    IFS= read -r -t 0.5 -u "$qfd" chunk
    rc=$?
    if [ $rc -eq 0 ]; then
        feed "$buf$chunk"
        buf=""
    elif [ $rc -gt 128 ]; then
        buf+=$chunk         # no newline yet: keep the partial line
    else
        buf+=$chunk
        ended="exit"
        # QEMU exits on ACPI S5 and, with -no-reboot, on a reset: which
        # one it was, the hypervisor's reboot line tells.
        if [ -n "${at[done]:-}" ] && [ "$saw_reboot" = "$want_reboot" ]; then
            mark "$end"
        fi
        break
    fi
done
[ -n "$buf" ] && feed "$buf"   # a last line with no newline ("Machine halted.")
elapsed=$(( $(now_us) - start_us ))
kill -TERM "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
trap - EXIT
exec {qfd}<&- {logfd}>&- {infd}>&-
rm -f "$fifo"

secs() { local us=$1; printf '%d.%01d' $((us / 1000000)) $(((us % 1000000) / 100000)); }
case $ended in
timeout) why="not reached: stopped at the ${timeout} s timeout" ;;
exit) why="not reached: QEMU exited" ;;
*) why="not reached: boot ended${end_line:+ at: $end_line}${fault:+ after: $fault}" ;;
esac

failed=0
for s in "${STAGES[@]}"; do
    verdict=PASS
    reason=""
    if [ "$s" = no-hypervisor-fault ]; then
        [ -z "$fault" ] || { verdict=FAIL; reason="hypervisor fault: $fault"; }
    elif [ -z "${at[$s]:-}" ]; then
        verdict=FAIL
        reason=$why
        why="not reached"   # the whole story once, at the first stage missed
        [ "$s" = poweroff ] && [ -n "${at[done]:-}" ] &&
            reason="QEMU did not exit and no 'Hardware Dom0 halted' within $((POWEROFF_WAIT_US / 1000000)) s of LINUX-DOM0-DONE${saw_reboot/#yes/ (the machine rebooted instead)}"
        [ "$s" = reboot ] && [ -n "${at[done]:-}" ] &&
            reason="no 'Hardware Dom0 shutdown: rebooting machine' then QEMU exit within $((POWEROFF_WAIT_US / 1000000)) s of LINUX-DOM0-DONE"
    elif [[ $CHECKS == *" $s "* ]] && [[ ${detail[$s]} != ok* ]]; then
        verdict=FAIL
        reason=${detail[$s]#fail }
    fi
    echo "$verdict: $name/$s ($label)"
    if [ "$verdict" = FAIL ]; then
        failed=$((failed + 1))
        echo "    $reason"
    fi
done

times=""
for s in start pagetables banner memory-map paging init "done" "$end"; do
    [ -n "${at[$s]:-}" ] && times+=" $s=$(secs "${at[$s]}")"
done
echo "$name ($label): host seconds since QEMU start:${times:- none}; total $(secs "$elapsed")${detail[init]:+; /init: ${detail[init]}}"
if [ "$failed" -gt 0 ]; then
    echo "    last 30 lines of $log:"
    tail -n 30 "$log" | sed 's/^/    | /'
fi
echo "    log: $log"
[ "$failed" -eq 0 ]
