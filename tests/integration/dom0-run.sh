#!/usr/bin/env bash
# Run a shell script inside the Xenolith Dom0 image on a hypervisor, under
# QEMU, and report what it printed: the runner behind every toolstack
# integration test and benchmark (docs/dom0-image.md).
#
#   tests/integration/dom0-run.sh HYPERVISOR LABEL [options] SCRIPT
#
#   HYPERVISOR  multiboot1 image, loaded with `qemu-system-x86_64 -kernel`:
#               build/xen-4.17/xen (the real Xen 4.17) or xen/xen (Xenolith)
#   LABEL       names the log directory, build/logs/LABEL/
#   SCRIPT      a busybox sh script; Dom0's init runs it (cwd /root, stdin
#               /dev/null, output on the console) once the toolstack is up,
#               instead of the shell, then prints DOM0-RUN-DONE rc=<its exit
#               status> and powers off
# Options:
#   --debian-xl        append build/dom0/debian-xl.cpio.gz and boot with
#                      xenolith.toolstack=debian: Debian's xl, oxenstored ...
#                      in /usr/lib/xen-4.17/bin, first in the script's PATH
#   --add LOCAL:DEST   put file LOCAL at DEST (absolute) in Dom0; repeatable
#   --auto             let init start /etc/xen/auto's domains (default: not,
#                      xenolith.noauto)
#   --append STR       more Dom0 kernel command line
#   --xen-args STR     more hypervisor options
#   --timeout S        stop QEMU after S seconds (default 300)
#   --vcpus N          dom0_max_vcpus=N (default 1; QEMU has max(2,N) CPUs)
#   --mem M            Dom0's memory in MiB, dom0_mem=M,max:M (default 512;
#                      the machine has 2048)
#   --name NAME        log name (default: SCRIPT's name without .sh)
#   --verbose          copy the whole serial output to stdout
#
# The script is put at /xenolith/run/script with the --add files in one
# cpio, appended after build/dom0/initrd.img (scripts/dom0-image.sh brings
# it up to date first; the kernel unpacks concatenated archives in order, later
# files win).
#
# Output: the lines the script prints that start with `PASS: `, `FAIL: `
# or `SKIP: `, as they come; then one line of host times since QEMU started,
#   dom0-run NAME (LABEL): xen=0.1 dom0-kernel=3.9 init=8.5 toolstack=9.0 ready=9.4 done=20.3 s
# (first "(XEN)" line, "Linux version", "dom0-init: start", "dom0-init:
# toolstack" (xenstored, xen-init-dom0, xenconsoled started), "dom0-init:
# ready" (bridge and autostart done), DOM0-RUN-DONE). QEMU is stopped the moment DOM0-RUN-DONE arrives,
# or 3 s after a hypervisor fault, a Dom0 crash or a Linux panic, or at the
# timeout. The whole serial output is in build/logs/LABEL/dom0-run-NAME.log.
# Exit status: 0 the script finished with 0; 1 it finished with another
# status; 3 the run did not finish (the reason and the log's last 30 lines
# follow, on stdout); 2 usage error.
set -uo pipefail

prog=dom0-run
usage() {
    echo "usage: $0 HYPERVISOR LABEL [--debian-xl] [--add LOCAL:DEST]... [--auto]" \
         "[--append STR] [--xen-args STR] [--timeout S] [--vcpus N] [--mem M]" \
         "[--name NAME] [--verbose] SCRIPT" >&2
    exit 2
}
die() { echo "$prog: $*" >&2; exit 2; }

[ $# -ge 3 ] || usage
hyp=$1 label=$2
shift 2
debian_xl=no auto=no append="" xen_extra="" timeout=300 vcpus=1 mem=512
name="" verbose=no script="" adds=()
while [ $# -gt 0 ]; do
    case $1 in
    --debian-xl) debian_xl=yes; shift ;;
    --add) [ $# -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
    --auto) auto=yes; shift ;;
    --append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
    --xen-args) [ $# -ge 2 ] || usage; xen_extra=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --vcpus) [ $# -ge 2 ] || usage; vcpus=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
    --verbose|-v) verbose=yes; shift ;;
    -*) echo "$prog: unknown option '$1'" >&2; usage ;;
    *) [ -z "$script" ] || usage; script=$1; shift ;;
    esac
