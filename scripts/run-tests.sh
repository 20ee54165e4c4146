#!/usr/bin/env bash
# Every test of `make test`, in order: the CUnit tests, then each test kernel
# as Dom0 of the real Xen 4.17 and of Xenolith, then the GRUB ISO boots.
# Each suite prints `PASS: name` / `FAIL: name` / `SKIP: name` lines; the
# last line is the total, `N passed, N failed` (with `, N skipped`).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
mkdir -p build/logs
results=build/logs/results.txt
: > "$results"

# Runs one suite: its output is shown and its result lines are kept. A suite
# that cannot start at all counts as one failure named after it.
suite() {
    local name=$1 before rc
    shift
    echo "=== $name"
    before=$(wc -l < "$results")
    "$@" 2>&1 | known_gaps | tee -a build/logs/suites.log | tee >(grep -E '^(PASS|FAIL|SKIP): ' >> "$results")
    rc=${PIPESTATUS[0]}
    sleep 0.2 # let the process substitution flush
    # A suite that failed without naming a single test could not run at all.
    if [ "$rc" -ne 0 ] && [ "$(wc -l < "$results")" -eq "$before" ]; then
        echo "FAIL: $name (exited $rc with no test result)" | tee -a "$results"
    fi
}

# A FAIL of a test listed in tests/integration/known-gaps for that hypervisor
# becomes a SKIP that names the gap.
known_gaps() {
    awk 'FNR == NR { if ($0 !~ /^#/ && NF >= 3) { k = $2 " (" $1 ")"; $1 = ""; $2 = ""; sub(/^ +/, ""); gap[k] = $0 } next }
         /^FAIL: / { k = $0; sub(/^FAIL: /, "", k); sub(/\):?.*$/, ")", k)
                     if (k in gap) { print "SKIP: " k ": known gap, " gap[k]; next } }
         { print; fflush() }' tests/integration/known-gaps -
}

# CUnit prints "Test: <name> ...passed|FAILED"; one result line per test,
# named PREFIX/suite/test.
cunit_suite() { # BINARY PREFIX
    local out rc
    out=$("$1" 2>&1)
    rc=$?
    printf '%s\n' "$out" | awk -v prefix="$2" '
        /^Suite: / { suite = $2 }
        /Test: .*\.\.\.passed/ { sub(/^ *Test: /, ""); sub(/ \.\.\.passed.*/, ""); print "PASS: " prefix "/" suite "/" $0 }
        /Test: .*\.\.\.FAILED/ { sub(/^ *Test: /, ""); sub(/ \.\.\.FAILED.*/, ""); print "FAIL: " prefix "/" suite "/" $0 }
        /^    [0-9]+\. / { print }'
    return $rc
}

rm -f build/logs/suites.log
suite unit cunit_suite build/unit/unit-tests unit
suite "tool unit" cunit_suite build/unit/tool-tests tools
suite "xl golden" tests/integration/xl-golden.sh
suite "xenolith fault self-test" tests/integration/fault-selftest.sh xen/xen
if scripts/fetch-xen.sh; then
    suite "guests on xen-4.17" tests/integration/guests.sh build/xen-4.17/xen xen-4.17
    suite "guests on xenolith" tests/integration/guests.sh xen/xen xenolith
    suite "bad kernel on xen-4.17" tests/integration/bad-kernel.sh build/xen-4.17/xen xen-4.17
    suite "bad kernel on xenolith" tests/integration/bad-kernel.sh xen/xen xenolith
    suite "iso on xen-4.17" tests/integration/iso.sh build/xen-4.17/xen.gz build/guests/hello.elf xen-4.17
    if scripts/fetch-linux.sh; then
        suite "linux dom0, reboot, on xen-4.17" tests/integration/linux-dom0.sh build/xen-4.17/xen xen-4.17 --end reboot
        suite "linux dom0, reboot, on xenolith" tests/integration/linux-dom0.sh xen/xen xenolith --end reboot --timeout 120
        suite "linux dom0, 2 vCPUs, on xen-4.17" tests/integration/linux-dom0.sh build/xen-4.17/xen xen-4.17 --vcpus 2
        suite "linux dom0, 2 vCPUs, on xenolith" tests/integration/linux-dom0.sh xen/xen xenolith --vcpus 2 --timeout 120
        # The Dom0 image with our toolstack, and Debian's xl 4.17 as the reference.
        suite "dom0 image on xen-4.17" tests/integration/dom0-image.sh build/xen-4.17/xen xen-4.17
        suite "dom0 image on xenolith" tests/integration/dom0-image.sh xen/xen xenolith --timeout 180
        suite "toolstack on xen-4.17" tests/integration/toolstack.sh build/xen-4.17/xen xen-4.17
        suite "toolstack on xenolith" tests/integration/toolstack.sh xen/xen xenolith
        suite "devices on xen-4.17" tests/integration/devices.sh build/xen-4.17/xen xen-4.17
        suite "devices on xenolith" tests/integration/devices.sh xen/xen xenolith
    else
        echo "FAIL: fetch Debian's kernel and build the test initramfs" | tee -a "$results"
    fi
    suite "iso on xenolith" tests/integration/iso.sh xen/xen.gz build/guests/hello.elf xenolith
else
    echo "FAIL: fetch the real Xen 4.17 (scripts/fetch-xen.sh)" | tee -a "$results"
    suite "guests on xenolith" tests/integration/guests.sh xen/xen xenolith
    suite "iso on xenolith" tests/integration/iso.sh xen/xen.gz build/guests/hello.elf xenolith
fi

passed=$(grep -c '^PASS: ' "$results")
failed=$(grep -c '^FAIL: ' "$results")
skipped=$(grep -c '^SKIP: ' "$results")
if [ "$failed" -gt 0 ]; then
    echo
    echo "Failed:"
    grep '^FAIL: ' "$results" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
