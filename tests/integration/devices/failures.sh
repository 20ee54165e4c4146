# Every failure gives one clear line naming the device and the cause, and
# leaves no domain, backend node, vif or loop device behind.
. /root/lib.sh
# expect CHECK PATTERN: xl create /root/CHECK.cfg must fail with one line matching PATTERN.
expect() {
    if xl create "/root/$1.cfg" >/tmp/$1.out 2>&1; then
        fail "$1" "xl create succeeded"
        xl destroy "$1" 2>/dev/null
    elif one_line /tmp/$1.out "$2"; then
        pass "$1"
    else
        fail "$1" "expected one line matching '$2', got: $(tr '\n' '|' </tmp/$1.out)"
    fi
    sed 's/^/  /' /tmp/$1.out
    clean "$1-clean"
}
cfg missing-bridge "" "vif = [ 'bridge=xenbr9' ]"
expect missing-bridge "vif 0 of 'missing-bridge': bridge xenbr9 does not exist"
cfg not-a-bridge "" "vif = [ 'bridge=lo' ]"
expect not-a-bridge "vif 0 of 'not-a-bridge': lo is a network interface but not a bridge"
cfg missing-image "" "disk = [ 'file:/tmp/nope.img,xvda,w' ]"
expect missing-image "disk xvda of 'missing-image': target /tmp/nope.img: No such file"
# A vif script that fails the way vif-bridge does (hotplug-common.sh's fatal).
cat >/etc/xen/scripts/vif-fail <<'SCRIPT'
#!/bin/sh
. /etc/xen/scripts/hotplug-common.sh
hotplug_init "$@"
[ "$command" = online ] && fatal "deliberate failure for the test"
exit 0
SCRIPT
chmod +x /etc/xen/scripts/vif-fail
cfg failing-script "" "vif = [ 'bridge=xenbr0,script=vif-fail' ]"
expect failing-script "vif 0 of 'failing-script': deliberate failure for the test (hotplug script vif-fail)"
# The second device fails: the first (a disk on a loop device) must go too.
dd if=/dev/zero of=/tmp/d1.img bs=1M count=2 2>/dev/null
cfg second-fails "" "disk = [ 'file:/tmp/d1.img,xvda,w' ]" "vif = [ 'bridge=xenbr0,script=vif-fail' ]"
expect second-fails "vif 0 of 'second-fails': deliberate failure"
# A writable disk given twice.
dd if=/dev/zero of=/tmp/shared.img bs=1M count=2 2>/dev/null
cfg owner "" "disk = [ 'file:/tmp/shared.img,xvda,w' ]"
cfg shared-writable "" "disk = [ 'file:/tmp/shared.img,xvda,w' ]"
cfg shared-readonly "" "disk = [ 'file:/tmp/shared.img,xvda,r' ]"
if xl create /root/owner.cfg >/tmp/owner.out 2>&1; then
    for c in shared-writable shared-readonly; do
        if xl create "/root/$c.cfg" >/tmp/$c.out 2>&1; then
            fail "$c" "xl create succeeded"
            xl destroy "$c"
        elif one_line /tmp/$c.out "disk xvda of '$c': /tmp/shared.img is already given to domain [0-9]* writable"; then
            pass "$c"
        else
            fail "$c" "got: $(tr '\n' '|' </tmp/$c.out)"
        fi
        sed 's/^/  /' /tmp/$c.out
    done
    xl destroy owner
else
    fail shared-writable "the first guest did not start: $(tr '\n' ' ' </tmp/owner.out)"
fi
clean shared-clean
grep -h . /var/log/xen/xen-hotplug.log 2>/dev/null | tail -n 8 | sed 's/^/  hotplug: /'
exit $failed
