#!/usr/bin/env bash
# The Dom0 image's own test (docs/dom0-image.md): boots HYPERVISOR with the
# image through tests/integration/dom0-run.sh and checks every init step
# and what it left behind, with our toolstack (whatever of it is built),
# then once more with Debian's Xen 4.17 toolstack appended (--debian-xl):
# the default DomU from /etc/xen/auto, `xl list`, its banner on the
# console, `xl destroy`, `xl create -c` until the DomU powers off.
#
#   tests/integration/dom0-image.sh HYPERVISOR LABEL [--no-debian-xl] [--timeout S]
#
# HYPERVISOR: build/xen-4.17/xen or xen/xen. Prints
# `PASS|FAIL|SKIP: dom0-image/<check> (LABEL)[: detail]` lines (checks of
# the Debian run are dom0-image/debian-xl/...); a check that a boot never
# reached is a FAIL naming why. Logs: build/logs/LABEL/dom0-run-dom0-image*.log.
# Exit status 0 when nothing failed.
set -uo pipefail

usage() { echo "usage: $0 HYPERVISOR LABEL [--no-debian-xl] [--timeout S]" >&2; exit 2; }
[ $# -ge 2 ] || usage
hyp=$1 label=$2
shift 2
debian=yes timeout=240
while [ $# -gt 0 ]; do
    case $1 in
    --no-debian-xl) debian=no; shift ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    *) usage ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2

IMAGE_CHECKS="init/start init/mounts init/modules init/xenfs init/devices init/dirs
 init/xenstored init/init-dom0 init/xenconsoled init/toolstack init/bridge
 init/autostart init/ready xenfs modules devices bridge iproute2 domu-files shell"
DEBIAN_CHECKS="debian-xl/init/xenstored debian-xl/init/init-dom0
 debian-xl/init/xenconsoled debian-xl/init/toolstack debian-xl/init/autostart
 debian-xl/xl-list debian-xl/console-banner debian-xl/xl-destroy
 debian-xl/create-console debian-xl/poweroff"

failed=0
# One boot: its result lines get the label; expected checks it never
# printed fail with the runner's reason.
boot() { # expected-checks dom0-run-args...
    local expected=$1 out rc c reason
    shift
    out=$(tests/integration/dom0-run.sh "$hyp" "$label" --timeout "$timeout" "$@")
    rc=$?
    printf '%s\n' "$out" | sed -nE "s/^(PASS|FAIL|SKIP): ([^:]+)(.*)$/\1: \2 ($label)\3/p"
    printf '%s\n' "$out" | grep -q "^FAIL: " && failed=1
    printf '%s\n' "$out" | grep '^dom0-run ' | head -n 1
    reason=$(printf '%s\n' "$out" | grep -m1 'did not finish' | sed 's/^dom0-run [^:]*: //')
    for c in $expected; do
        printf '%s\n' "$out" | grep -qE "^(PASS|FAIL|SKIP): dom0-image/$c(:|$)" && continue
        echo "FAIL: dom0-image/$c ($label): not reached${reason:+: $reason}"
        failed=1
    done
    if [ $rc -eq 3 ]; then
        printf '%s\n' "$out" | sed -n '/last 30 lines/,$p'
        failed=1
    fi
}

boot "$IMAGE_CHECKS" --name dom0-image --auto "$here/dom0-image/image-checks.sh"
if [ $debian = yes ]; then
    boot "$DEBIAN_CHECKS" --name dom0-image-debian-xl --debian-xl --auto \
        "$here/dom0-image/debian-xl-checks.sh"
fi
exit $failed
