# Two DomUs on xenbr0 ping each other and Dom0 (10.0.0.1); Dom0 pings them;
# xl network-list shows them Connected; xl destroy leaves nothing behind.
. /root/lib.sh
cfg netb "xenolith.ip=10.0.0.3/24" "vif = [ 'bridge=xenbr0' ]"
# neta also sends 16 MiB to Dom0 (netback's grant copies, event channels under load).
# busybox's nc quits when its stdin ends: give it one that does not.
sleep 600 | nc -l -p 5001 >/tmp/rx 2>/dev/null &
ncpid=$!
cfg neta "xenolith.ip=10.0.0.2/24 xenolith.ping=10.0.0.3,10.0.0.1 xenolith.send=10.0.0.1:5001:16" \
    "vif = [ 'mac=00:16:3e:00:00:02,bridge=xenbr0' ]"
xl create /root/netb.cfg >/tmp/netb.out 2>&1
check create-vif "$(tr '\n' ' ' </tmp/netb.out)" test $? = 0
wait_console netb 'XENOLITH-IP eth0' 150
check guest-ip "netb: $(grep XENOLITH-IP $CONSOLE_LOG/guest-netb.log)" \
    grep -q 'XENOLITH-IP eth0 10.0.0.3/24 ok' $CONSOLE_LOG/guest-netb.log
xl create /root/neta.cfg >/tmp/neta.out 2>&1 || fail create-second "$(tr '\n' ' ' </tmp/neta.out)"
a=$(domid_of neta) b=$(domid_of netb)
check vif-on-bridge "ip link: $(ip -o link | grep vif | cut -c1-120)" \
    sh -c "ip -o link show vif$a.0 | grep -q 'master xenbr0' && ip -o link show vif$b.0 | grep -q 'master xenbr0'"
wait_console neta 'XENOLITH-PING 10.0.0.1' 225
check domu-ping-domu "$(grep 'PING 10.0.0.3' $CONSOLE_LOG/guest-neta.log)" \
    grep -q 'XENOLITH-PING 10.0.0.3 ok' $CONSOLE_LOG/guest-neta.log
check domu-ping-dom0 "$(grep 'PING 10.0.0.1' $CONSOLE_LOG/guest-neta.log)" \
    grep -q 'XENOLITH-PING 10.0.0.1 ok' $CONSOLE_LOG/guest-neta.log
check dom0-ping-domu "no answer from 10.0.0.2 or 10.0.0.3" \
    sh -c 'ping -c 2 -W 2 10.0.0.2 >/dev/null && ping -c 2 -W 2 10.0.0.3 >/dev/null'
wait_until '[ "$(wc -c </tmp/rx)" -ge 16777216 ]' 300
check bulk-to-dom0 "Dom0 got $(wc -c </tmp/rx) of 16777216 bytes; guest: $(grep XENOLITH-SEND $CONSOLE_LOG/guest-neta.log)" \
    test "$(wc -c </tmp/rx)" = 16777216
kill $ncpid 2>/dev/null
xl network-list neta >/tmp/nl.out 2>&1
check network-list "$(tr '\n' '|' </tmp/nl.out)" \
    sh -c "head -n1 /tmp/nl.out | grep -q '^Idx BE Mac Addr. *handle state evt-ch   tx-/rx-ring-ref BE-path' &&
           grep -q '^0   0  00:16:3e:00:00:02     0     4 ' /tmp/nl.out"
check mac-generated "netb's MAC: $(xenstore-read /local/domain/$b/device/vif/0/mac)" \
    sh -c "xenstore-read /local/domain/$b/device/vif/0/mac | grep -q '^00:16:3e:'"
check backend-perms "$(xenstore-ls -p /local/domain/0/backend/vif/$a 2>&1 | head -n 2 | tr '\n' '|')" \
    sh -c "xenstore-ls -p /local/domain/0/backend/vif/$a 2>/dev/null | head -n1 | grep -q '(n0,r$a)'"
xl destroy neta
xl destroy netb
clean destroy-clean
grep -h . /var/log/xen/xen-hotplug.log 2>/dev/null | tail -n 5 | sed 's/^/  hotplug: /'
exit $failed
