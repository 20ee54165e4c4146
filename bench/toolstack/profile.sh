# Inside Dom0 (busybox sh), run by `bench/toolstack.sh --profile`: where a
# toolstack's `xl create` spends its time, split into steps that each
# toolstack can run on its own (no tracing tools in the image). For each
# toolstack, with its own xenconsoled running:
#   exec    `xl help`: start-up of the program alone (loader, libraries)
#   dryrun  `xl -N create CFG`: + parsing the configuration, no hypervisor
#   list    `xl list`: + opening the hypervisor and xenstore connections
#   createp `xl create -p CFG`: the domain built, left paused
#   unpause `xl unpause` until the console line reaches xenconsoled's log
#   destroy `xl destroy`
# and the dynamic loader's statistics of `xl help` (LD_DEBUG=statistics).
# Prints "BENCH-TS-STEP <toolstack> <step> ms=.. exit=.." lines.
. /xenolith/run/bench.env
run=/xenolith/run
tsclock=$run/tsclock
kernel=$run/console-guest.elf
marker=XENOLITH-BENCH-CONSOLE-UP
logdir=/var/log/xen/console
deb=/usr/lib/xen-4.17/bin
rc=0

use_xenconsoled() { # program
    if [ -f /run/xen/xenconsoled.pid ]; then
        pid=$(cat /run/xen/xenconsoled.pid)
        kill "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        rm -f /run/xen/xenconsoled.pid
    fi
    "$1" --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=$logdir \
        >/tmp/xenconsoled.out 2>&1 </dev/null
    i=0
    while [ ! -s /run/xen/xenconsoled.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

step() { # toolstack step command...
    ts=$1 st=$2
    shift 2
    echo "BENCH-TS-STEP $ts $st $(TSCLOCK_OUT=/tmp/profile.out $tsclock run "$@")"
}

i=0
while [ $i -lt 3 ]; do
    step baseline exec $tsclock run /bin/true
    i=$((i + 1))
done
for ts in $ORDER; do
    case $ts in
    xenolith) xl=/usr/sbin/xl; consoled=/usr/sbin/xenconsoled ;;
    debian) xl=$deb/xl; consoled=$deb/xenconsoled ;;
    esac
    use_xenconsoled "$consoled"
    # As in rounds.sh: Debian's libxl needs cpupool 0's name.
    xenstore-read /local/pool/0/name >/dev/null 2>&1 || xenstore-write /local/pool/0/name Pool-0
    n=0
    while [ $n -le "$ROUNDS" ]; do
        name=prof-$ts-$n
        cfg=/tmp/$name.cfg
        printf 'name = "%s"\nkernel = "%s"\nmemory = %s\nvcpus = 1\n' \
            "$name" "$kernel" "$MEMORY" >"$cfg"
        step $ts exec "$xl" help
        step $ts dryrun "$xl" -N create "$cfg"
        step $ts list "$xl" list
        rm -f "$logdir/guest-$name.log"
        step $ts createp "$xl" create -p "$cfg"
        echo "BENCH-TS-STEP $ts unpause $(TSCLOCK_OUT=/tmp/profile.out $tsclock create \
            "$logdir/guest-$name.log" $marker 30 "$xl" unpause "$name")"
        step $ts destroy "$xl" destroy "$name"
        n=$((n + 1))
    done
    # ROUNDS more creates and destroys with xltrace.so preloaded (calls and
    # hypercalls by count and time, the longest stretches between them).
    n=1
    while [ -f $run/xltrace.so ] && [ $n -le "$ROUNDS" ]; do
        name=trace-$ts-$n
        printf 'name = "%s"\nkernel = "%s"\nmemory = %s\nvcpus = 1\n' \
            "$name" "$kernel" "$MEMORY" >/tmp/$name.cfg
        for what in create destroy; do
            rm -f /tmp/xltrace.out
            if [ $what = create ]; then set -- create /tmp/$name.cfg; else set -- destroy $name; fi
            LD_PRELOAD=$run/xltrace.so XLTRACE_OUT=/tmp/xltrace.out "$xl" "$@" >/tmp/profile.out 2>&1
            # A report with createdomain in it during destroy is the
            # create's monitor child ending: not the destroy's.
            sed "s/^XLTRACE \([0-9]*\) /BENCH-TS-TRACE $ts $what $n \1 /" /tmp/xltrace.out
        done
        n=$((n + 1))
    done
    echo "BENCH-TS-LD $ts begin"
    LD_DEBUG=statistics "$xl" help 2>&1 >/dev/null | sed "s/^/BENCH-TS-LD $ts /"
    echo "BENCH-TS-LD $ts libraries: $(cat /proc/self/maps >/dev/null; LD_TRACE_LOADED_OBJECTS=1 "$xl" 2>&1 | awk '{print $1}' | tr '\n' ' ')"
    echo "PASS: $ts profiled"
done
tail -n 20 /tmp/profile.out | sed 's/^/    profile.out: /'
exit $rc
