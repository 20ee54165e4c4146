# Hot attach and detach of a vif and a disk on a running DomU.
. /root/lib.sh
cfg hot "" 
xl create /root/hot.cfg >/tmp/hot.out 2>&1 || fail create "$(tr '\n' ' ' </tmp/hot.out)"
wait_console hot XENOLITH-DOMU-UP 150 || fail boot "no banner"
d=$(domid_of hot)
xl network-attach hot bridge=xenbr0 >/tmp/na.out 2>&1
check network-attach "$(tr '\n' ' ' </tmp/na.out)" test $? = 0
wait_until "xl network-list hot | grep -q '^0   0  00:16:3e:..:..:..     0     4 '" 50
check vif-connected "$(xl network-list hot 2>&1 | tr '\n' '|')" \
    sh -c "xl network-list hot | grep -q '^0   0  00:16:3e:..:..:..     0     4 ' && ip -o link show vif$d.0 | grep -q 'master xenbr0'"
xl network-detach hot 0 >/tmp/nd.out 2>&1
check network-detach "$(tr '\n' ' ' </tmp/nd.out)" test $? = 0
wait_until "! ip link show vif$d.0" 25
check vif-gone "$(xl network-list hot | tail -n +2 | tr '\n' '|') $(ip -o link | grep -o "vif$d\.[0-9]*")" \
    sh -c "[ \$(xl network-list hot | wc -l) = 1 ] && ! ip link show vif$d.0 2>/dev/null && ! xenstore-read /local/domain/0/backend/vif/$d/0/state 2>/dev/null"
# vifname= renames the backend interface; detach by MAC finds it.
xl network-attach hot bridge=xenbr0,vifname=hotnet0,mac=00:16:3e:00:00:42 >/tmp/na2.out 2>&1
check attach-vifname "$(tr '\n' ' ' </tmp/na2.out) $(ip -o link | grep -o 'hotnet0.*master [a-z0-9]*')" \
    sh -c "ip -o link show hotnet0 | grep -q 'master xenbr0'"
wait_until "xl network-list hot | grep -q '^0   0  00:16:3e:00:00:42     0     4 '" 50
xl network-detach hot 00:16:3e:00:00:42 >/tmp/nd2.out 2>&1
wait_until "! ip link show hotnet0" 25
check detach-by-mac "$(tr '\n' ' ' </tmp/nd2.out) $(xl network-list hot | tail -n +2 | tr '\n' '|')" \
    sh -c "! ip link show hotnet0 2>/dev/null && [ \$(xl network-list hot | wc -l) = 1 ]"
dd if=/dev/zero of=/tmp/hot.img bs=1M count=4 2>/dev/null
xl block-attach hot file:/tmp/hot.img,xvdb,w >/tmp/ba.out 2>&1
check block-attach "$(tr '\n' ' ' </tmp/ba.out)" test $? = 0
wait_until "xl block-list hot | grep -q '^51728 0   $d *4 '" 50
check vbd-connected "$(xl block-list hot 2>&1 | tr '\n' '|') $(losetup -a)" \
    sh -c "xl block-list hot | grep -q '^51728 0   $d *4 ' && losetup -a | grep -q /tmp/hot.img"
xl block-detach hot xvdb >/tmp/bd.out 2>&1
check block-detach "$(tr '\n' ' ' </tmp/bd.out)" test $? = 0
wait_until "[ -z \"\$(losetup -a)\" ]" 25
check vbd-gone "$(xl block-list hot | tail -n +2 | tr '\n' '|') $(losetup -a)" \
    sh -c "[ \$(xl block-list hot | wc -l) = 1 ] && [ -z \"\$(losetup -a)\" ]"
# A guest that cannot answer (paused): the detach gives up after its 10 s,
# says so in one line, and removes the device anyway.
xl network-attach hot bridge=xenbr0 >/tmp/na3.out 2>&1 || fail attach-paused-setup "$(tr '\n' ' ' </tmp/na3.out)"
wait_until "xl network-list hot | grep -q '^0   0  00:16:3e:..:..:..     0     4 '" 50
xl pause hot
xl network-detach hot 0 >/tmp/nd3.out 2>&1
rc=$?
wait_until "! ip link show vif$d.0" 25
check detach-unresponsive "exit $rc: $(tr '\n' '|' </tmp/nd3.out) $(ip -o link | grep -o "vif$d\.[0-9]*")" \
    sh -c ". /root/lib.sh; [ $rc = 1 ] && one_line /tmp/nd3.out 'vif 0 of domain $d: the frontend did not close within 10 s' &&
           ! ip link show vif$d.0 2>/dev/null && ! xenstore-read /local/domain/0/backend/vif/$d/0/state 2>/dev/null"
xl unpause hot
xl destroy hot
clean destroy-clean
grep -h . /var/log/xen/xen-hotplug.log 2>/dev/null | tail -n 8 | sed 's/^/  hotplug: /'
exit $failed
