# A guest with a vif and a disk reboots (on_reboot=restart): the monitor
# destroys it and builds it again with the same devices and the same
# generated MAC; nothing of the first instance is left.
. /root/lib.sh
dd if=/dev/zero of=/tmp/rst.img bs=1M count=4 2>/dev/null
cfg rst "" "vif = [ 'bridge=xenbr0' ]" "disk = [ 'file:/tmp/rst.img,xvda,w' ]"
sed -i 's/^on_reboot = .*/on_reboot = "restart"/' /root/rst.cfg
xl create /root/rst.cfg >/tmp/rst.out 2>&1 || fail create "$(tr '\n' ' ' </tmp/rst.out)"
wait_console rst XENOLITH-DOMU-READY 150 || fail boot "no XENOLITH-DOMU-READY"
d1=$(domid_of rst)
mac1=$(xenstore-read /local/domain/$d1/device/vif/0/mac 2>/dev/null)
wait_until "xl network-list rst | grep -q ' 0     4 '" 75
: >"$CONSOLE_LOG/guest-rst.log" 2>/dev/null
xl reboot rst >/tmp/rb.out 2>&1 || fail reboot "$(tr '\n' ' ' </tmp/rb.out)"
wait_until "d=\$(xl domid rst 2>/dev/null) && [ -n \"\$d\" ] && [ \"\$d\" != $d1 ]" 150
d2=$(domid_of rst)
check restarted "domid before $d1, after ${d2:-none}; monitor: $(tail -n 3 /var/log/xen/xl-rst.log 2>/dev/null | tr '\n' '|') console: $(tail -n 3 $CONSOLE_LOG/guest-rst.log | tr '\n' '|')" \
    sh -c "[ -n '$d2' ] && [ '$d2' != '$d1' ]"
wait_until "xl network-list rst | grep -q ' 0     4 ' && xl block-list rst | grep -q '^51712 0   $d2 *4 '" 150
check same-mac "before $mac1, after $(xenstore-read /local/domain/$d2/device/vif/0/mac 2>/dev/null)" \
    sh -c "[ -n '$mac1' ] && [ \"\$(xenstore-read /local/domain/$d2/device/vif/0/mac)\" = '$mac1' ]"
check devices-again "$(xl network-list rst | tail -n +2 | tr '\n' '|') $(xl block-list rst | tail -n +2 | tr '\n' '|')" \
    sh -c "xl network-list rst | grep -q ' 0     4 ' && xl block-list rst | grep -q '^51712 0   $d2 *4 '"
check old-gone "backends of $d1: $(xenstore-list /local/domain/0/backend/vif/$d1 /local/domain/0/backend/vbd/$d1 2>/dev/null | tr '\n' ' ') loops: $(losetup -a | tr '\n' ' ')" \
    sh -c "! xenstore-read /local/domain/0/backend/vif/$d1/0/state 2>/dev/null && ! ip link show vif$d1.0 2>/dev/null && [ \$(losetup -a | wc -l) = 1 ]"
xl destroy rst
clean destroy-clean
exit $failed
