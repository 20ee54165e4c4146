#!/bin/sh
# Runs inside Dom0 (tests/integration/dom0-image.sh, through dom0-run.sh):
# checks what the image's init did. One line per check,
# `PASS|FAIL|SKIP: dom0-image/<check>[: detail]`.
log=/var/log/dom0-init.log
say() { echo "$1: dom0-image/$2${3:+: $3}"; }

# An init step by its line: ok passes; a toolstack piece that is not built
# (or has nothing to run against) is a SKIP; anything else fails.
init_step() { # step
    line=$(grep "^dom0-init: $1 " "$log" | tail -n 1)
    case $line in
    "") say FAIL "init/$1" "no 'dom0-init: $1' line in $log" ;;
    "dom0-init: $1 ok"*) say PASS "init/$1" "${line#dom0-init: $1 ok }" ;;
    *" skipped ("*) say SKIP "init/$1" "${line#dom0-init: $1 }" ;;
    *) say FAIL "init/$1" "${line#dom0-init: }" ;;
    esac
}
for s in start mounts modules xenfs devices dirs xenstored init-dom0 xenconsoled \
         toolstack bridge autostart ready; do
    init_step $s
done

# What init left behind, checked on its own.
if grep -q '^xenfs /proc/xen xenfs' /proc/mounts &&
   [ "$(cat /proc/xen/capabilities)" = control_d ]; then
    say PASS xenfs "on /proc/xen, control_d"
else
    say FAIL xenfs "mounts: $(grep xenfs /proc/mounts) capabilities: $(cat /proc/xen/capabilities 2>&1)"
fi

missing=""
for m in xen_evtchn xen_privcmd xen_gntdev xen_gntalloc xenfs xen_netback \
         xen_blkback bridge stp llc loop; do
    grep -q "^$m " /proc/modules || missing="$missing $m"
done
if [ -z "$missing" ]; then say PASS modules "all 11 loaded"
else say FAIL modules "not loaded:$missing"; fi

missing=""
for d in privcmd evtchn gntdev gntalloc; do
    [ -c /dev/xen/$d ] || missing="$missing /dev/xen/$d"
done
if [ -z "$missing" ]; then say PASS devices "/dev/xen/privcmd evtchn gntdev gntalloc"
else say FAIL devices "missing:$missing"; fi

addr=$(/bin/ip -o -4 addr show dev xenbr0 2>&1)
link=$(/bin/ip -o link show dev xenbr0 2>&1)
case "$addr|$link" in
*"inet 10.0.0.1/24"*"|"*"<"*UP*">"*) say PASS bridge "xenbr0 up, 10.0.0.1/24" ;;
*) say FAIL bridge "addr: $addr link: $link" ;;
esac

v=$(/bin/ip -V 2>&1)
case $v in *iproute2*) say PASS iproute2 "$v" ;; *) say FAIL iproute2 "/bin/ip -V: $v" ;; esac

missing=""
for f in /etc/xen/xl.conf /etc/xen/auto/default.cfg /var/lib/xen/images/default/vmlinuz \
         /var/lib/xen/images/default/initrd.gz; do
    [ -s $f ] || missing="$missing $f"
done
if [ -z "$missing" ]; then say PASS domu-files "default.cfg, kernel and initrd"
else say FAIL domu-files "missing:$missing"; fi

# The console shell init respawns is `setsid cttyhack sh -l`; here the
# same login shell reads commands from a pipe.
out=$(printf 'echo SHELL-$((6*7))\n' | sh -l -i 2>&1)
case $out in
*SHELL-42*) [ -c /dev/hvc0 ] && say PASS shell "sh -l answers, /dev/hvc0 present" ||
            say FAIL shell "no /dev/hvc0" ;;
*) say FAIL shell "sh -l -i said: $(echo "$out" | tail -n 2 | tr '\n' ' ')" ;;
esac
