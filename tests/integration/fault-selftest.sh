#!/usr/bin/env bash
# A hypervisor bug must be loud: with `fault_selftest` Xenolith faults on
# purpose before entering Dom0, and the log must show the trap, the
# registers, a call trace and the panic banner, and nothing may run after.
#
#   tests/integration/fault-selftest.sh HYPERVISOR   (Xenolith only: the
#   option is Xenolith's own)
set -uo pipefail

hyp=${1:?usage: $0 HYPERVISOR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
log=build/logs/xenolith/fault-selftest.log
mkdir -p "$(dirname "$log")"

timeout 60 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 -display none \
    -monitor none -serial stdio -no-reboot -net none -kernel "$hyp" \
    -append "console=com1 com1=115200,8n1 dom0_mem=64M fault_selftest" \
    -initrd build/guests/hello.elf > "$log" 2>&1 &
qemu=$!
# The panic banner ends the log; wait for it rather than the full timeout.
for _ in $(seq 1 300); do
    grep -q 'PANIC on CPU' "$log" 2>/dev/null && break
    kill -0 $qemu 2>/dev/null || break
    sleep 0.1
done
sleep 0.5
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null

fail=0
for want in 'FATAL TRAP: vector 14 \(page fault\) on CPU 0' 'RIP: +e008:\[<ffff82d04' \
            'cr2: ffff87fffffff000' 'Xen call trace' 'PANIC on CPU 0:'; do
    if ! grep -aEq "^\(XEN\).*$want" "$log"; then
        echo "    missing in the log: $want"
        fail=1
    fi
done
if grep -aq 'Hello from a Xenolith PV test kernel' "$log"; then
    echo "    Dom0 ran after the fault"
    fail=1
fi
if [ $fail -eq 0 ]; then
    echo "PASS: xenolith/fault-selftest"
else
    echo "FAIL: xenolith/fault-selftest (log: $log)"
fi
exit $fail