done
[ -n "$script" ] || usage
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, not '$timeout'"
[[ $vcpus =~ ^[1-9][0-9]*$ ]] || die "--vcpus wants a number >= 1, not '$vcpus'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "--mem wants MiB, not '$mem'"
case $label in ''|*/*|.|..) die "LABEL must be a plain name, not '$label'" ;; esac
[ -n "$name" ] || { name=${script##*/}; name=${name%.sh}; }
case $name in ''|*/*|.|..) die "--name must be a plain name, not '$name'" ;; esac

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
[ -f "$hyp" ] || die "$hyp: no such hypervisor image (expected build/xen-4.17/xen or xen/xen)"
[ -f "$script" ] || die "$script: no such script"

# Brought up to date first (the script rebuilds only what is stale).
scripts/dom0-image.sh 2>/dev/null || scripts/dom0-image.sh || die "cannot build the Dom0 image"
if [ $debian_xl = yes ]; then
    scripts/dom0-image.sh --debian-xl 2>/dev/null || scripts/dom0-image.sh --debian-xl ||
        die "cannot build build/dom0/debian-xl.cpio.gz"
fi

logdir=build/logs/$label
log=$logdir/dom0-run-$name.log
work=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$logdir"

# The run's own archive: the script and the --add files.
extra=$work/root
mkdir -p "$extra/xenolith/run"
install -m 0755 "$script" "$extra/xenolith/run/script"
for a in ${adds[@]+"${adds[@]}"}; do
    local_path=${a%%:*} dest=${a#*:}
    [ "$local_path" != "$a" ] && [ -n "$local_path" ] || die "--add wants LOCAL:DEST, not '$a'"
    case $dest in /*) ;; *) die "--add $a: DEST must be an absolute path" ;; esac
    [ -f "$local_path" ] || die "--add $a: $local_path: no such file"
    mkdir -p "$extra$(dirname "$dest")"
    cp -p "$local_path" "$extra$dest"
done
(cd "$extra" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc --owner=0:0 --quiet) | gzip -1 >"$work/run.cpio.gz" ||
    die "cannot pack the script's archive"
initrd=$work/initrd
{
    cat build/dom0/initrd.img
    [ $debian_xl = no ] || cat build/dom0/debian-xl.cpio.gz
    cat "$work/run.cpio.gz"
} >"$initrd"

# The command lines of tests/integration/linux-dom0.sh; QEMU's -initrd
# splits modules at commas (a doubled comma is a literal one) and a
# module's path from its command line at the first space.
case $hyp$initrd in *,*|*" "*) die "paths with a comma or a space do not pass through QEMU's -initrd" ;; esac
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=${mem}M,max:${mem}M dom0_max_vcpus=$vcpus loglvl=all guest_loglvl=all $xen_extra"
dom0_cmdline="earlyprintk=xen console=hvc0 xenolith.script=/xenolith/run/script"
[ $auto = yes ] || dom0_cmdline+=" xenolith.noauto"
[ $debian_xl = no ] || dom0_cmdline+=" xenolith.toolstack=debian"
dom0_cmdline+=${append:+ $append}
module="build/dom0/vmlinuz $dom0_cmdline"
module=${module//,/,,}
smp=$(( vcpus > 2 ? vcpus : 2 ))
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m 2048 -display none
      -monitor none -serial stdio -no-reboot -net none
      -kernel "$hyp" -append "$xen_cmdline" -initrd "$module,$initrd")

python3 - "$timeout" "$log" "$name" "$label" "$verbose" "${qemu[@]}" <<'PY'
import os, re, selectors, subprocess, sys, time

timeout, log_path, name, label, verbose = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "yes"
cmd = sys.argv[6:]
DONE = re.compile(r"DOM0-RUN-DONE rc=(\d+)")
RESULT = re.compile(r"^(PASS|FAIL|SKIP): ")
# Xenolith logs "(XEN) FATAL/PANIC ..."; Xen "(XEN) Panic on CPU N:".
FAULT = re.compile(r"\(XEN\) (FATAL|PANIC)|Panic on CPU")
# Nothing useful follows these: a crashed or halted Dom0, a Linux panic.
END = re.compile(r"Domain 0 \(vcpu#\d+\) crashed|Hardware Dom0 (crashed|halted|shutdown)|Kernel panic - not syncing")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MARKS = [("xen", re.compile(r"^\(XEN\)")), ("dom0-kernel", re.compile(r"Linux version \d")),
         ("init", re.compile(r"dom0-init: start ")), ("toolstack", re.compile(r"dom0-init: toolstack ")),
         ("ready", re.compile(r"dom0-init: ready "))]
GRACE = 3.0

log = open(log_path, "w")
log.write("# " + " ".join(cmd) + "\n")
log.flush()
start = time.monotonic()
proc = subprocess.Popen(["timeout", "-k", "5", str(int(timeout) + 10)] + cmd,
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, start_new_session=True)
sel = selectors.DefaultSelector()
sel.register(proc.stdout, selectors.EVENT_READ)
at, lines, partial = {}, [], b""
rc = fault = end = None
exited = False
deadline = start + timeout

def feed(raw):
    global rc, fault, end
    line = ANSI.sub("", raw.decode("utf-8", "replace")).replace("\r", "")
    lines.append(line)
    log.write(line + "\n")
    if verbose:
        print(line, flush=True)
    now = time.monotonic() - start
    for key, pat in MARKS:
        if key not in at and pat.search(line):
            at[key] = now
    m = RESULT.search(line)
    if m and not verbose:
        print(line, flush=True)
    m = DONE.search(line)
    if m and rc is None:
        rc = int(m.group(1))
        at["done"] = now
    if fault is None and FAULT.search(line):
        fault = line.strip()
    if end is None and END.search(line):
        end = line.strip()

try:
    while rc is None:
        now = time.monotonic()
        if (fault or end) and deadline > now + GRACE:
            deadline = now + GRACE
        if now >= deadline:
            break
        if not sel.select(timeout=min(0.5, deadline - now)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            proc.wait()
            exited = True
            break
        partial += chunk
        *complete, partial = partial.split(b"\n")
        for raw in complete:
            feed(raw)
        if rc is None and DONE.search(partial.decode("utf-8", "replace")):
            feed(partial)
            partial = b""
finally:
    if partial:
        feed(partial)
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
total = time.monotonic() - start

times = " ".join("%s=%.1f" % (k, at[k]) for k in ("xen", "dom0-kernel", "init", "toolstack", "ready", "done") if k in at)
summary = "dom0-run %s (%s): %s s; total %.1f s" % (name, label, times or "no marks", total)
log.write("# " + summary + "\n")
print(summary)
if rc is not None:
    log.write("# script exited %d\n" % rc)
    log.close()
    if rc != 0:
        print("dom0-run %s (%s): the script exited %d; log: %s" % (name, label, rc, log_path))
    sys.exit(0 if rc == 0 else 1)
if fault:
    why = "hypervisor fault: " + fault
elif end:
    why = "boot ended at: " + end
elif exited:
    why = "QEMU exited"
else:
    why = "stopped at the %g s timeout" % timeout
log.write("# did not finish: %s\n" % why)
log.close()
print("dom0-run %s (%s): did not finish: %s" % (name, label, why))
print("    last 30 lines of %s:" % log_path)
for line in lines[-30:]:
    print("    | " + line)
sys.exit(3)
PY
