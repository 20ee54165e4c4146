#!/usr/bin/env bash
# Guest networking and storage (issue 6, docs/devices.md): vifs on xenbr0,
# file-backed disks, hot attach and detach, and every failure case, each
# script of tests/integration/devices/ run inside the Dom0 image on
# HYPERVISOR through tests/integration/dom0-run.sh (one boot per script).
#
#   tests/integration/devices.sh HYPERVISOR LABEL [SCRIPT...] [--timeout S]
#
# HYPERVISOR: build/xen-4.17/xen or xen/xen. SCRIPT: net disk hotplug
# failures restart (default: all). Prints `PASS|FAIL: devices/<check> (LABEL)[: why]`;
# a boot that did not finish is `FAIL: devices/<script> (LABEL): <reason>`
# with the log's last lines. Logs: build/logs/LABEL/dom0-run-devices-*.log.
# Exit status 0 when nothing failed.
set -uo pipefail

usage() { echo "usage: $0 HYPERVISOR LABEL [net|disk|hotplug|failures|restart]... [--timeout S]" >&2; exit 2; }
[ $# -ge 2 ] || usage
hyp=$1 label=$2
shift 2
timeout=450 scripts=()
while [ $# -gt 0 ]; do
    case $1 in
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    net|disk|hotplug|failures|restart) scripts+=("$1"); shift ;;
    *) usage ;;
    esac
done
[ ${#scripts[@]} -gt 0 ] || scripts=(net disk hotplug failures restart)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2

failed=0
for s in "${scripts[@]}"; do
    out=$(tests/integration/dom0-run.sh "$hyp" "$label" --timeout "$timeout" --mem 768 \
        --name "devices-$s" --add "$here/devices/lib.sh:/root/lib.sh" "$here/devices/$s.sh")
    rc=$?
    printf '%s\n' "$out" | sed -nE "s/^(PASS|FAIL|SKIP): ([^:]+)(.*)$/\1: \2 ($label)\3/p"
    printf '%s\n' "$out" | grep -q '^FAIL: ' && failed=1
    case $rc in
    0) ;;
    1) failed=1 ;;
    *) failed=1
       echo "FAIL: devices/$s ($label): the Dom0 run did not finish (dom0-run exit $rc)"
       printf '%s\n' "$out" | grep -vE '^(PASS|FAIL|SKIP): ' | tail -n 30 | sed 's/^/  /' ;;
    esac
    printf '%s\n' "$out" | grep '^dom0-run' || true
done
exit $failed
