#!/usr/bin/env bash
# The toolstack's integration test (issue 5): boots HYPERVISOR with the
# Dom0 image through tests/integration/dom0-run.sh and runs
# tests/integration/toolstack/checks.sh in Dom0 with our xl, xenstored and
# xenconsoled (the image's init starts them).
#
#   tests/integration/toolstack.sh HYPERVISOR LABEL [--timeout S]
#
# Prints `PASS|FAIL: toolstack/<check> (LABEL)[: why]`; a run that did not
# finish is one FAIL with the runner's reason. Exit status 0 when nothing
# failed. Log: build/logs/LABEL/dom0-run-toolstack.log.
set -uo pipefail

usage() { echo "usage: $0 HYPERVISOR LABEL [--timeout S]" >&2; exit 2; }
[ $# -ge 2 ] || usage
hyp=$1 label=$2
shift 2
timeout=600
while [ $# -gt 0 ]; do
    case $1 in
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    *) usage ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.." || exit 2

out=$(tests/integration/dom0-run.sh "$hyp" "$label" --timeout "$timeout" --name toolstack \
      "$here/toolstack/checks.sh")
rc=$?
printf '%s\n' "$out" | sed -nE "s/^(PASS|FAIL|SKIP): ([^:]+)(.*)$/\1: \2 ($label)\3/p"
printf '%s\n' "$out" | grep '^dom0-run ' | head -n 1
if [ $rc -eq 3 ] || ! printf '%s\n' "$out" | grep -qE '^(PASS|FAIL): '; then
    echo "FAIL: toolstack/run ($label): the Dom0 run did not finish"
    printf '%s\n' "$out" | sed -n '/last 30 lines/,$p'
    exit 1
fi
printf '%s\n' "$out" | grep -q '^FAIL: ' && exit 1
exit 0
