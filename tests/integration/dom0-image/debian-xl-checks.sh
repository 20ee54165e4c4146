#!/bin/sh
# Runs inside Dom0 booted with Debian's Xen 4.17 toolstack
# (xenolith.toolstack=debian) and autostart: the default DomU from
# /etc/xen/auto through Debian's xl. One line per check,
# `PASS|FAIL: dom0-image/debian-xl/<check>[: detail]`; Dom0 uptimes show
# how long each step took.
log=/var/log/dom0-init.log
say() { echo "$1: dom0-image/debian-xl/$2${3:+: $3}"; }
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.2f s", b - a }'; }

for s in xenstored init-dom0 xenconsoled toolstack autostart; do
    line=$(grep "^dom0-init: $s " "$log" | tail -n 1)
    case $line in
    "dom0-init: $s ok"*) say PASS "init/$s" "${line#dom0-init: $s ok }" ;;
    *) say FAIL "init/$s" "${line:-no dom0-init: $s line}" ;;
    esac
done

listed=no
if xl list default >/tmp/list 2>&1; then say PASS xl-list "$(tail -n 1 /tmp/list | tr -s ' ')"; listed=yes
else say FAIL xl-list "$(tail -n 2 /tmp/list | tr '\n' ' ')"; fi

# xenconsoled (--log=guest) writes what the DomU prints to its console.
t0=$(up)
clog=/var/log/xen/console/guest-default.log
i=0
[ $listed = yes ] || i=120     # no domain, no banner: do not wait for it
while [ $i -lt 120 ] && ! grep -q XENOLITH-DOMU-UP "$clog" 2>/dev/null; do
    sleep 0.5
    i=$((i + 1))
done
if grep -q XENOLITH-DOMU-UP "$clog" 2>/dev/null; then
    say PASS console-banner "$(grep -o 'XENOLITH-DOMU-UP.*' "$clog" | head -n 1) (waited $(since "$t0"))"
elif [ $listed = no ]; then
    say FAIL console-banner "not reached: no domain 'default'"
else
    say FAIL console-banner "no XENOLITH-DOMU-UP in $clog after 60 s: $(tail -n 3 "$clog" 2>&1 | tr '\n' ' ')"
fi

t0=$(up)
if xl destroy default >/tmp/destroy 2>&1; then
    if xl list default >/dev/null 2>&1; then say FAIL xl-destroy "default still listed"
    else say PASS xl-destroy "$(since "$t0")"; fi
else
    say FAIL xl-destroy "$(tail -n 2 /tmp/destroy | tr '\n' ' ')"
fi

# xl create -c: the console from the first line; the DomU prints its
# banner and powers off, which ends xl's console.
t0=$(up)
timeout 120 xl create -c /etc/xen/auto/default.cfg \
    'extra="console=hvc0 quiet xenolith.domu=poweroff"' >/tmp/create-c 2>&1
rc=$?
if grep -q XENOLITH-DOMU-UP /tmp/create-c; then
    say PASS create-console "banner read through xl create -c, xl returned $rc after $(since "$t0")"
else
    say FAIL create-console "rc=$rc, no banner: $(tail -n 3 /tmp/create-c | tr '\n' ' ')"
fi
i=0
while [ $i -lt 20 ] && xl list default >/dev/null 2>&1; do sleep 0.5; i=$((i + 1)); done
if ! grep -q XENOLITH-DOMU-UP /tmp/create-c; then say FAIL poweroff "not reached: the DomU never ran"
elif xl list default >/dev/null 2>&1; then say FAIL poweroff "default still listed 10 s after xl create -c returned"
else say PASS poweroff "the DomU powered off and is gone"; fi
xl list
