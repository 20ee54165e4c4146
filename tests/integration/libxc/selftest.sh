#!/bin/sh
# Dom0 side of libxc's integration check (run by tests/integration/dom0-run.sh,
# see tests/integration/libxc/run.sh): the basic checks, then a PV DomU built
# from Debian's kernel and the DomU initrd, watched for a few seconds.
xc-selftest || rc=1
xc-selftest --build /root/vmlinuz /root/initrd.gz --mem 256 --run 15 \
    --cmdline "console=hvc0 earlyprintk=xen nr_cpus=1" || rc=1
exit ${rc:-0}
