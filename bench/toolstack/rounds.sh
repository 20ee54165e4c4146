# Inside Dom0 (busybox sh), run by tests/integration/dom0-run.sh for
# bench/toolstack.sh: ROUNDS rounds of `xl create` of the console-only guest,
# first byte of its console, `xl destroy`, with our toolstack (xl and
# xenconsoled from /usr/sbin) and with Debian's (xl and xenconsoled from
# /usr/lib/xen-4.17/bin), one after the other, against the one xenstored
# that Dom0's init started (ours, or Debian's oxenstored with
# xenolith.toolstack=debian): a running Dom0 cannot change its xenstored.
# Each toolstack's xenconsoled runs only during its own rounds; the
# toolstacks take turns round by round.
#
# /xenolith/run/bench.env sets ROUNDS, MEMORY (the guest's MiB) and ORDER
# ("xenolith debian" or the other way round). Prints, per round,
#   BENCH-TS <toolstack> <round|warmup> create_ms=.. first_byte_ms=.. marker_ms=.. exit=N destroy_ms=.. exit=N
# and PASS:/FAIL: lines; the host reads them from the serial log.
. /xenolith/run/bench.env
run=/xenolith/run
tsclock=$run/tsclock
kernel=$run/console-guest.elf
marker=XENOLITH-BENCH-CONSOLE-UP
logdir=/var/log/xen/console
deb=/usr/lib/xen-4.17/bin
rc=0

say() { echo "BENCH-TS-INFO $*"; }

xenstored_name=$(for p in xenstored oxenstored; do pidof $p >/dev/null && echo $p; done)
xenstored_exe=$(readlink /proc/$(pidof $xenstored_name | cut -d' ' -f1)/exe)
say "xenstored=$xenstored_exe dom0_uptime=$(cut -d' ' -f1 /proc/uptime)"

# Stop whichever xenconsoled runs, start the toolstack's own (outside every
# timed step; the arguments are those of Dom0's init).
use_xenconsoled() { # program
    if [ -f /run/xen/xenconsoled.pid ]; then
        pid=$(cat /run/xen/xenconsoled.pid)
        kill "$pid" 2>/dev/null
        w=0
        while kill -0 "$pid" 2>/dev/null && [ $w -lt 50 ]; do sleep 0.1; w=$((w + 1)); done
        rm -f /run/xen/xenconsoled.pid
    fi
    "$1" --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=$logdir \
        >/tmp/xenconsoled.out 2>&1 </dev/null
    w=0
    while [ ! -s /run/xen/xenconsoled.pid ] && [ $w -lt 50 ]; do sleep 0.1; w=$((w + 1)); done
    say "xenconsoled=$1 pid=$(cat /run/xen/xenconsoled.pid 2>/dev/null)"
}

round() { # toolstack xl label
    ts=$1 xl=$2 label=$3
    name=bench-$ts-$label
    cfg=/tmp/$name.cfg
    cat >"$cfg" <<CFG
name = "$name"
kernel = "$kernel"
memory = $MEMORY
vcpus = 1
on_poweroff = "destroy"
on_crash = "preserve"
CFG
    rm -f "$logdir/guest-$name.log"
    c=$(TSCLOCK_OUT=/tmp/$name.create.out $tsclock create "$logdir/guest-$name.log" $marker 60 \
        "$xl" create "$cfg")
    c_rc=$?
    d=$(TSCLOCK_OUT=/tmp/$name.destroy.out $tsclock run "$xl" destroy "$name")
    d_rc=$?
    echo "BENCH-TS $ts $label $c destroy_$d"
    if [ $c_rc -ne 0 ] || [ $d_rc -ne 0 ]; then
        echo "FAIL: $ts round $label: create: $c; destroy: $d"
        sed 's/^/    /' /tmp/$name.create.out /tmp/$name.destroy.out | tail -n 20
        tail -n 5 /var/log/xen/xl-$name.log 2>/dev/null | sed 's/^/    xl-log: /'
        rc=1
    fi
}

# The programs of a toolstack; false when they are not in the image.
programs() { # toolstack
    case $1 in
    xenolith) xl=/usr/sbin/xl consoled=/usr/sbin/xenconsoled ;;
    debian) xl=$deb/xl consoled=$deb/xenconsoled ;;
    esac
    # Debian's archive has /usr/sbin/xl etc. as links to its version
    # wrapper; bench/toolstack.sh puts ours back over them.
    if [ -L "$xl" ] || [ -L "$consoled" ]; then
        echo "FAIL: $1: $xl or $consoled is a link ($(readlink "$xl")), not the program"
        return 1
    fi
    [ -x "$xl" ] && [ -x "$consoled" ] && return 0
    echo "FAIL: $1: no $xl or $consoled in the image"
    return 1
}

# One round of a toolstack, its xenconsoled started first if another runs.
current=""
round_of() { # toolstack label
    programs $1 || { rc=1; return; }
    if [ "$current" != $1 ]; then
        use_xenconsoled "$consoled"
        current=$1
    fi
    # libxl refuses to create a domain without the name of cpupool 0
    # (/local/pool/0/name, "Illegal pool specified"). A Dom0 started with
    # Debian's tools has it; one started with ours (so far) does not.
    if [ $1 = debian ] && ! xenstore-read /local/pool/0/name >/dev/null 2>&1; then
        xenstore-write /local/pool/0/name Pool-0
        say "no /local/pool/0/name in xenstore: wrote Pool-0 (exit $?) for Debian's libxl"
    fi
    round $1 "$xl" $2
}

# The first create of a boot pays for cold caches (the programs and their
# libraries read from the initramfs): one warm-up round each, not counted.
# Then the toolstacks take turns, round by round, so that a change in the
# host's load over the run weighs on both alike.
for ts in $ORDER; do
    round_of $ts warmup
done
r=1
while [ $r -le "$ROUNDS" ]; do
    for ts in $ORDER; do
        round_of $ts $r
    done
    r=$((r + 1))
done
echo "PASS: $ROUNDS rounds of $ORDER done"
say "left: $(/usr/sbin/xl list 2>&1 | tail -n +2 | tr '\n' ';')"
exit $rc
