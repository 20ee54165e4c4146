#!/usr/bin/env bash
# libxc in Dom0: xc-selftest on a hypervisor, through the Dom0 runner.
#   tests/integration/libxc/run.sh HYPERVISOR LABEL [dom0-run options]
# HYPERVISOR: build/xen-4.17/xen (the real Xen 4.17) or xen/xen (Xenolith).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 HYPERVISOR LABEL [dom0-run options]" >&2; exit 2; }
hyp=$1 label=$2
shift 2
make -s build/tools/bin/xc-selftest
exec tests/integration/dom0-run.sh "$hyp" "$label" \
    --add build/tools/bin/xc-selftest:/usr/bin/xc-selftest \
    --add build/dom0/vmlinuz:/root/vmlinuz \
    --add build/dom0/domu-initrd.gz:/root/initrd.gz \
    --mem 768 --timeout 400 "$@" tests/integration/libxc/selftest.sh
