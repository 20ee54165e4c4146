# In Dom0 (busybox sh, run by tests/integration/dom0-run.sh for
# bench/devices.sh): the device workloads of issue 6, REPEAT times each, in
# this order per repetition:
#   domu-dom0   tcprecv in Dom0 on xenbr0's 10.0.0.1, tcpsend MIB MiB in a DomU
#   domu-domu   tcprecv in DomU 10.0.0.3, tcpsend MIB MiB in DomU 10.0.0.2
#   iops        iops for SECS s on the DomU's xvdb: a DISK_MIB MiB file in a
#               tmpfs of Dom0, through a loop device and blkback
# Each result is one line
#   BENCH-DEV <workload> <rep> key=value...
# with the receiver's (or iops's) numbers, the sender's, the CPU seconds
# the hypervisor charged to Dom0 and to each DomU during the workload (xl
# list's Time(s), read before the DomUs are destroyed), and each domain's
# own /proc/stat over it (<domain>_user, _sys, _idle, _iowait, _irq,
# _softirq, _steal). A workload that did
# not finish is `BENCH-DEV <workload> <rep> failed=<why>`.
R=/xenolith/run
. $R/bench.env
IMG=/var/lib/xen/images/default
LOGS=/var/log/xen/console
B=/bench

now() { cut -d' ' -f1 /proc/uptime; }
# Dom0's clock (the hypervisor's system time); bench/devices.sh compares
# it with the host's over the same stretch.
# wait_line GUEST STRING SECONDS: until STRING is in GUEST's console log
# (inotify, no polling: Dom0's one vCPU is busy with netback and blkback).
wait_line() { $R/waitline "$LOGS/guest-$1.log" "$2" "$3"; }
line_of() { grep -a "$2" "$LOGS/guest-$1.log" 2>/dev/null | tail -n1 | tr -d '\r'; }
# CPU seconds of a domain (xl list's Time(s)).
cpu_of() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $6 }'; }
# guest NAME 'EXTRA' [CONFIG LINE...]: create a benchmark DomU.
guest() {
    n=$1 extra=$2
    shift 2
    {
        echo "name = \"$n\""
        echo "kernel = \"$IMG/vmlinuz\""
        echo "ramdisk = \"$B/initrd.gz\""
        echo "extra = \"console=hvc0 quiet rdinit=/bench/init $extra\""
        echo "memory = $MEM"
        echo "vcpus = 1"
        [ -z "$DOMU_CPUS" ] || echo "cpus = \"$DOMU_CPUS\""
        echo 'on_poweroff = "destroy"'
        echo 'on_reboot = "destroy"'
        echo 'on_crash = "preserve"'
        for l in "$@"; do echo "$l"; done
    } >"$B/$n.cfg"
    rm -f "$LOGS/guest-$n.log"
    xl create "$B/$n.cfg" >"$B/$n.create" 2>&1 ||
        { echo "bench: xl create $n: $(tr '\n' ' ' <"$B/$n.create")"; return 1; }
}
gone() {
    # Where each vCPU ran last (for the report; not a BENCH- line).
    xl vcpu-list 2>/dev/null | sed 's/^/vcpus: /'
    for n in "$@"; do xl destroy "$n" >/dev/null 2>&1; done
    i=0
    while xl list 2>/dev/null | grep -qE '^(snd|rcv|dsk) ' && [ $i -lt 100 ]; do
        sleep 0.2; i=$((i + 1))
    done
}
# stat PREFIX "BEFORE / AFTER": /proc/stat cpu-line deltas in seconds
# (USER_HZ 100): user, system, idle, iowait, irq, softirq, steal.
stat() {
    echo "$2" | awk -v p="$1" '{ n = split($0, f, " / "); if (n != 2) exit
        split(f[1], a, " "); split(f[2], b, " ")
        printf "%s_user=%.2f %s_sys=%.2f %s_idle=%.2f %s_iowait=%.2f %s_irq=%.2f %s_softirq=%.2f %s_steal=%.2f ", p,
            (b[1] - a[1]) / 100, p, (b[3] - a[3]) / 100, p, (b[4] - a[4]) / 100,
            p, (b[5] - a[5]) / 100, p, (b[6] - a[6]) / 100,
            p, (b[7] - a[7]) / 100, p, (b[8] - a[8]) / 100 }'
}
# mark WORKLOAD REP start|end: Dom0's clock at a window's edge, on a line
# dom0-run.sh streams to the host as it comes (it passes PASS: lines), where
# bench/devices.sh stamps it with the host's clock: per workload, Dom0's
# seconds against the host's over the same window.
mark() { echo "PASS: bench-clock $1 $2 $3 $(now)"; }
dom0_stat() { read -r _ l </proc/stat; echo "$l"; }
sub() { echo "$1 $2" | awk '{ printf "%.1f", $1 - $2 }'; }
# kv LINE: its key=value fields with PREFIX_ before each key.
kv() { echo "$2" | tr ' ' '\n' | grep = | sed "s/^/$1_/" | tr '\n' ' '; }

