#!/usr/bin/env bash
# A Dom0 kernel whose Xen notes are inconsistent is refused with a clear
# log line, by Xenolith as by Xen: a copy of build/guests/hello.elf whose
# XEN_VERSION note says "xen-2.0" instead of "xen-3.0" (public/elfnote.h).
#
#   tests/integration/bad-kernel.sh HYPERVISOR LABEL
set -uo pipefail

hyp=${1:?usage: $0 HYPERVISOR LABEL}
label=${2:?usage: $0 HYPERVISOR LABEL}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
bad=build/guests/bad/xen-2.0.elf
log=build/logs/$label/bad-kernel.log
mkdir -p "$(dirname "$bad")" "$(dirname "$log")"

python3 - build/guests/hello.elf "$bad" <<'PY' || exit 2
import sys
data = open(sys.argv[1], 'rb').read()
if data.count(b'xen-3.0\0') != 1:
    sys.exit("bad-kernel: expected exactly one XEN_VERSION note in " + sys.argv[1])
open(sys.argv[2], 'wb').write(data.replace(b'xen-3.0\0', b'xen-2.0\0'))
PY

case $label in
xenolith) want="Dom0 kernel \(module 1\): XEN_VERSION note is 'xen-2.0': expected 'xen-3.0'" ;;
*) want="Xen will only load images built for Xen v3.0" ;;
esac

timeout 60 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 -display none -monitor none \
    -serial stdio -no-reboot -net none -kernel "$hyp" \
    -append "console=com1 com1=115200,8n1 dom0_mem=64M loglvl=all" -initrd "$bad" > "$log" 2>&1 &
qemu=$!
for _ in $(seq 1 300); do
    grep -aEq "$want" "$log" 2>/dev/null && break
    kill -0 $qemu 2>/dev/null || break
    sleep 0.1
done
sleep 0.3
kill $qemu 2>/dev/null
wait $qemu 2>/dev/null

if grep -aEq "$want" "$log" && ! grep -aq 'Test result' "$log"; then
    echo "PASS: bad-kernel/xen-version-note ($label)"
    exit 0
fi
echo "FAIL: bad-kernel/xen-version-note ($label): no '$want' in $log"
exit 1
