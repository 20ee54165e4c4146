#!/usr/bin/env bash
# Boot a Xenolith ISO (scripts/mkiso.sh) in QEMU, with the machine's serial
# console on this terminal: GRUB, the hypervisor's log and then Dom0's console
# appear here, and what you type goes to them.
#
#   run.sh ISO
#
# Environment:
#   RUN_MEM      guest RAM in MiB (default 2048)
#   RUN_TIMEOUT  seconds before QEMU is stopped when stdin is not a terminal
#                (default 600); 0 = no limit
#   QEMU_EXTRA   extra QEMU arguments, split on spaces (e.g. "-nic user")
#
# TCG only, never KVM (KVM cannot run 64-bit guests on the machines this is
# developed on); -cpu max and 2 CPUs as in every test.
set -euo pipefail

prog=run
die() { echo "$prog: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $prog.sh ISO" >&2; exit 2; }
iso=$1
[ -e "$iso" ] || die "ISO not found: $iso (build it with 'make iso')"
if [ ! -f "$iso" ] || [ ! -r "$iso" ]; then die "ISO is not a readable file: $iso"; fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (run scripts/deps.sh)"

mem=${RUN_MEM:-2048}
limit=${RUN_TIMEOUT:-600}
case "$mem" in ''|*[!0-9]*) die "RUN_MEM must be a size in MiB, not '$mem'" ;; esac
case "$limit" in ''|*[!0-9]*) die "RUN_TIMEOUT must be a number of seconds, not '$limit'" ;; esac
read -r -a extra <<<"${QEMU_EXTRA:-}"

# -nographic multiplexes the serial port and QEMU's monitor on stdio, so the
# terminal is the machine's console; Ctrl-A X leaves, Ctrl-A C toggles the
# monitor. No -no-reboot: a reboot from inside should behave like one.
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "$mem"
      -nographic -cdrom "$iso" -boot d -net none "${extra[@]}")

echo "$prog: booting $iso (serial console here; quit with Ctrl-A X)" >&2

# Someone at a terminal decides when to quit, so no time limit then. Without a
# terminal (a pipe, CI) nobody can press Ctrl-A X: bound the run so that it can
# never hang whatever started it.
if [ -t 0 ] || [ "$limit" -eq 0 ]; then
    exec "${qemu[@]}"
fi
echo "$prog: stdin is not a terminal: stopping QEMU after $limit s" >&2
exec timeout -k 10 "$limit" "${qemu[@]}"