mkdir -p $B
mount -t tmpfs -o size=$((DISK_MIB + 96))m tmpfs $B || { echo "bench: no tmpfs"; exit 1; }
cat $IMG/initrd.gz $R/domu-bench.cpio.gz >$B/initrd.gz
echo "BENCH-DEV-CLOCK start uptime=$(now)"
xl info 2>/dev/null | grep -E '^(nr_cpus|xen_commandline|xen_scheduler)' | sed 's/^/xlinfo: /' 
echo "BENCH-DEV-INFO hyp=$(xl info 2>/dev/null | awk '/^xen_(major|minor|extra)/ { printf "%s", $3 }' | sed 's/^\([0-9]*\)\([0-9]*\)/\1.\2/') dom0_mem=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)kB mib=$MIB secs=$SECS disk_mib=$DISK_MIB mem=$MEM repeat=$REPEAT"

domu_dom0() { # rep
    /xenolith/run/tcprecv 5001 "$TIMEOUT" >$B/rx.out 2>&1 &
    rpid=$!
    guest snd "bench.ip=10.0.0.2/24 bench.cmd=tcpsend,10.0.0.1,5001,$MIB" \
        "vif = [ 'mac=00:16:3e:00:be:02,bridge=xenbr0' ]" || { kill $rpid; return 1; }
    wait_line snd BENCH-DOMU-UP 120
    c0=$(cpu_of Domain-0) cs0=$(cpu_of snd) s0=$(dom0_stat)
    mark domu-dom0 "$1" start
    wait $rpid
    mark domu-dom0 "$1" end
    s1=$(dom0_stat)
    wait_line snd BENCH-DOMU-DONE 30
    c1=$(cpu_of Domain-0) cs=$(sub "$(cpu_of snd)" "$cs0")
    st="$(stat d0 "$s0 / $s1")$(stat snd "$(line_of snd BENCH-DOMU-STAT | sed 's/^BENCH-DOMU-STAT //')")"
    r=$(grep -a '^TCPRECV bytes=' $B/rx.out)
    s=$(line_of snd '^TCPSEND ')
    if [ -n "$r" ]; then
        echo "BENCH-DEV domu-dom0 $1 $(kv rx "${r#TCPRECV }")$(kv tx "${s#TCPSEND }")cpu_dom0=$(sub "$c1" "$c0") cpu_snd=$cs $st"
    else
        echo "BENCH-DEV domu-dom0 $1 failed=$(tr '\n' ' ' <$B/rx.out | cut -c1-80)|$s"
    fi
    gone snd
}

domu_domu() { # rep
    guest rcv "bench.ip=10.0.0.3/24 bench.cmd=tcprecv,5002,$TIMEOUT" \
        "vif = [ 'mac=00:16:3e:00:be:03,bridge=xenbr0' ]" || return 1
    wait_line rcv 'TCPRECV listening' 120 || { echo "BENCH-DEV domu-domu $1 failed=receiver-not-listening"; gone rcv; return 1; }
    guest snd "bench.ip=10.0.0.2/24 bench.cmd=tcpsend,10.0.0.3,5002,$MIB" \
        "vif = [ 'mac=00:16:3e:00:be:02,bridge=xenbr0' ]" || { gone rcv; return 1; }
    wait_line snd BENCH-DOMU-UP 120
    c0=$(cpu_of Domain-0) cr0=$(cpu_of rcv) cs0=$(cpu_of snd) s0=$(dom0_stat)
    mark domu-domu "$1" start
    wait_line rcv 'BENCH-DOMU-DONE' "$TIMEOUT"
    mark domu-domu "$1" end
    s1=$(dom0_stat)
    wait_line snd 'BENCH-DOMU-DONE' 30
    st="$(stat d0 "$s0 / $s1")$(stat snd "$(line_of snd BENCH-DOMU-STAT | sed 's/^BENCH-DOMU-STAT //')")$(stat rcv "$(line_of rcv BENCH-DOMU-STAT | sed 's/^BENCH-DOMU-STAT //')")"
    c1=$(cpu_of Domain-0) cr1=$(cpu_of rcv) cs=$(sub "$(cpu_of snd)" "$cs0")
    r=$(line_of rcv '^TCPRECV bytes=')
    s=$(line_of snd '^TCPSEND ')
    if [ -n "$r" ]; then
        echo "BENCH-DEV domu-domu $1 $(kv rx "${r#TCPRECV }")$(kv tx "${s#TCPSEND }")cpu_dom0=$(sub "$c1" "$c0") cpu_rcv=$(sub "$cr1" "$cr0") cpu_snd=$cs $st"
    else
        echo "BENCH-DEV domu-domu $1 failed=$(line_of rcv TCPRECV)|$s"
    fi
    gone snd rcv
}

iops() { # rep
    [ -f $B/disk.img ] || dd if=/dev/urandom of=$B/disk.img bs=1M count="$DISK_MIB" 2>/dev/null
    guest dsk "bench.cmd=iops,/dev/xvdb,$SECS" "disk = [ 'file:$B/disk.img,xvdb,r' ]" || return 1
    wait_line dsk BENCH-DOMU-UP 120
    c0=$(cpu_of Domain-0) cd0=$(cpu_of dsk) s0=$(dom0_stat)
    mark iops "$1" start
    wait_line dsk 'BENCH-DOMU-DONE' $((SECS + 120))
    mark iops "$1" end
    s1=$(dom0_stat)
    st="$(stat d0 "$s0 / $s1")$(stat dsk "$(line_of dsk BENCH-DOMU-STAT | sed 's/^BENCH-DOMU-STAT //')")"
    c1=$(cpu_of Domain-0) cd=$(sub "$(cpu_of dsk)" "$cd0")
    r=$(line_of dsk '^IOPS ')
    case $r in
    "IOPS reads="*) echo "BENCH-DEV iops $1 $(kv io "${r#IOPS }")cpu_dom0=$(sub "$c1" "$c0") cpu_dsk=$cd $st" ;;
    *) echo "BENCH-DEV iops $1 failed=$r" ;;
    esac
    gone dsk
}

rep=1
while [ $rep -le "$REPEAT" ]; do
    for w in $WORKLOADS; do
        case $w in
        domu-dom0) domu_dom0 $rep ;;
        domu-domu) domu_domu $rep ;;
        iops) iops $rep ;;
        esac
    done
    rep=$((rep + 1))
done
echo "BENCH-DEV-CLOCK end uptime=$(now)"
# The hypervisor's log, for the report (Xenolith's holds Dom0's console
# too: those lines are left out, and no line starts with BENCH- here).
xl dmesg 2>/dev/null | grep -av 'BENCH\|dom0-init\|TCPRECV' | tail -n 60 | sed 's/^/dmesg: /'

exit 0
