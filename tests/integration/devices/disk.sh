# A DomU writes to its file-backed disk and powers off: the data is in the
# image and no loop device is left. A read-only disk refuses the write.
. /root/lib.sh
dd if=/dev/zero of=/tmp/disk.img bs=1M count=8 2>/dev/null
word=XENOLITH-DATA-$$-$(cut -d' ' -f1 /proc/uptime | tr -d .)
dd if=/dev/zero of=/tmp/big.img bs=1M count=16 2>/dev/null
cfg diskw "xenolith.diskwrite=xvda:$word xenolith.diskmd5=xvdb:8 xenolith.domu=done" \
    "disk = [ 'file:/tmp/disk.img,xvda,w', 'file:/tmp/big.img,xvdb,w' ]"
xl create /root/diskw.cfg >/tmp/diskw.out 2>&1
check create-disk "$(tr '\n' ' ' </tmp/diskw.out)" test $? = 0
d=$(domid_of diskw)
check block-list "$(xl block-list diskw 2>&1 | tr '\n' '|')" \
    sh -c "xl block-list diskw | head -n1 | grep -q '^Vdev  BE  handle state evt-ch ring-ref BE-path' &&
           xl block-list diskw | grep -q '^51712 0   $d ' && xl block-list diskw | grep -q '^51728 0   $d '"
wait_until "! xl list | grep -q '^diskw '" 150
check guest-write "$(grep XENOLITH-DISK $CONSOLE_LOG/guest-diskw.log)" \
    grep -q 'XENOLITH-DISK-WRITE xvda ok' $CONSOLE_LOG/guest-diskw.log
check data-in-image "the image starts with '$(head -c 40 /tmp/disk.img | tr -cd 'A-Za-z0-9_-')'" \
    sh -c "head -n1 /tmp/disk.img | grep -q '^$word\$'"
# 8 MiB through blkback (many requests, grant maps): what the guest wrote and
# read back is what the image holds.
set -- $(grep 'XENOLITH-DISK-MD5 xvdb' $CONSOLE_LOG/guest-diskw.log | tail -n1 | tr -d '\r')
img_md5=$(head -c 8388608 /tmp/big.img | md5sum | cut -d' ' -f1)
check bulk-data "guest wrote ${3:-?}, read back ${4:-?}; the image has $img_md5" \
    sh -c "[ -n '${3:-}' ] && [ '${3:-}' = '${4:-}' ] && [ '${3:-}' = '$img_md5' ]"
clean poweroff-clean
# read-only: the write must fail, the image must not change
dd if=/dev/zero of=/tmp/ro.img bs=1M count=4 2>/dev/null
cfg diskr "xenolith.diskwrite=xvda:MUST-NOT-LAND xenolith.domu=done" \
    "disk = [ 'file:/tmp/ro.img,xvda,r' ]"
xl create /root/diskr.cfg >/tmp/diskr.out 2>&1 || fail create-ro "$(tr '\n' ' ' </tmp/diskr.out)"
wait_until "! xl list | grep -q '^diskr '" 150
check readonly-refused "$(grep XENOLITH-DISK $CONSOLE_LOG/guest-diskr.log)" \
    sh -c "grep -q 'XENOLITH-DISK-WRITE xvda FAILED' $CONSOLE_LOG/guest-diskr.log && ! grep -q MUST-NOT-LAND /tmp/ro.img"
clean readonly-clean
grep -h . /var/log/xen/xen-hotplug.log 2>/dev/null | tail -n 5 | sed 's/^/  hotplug: /'
exit $failed
