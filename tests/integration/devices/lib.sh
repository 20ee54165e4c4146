# Shared by the in-Dom0 device checks (sourced; busybox sh). Each check
# prints one `PASS: devices/<check>` or `FAIL: devices/<check>: <why>`.
IMG=/var/lib/xen/images/default
CONSOLE_LOG=/var/log/xen/console
failed=0

pass() { echo "PASS: devices/$1"; }
fail() { echo "FAIL: devices/$1: $2"; failed=1; }
# check NAME WHY-IF-FALSE COMMAND...: PASS when COMMAND succeeds.
check() {
    name=$1 why=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

# A PV config for the default DomU: cfg NAME 'EXTRA' [LINE...]
cfg() {
    n=$1 extra=$2
    shift 2
    {
        echo "name = \"$n\""
        echo "kernel = \"$IMG/vmlinuz\""
        echo "ramdisk = \"$IMG/initrd.gz\""
        echo "extra = \"console=hvc0 quiet $extra\""
        echo "memory = 128"
        echo 'on_poweroff = "destroy"'
        echo 'on_reboot = "destroy"'
        echo 'on_crash = "destroy"'
        for line in "$@"; do echo "$line"; done
    } >"/root/$n.cfg"
}

# Waits up to $3 s (default 60) for a line matching $2 in guest $1's console log.
wait_console() {
    i=0 lim=$((${3:-60} * 10))
    while [ $i -lt $lim ]; do
        grep -q "$2" "$CONSOLE_LOG/guest-$1.log" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# Waits up to $2 s (by the clock: a check may itself be slow) for `sh -c "$1"`.
wait_until() {
    end=$(($(cut -d. -f1 /proc/uptime) + ${2:-10}))
    while :; do
        sh -c "$1" >/dev/null 2>&1 && return 0
        [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ] || return 1
        # Not faster: each try may start xl, and Dom0 has one vCPU.
        sleep 0.5
    done
}

domid_of() { xl domid "$1" 2>/dev/null; }
gone() { ! xl list 2>/dev/null | grep -q "^$1 "; }

# What must be left after every guest is gone: why it is not clean, or nothing.
leftovers() {
    out=""
    n=$(xl list 2>/dev/null | tail -n +2 | grep -vc '^Domain-0 ')
    [ "$n" = 0 ] || out="$out domains:$(xl list | tail -n +2 | grep -v '^Domain-0 ' | cut -c1-20 | tr -s ' \n' ' ')"
    for k in vif vbd; do
        l=$(xenstore-list /local/domain/0/backend/$k 2>/dev/null | tr '\n' ' ')
        [ -z "$l" ] || out="$out backend/$k:$l"
    done
    l=$(ip -o link show 2>/dev/null | grep -o 'vif[0-9]*\.[0-9]*' | tr '\n' ' ')
    [ -z "$l" ] || out="$out interfaces:$l"
    l=$(losetup -a 2>/dev/null | tr '\n' ' ')
    [ -z "$l" ] || out="$out loop:$l"
    echo "$out"
}
# clean CHECK: PASS when nothing is left within 30 s (netback, loop autoclear
# and the hypervisor's release of a dying domain are lazy); a slow release
# (over 10 s) is noted under the PASS line.
clean() {
    t0=$(cut -d. -f1 /proc/uptime)
    wait_until '[ -z "$(. /root/lib.sh; leftovers)" ]' 75
    l=$(leftovers) t=$(($(cut -d. -f1 /proc/uptime) - t0))
    if [ -z "$l" ]; then pass "$1"; else fail "$1" "left behind after ${t} s:$l"; fi
    [ -z "$l" ] && [ "$t" -gt 10 ] && echo "  note: $1 took ${t} s"
    return 0
}

# xl's diagnostics without the "Parsing config" line: exactly one line matching $2.
one_line() {
    body=$(grep -v '^Parsing config from' "$1")
    lines=$(printf '%s\n' "$body" | grep -c .)
    [ "$lines" = 1 ] && printf '%s\n' "$body" | grep -q -- "$2"
}
