#!/usr/bin/env bash
# Boot a hypervisor from a GRUB ISO, both ways a Xen system is configured:
#   iso/multiboot2         grub.cfg entry 0: multiboot2 + module2
#   iso/legacy-grub.conf   grub.cfg entry 1: legacy_configfile grub.conf
#                          (GRUB legacy syntax: kernel + module, Multiboot 1)
# with a PV test kernel as Dom0, and check that the kernel's verdict
# `Test result: SUCCESS` comes out on the serial console.
#
#   iso.sh HYPERVISOR_GZ KERNEL LABEL
#
# HYPERVISOR_GZ is what GRUB loads (xen/xen.gz, or the real Xen's
# build/xen-4.17/xen.gz); LABEL names the logs: build/logs/LABEL/iso-*.log.
# Prints one PASS:/FAIL: line per path; exits non-zero when any failed.
#
# Environment: ISO_TIMEOUT  seconds per boot (default 180)
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build

if [ $# -ne 3 ]; then
    echo "usage: iso.sh HYPERVISOR_GZ KERNEL LABEL" >&2
    exit 2
fi
hyp=$1 kernel=$2 label=$3
case "$label" in
    ''|*/*|.|..) echo "iso.sh: LABEL must be a plain name, not '$label'" >&2; exit 2 ;;
esac
timeout_s=${ISO_TIMEOUT:-180}
case "$timeout_s" in ''|*[!0-9]*|0)
    echo "iso.sh: ISO_TIMEOUT must be a positive number of seconds" >&2; exit 2 ;;
esac

iso_dir=$build/iso-test/$label
log_dir=$build/logs/$label
mkdir -p "$iso_dir" "$log_dir"

# The same small Dom0 as tests/integration/run-guest boots: later options
# override the dom0_mem=512M,max:512M that the shipped grub.cfg carries,
# which would not fit beside the hypervisor in this 512 MiB machine.
xen_args="dom0_mem=64M,max:64M dom0_max_vcpus=1 loglvl=all guest_loglvl=all"

# Boot ISO under QEMU until the guest's verdict, a fault, QEMU's exit or the
# timeout; the whole serial output goes to LOG. Every MARKER must have been
# printed (they prove which GRUB entry ran). Exit 0 only for SUCCESS.
watch_boot() { # iso log marker...
    python3 - "$timeout_s" "$@" <<'PY'
import os, re, selectors, subprocess, sys, time

timeout, iso, log_path, markers = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
VERDICT = re.compile(r"Test result: (SUCCESS|FAILURE|SKIP|ERROR)")
# Xenolith logs "(XEN) FATAL/PANIC ..."; Xen "(XEN) Panic on CPU N:".
FAULT = re.compile(r"\(XEN\) (FATAL|PANIC)|Panic on CPU")
# GRUB reports a failed command as "error: ..." and then waits for a key.
GRUB_ERROR = re.compile(r"^error: ")
# Dom0 is gone (Xen: "Hardware Dom0 halted: halting machine"); no verdict
# can follow, only a few more lines.
DOM0_GONE = re.compile(r"Hardware Dom0 (halted|shutdown|crashed)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
GRACE = 3.0   # after a fault, GRUB error or Dom0 exit, read this much longer

cmd = ["timeout", "-k", "5", str(int(timeout) + 15),
       "qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
       "-m", "512", "-cdrom", iso, "-boot", "d", "-serial", "stdio",
       "-display", "none", "-monitor", "none", "-no-reboot", "-net", "none"]
log = open(log_path, "w")
log.write("# " + " ".join(cmd) + "\n")
start = time.monotonic()
proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, start_new_session=True)
sel = selectors.DefaultSelector()
sel.register(proc.stdout, selectors.EVENT_READ)
lines, partial = [], b""
verdict = fault = grub_error = gone = None
first_xen = None
seen = set()
exited = timed_out = False
deadline = start + timeout

def feed(raw):
    global verdict, fault, grub_error, first_xen, gone
    line = ANSI.sub("", raw.decode("utf-8", "replace")).replace("\r", "")
    lines.append(line)
    log.write(line + "\n")
    for m in markers:
        if m in line:
            seen.add(m)
    if first_xen is None and line.startswith("(XEN)"):
        first_xen = time.monotonic() - start
    v = VERDICT.search(line)
    if v:
        verdict = v.group(1)
    if fault is None and FAULT.search(line):
        fault = line.strip()
    if grub_error is None and first_xen is None and GRUB_ERROR.search(line.strip()):
        grub_error = line.strip()
    if gone is None and DOM0_GONE.search(line):
        gone = line.strip()

try:
    while True:
        now = time.monotonic()
        if (fault or grub_error or gone) and deadline > now + GRACE:
            deadline = now + GRACE
        if now >= deadline:
            timed_out = not (fault or grub_error or gone)
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
        # The verdict may arrive without its newline yet.
        if verdict is None and VERDICT.search(partial.decode("utf-8", "replace")):
            feed(partial)
            partial = b""
        if verdict is not None and not fault:
            break
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
secs = time.monotonic() - start

reasons = []
if grub_error:
    reasons.append("GRUB: " + grub_error)
if fault:
    reasons.append("hypervisor fault: " + fault)
if verdict is None:
    why = " before QEMU exited" if exited else " before: " + gone if gone else ""
    reasons.append("no 'Test result:' line" + why)
elif verdict != "SUCCESS":
    reasons.append("verdict " + verdict)
for m in markers:
    if m not in seen:
        reasons.append("never printed: " + repr(m))
if timed_out:
    reasons.append("timed out after %g s" % timeout)

xen_at = "%.1f s" % first_xen if first_xen is not None else "never"
summary = ("verdict %s after %.1f s; first (XEN) line at %s"
           % (verdict or "none", secs, xen_at))
log.write("# %s\n" % summary)
if reasons:
    log.write("# FAILED: %s\n" % "; ".join(reasons))
log.close()
if reasons:
    print("  " + "; ".join(reasons))
    print("  last lines of %s:" % log_path)
    for line in lines[-15:]:
        print("    " + line)
    sys.exit(1)
sys.exit(0)
PY
}

failed=0
# name default-entry marker...
run_path() {
    local name=$1 entry=$2
    shift 2
    local iso=$iso_dir/$name.iso log=$log_dir/iso-$name.log
    local mk_log=$log_dir/iso-$name.mkiso.log
    if ! "$root/scripts/mkiso.sh" "$iso" "$hyp" "$kernel" --default "$entry" \
            --xen-args "$xen_args" --kernel-args "iso-test=$name" >"$mk_log" 2>&1; then
        cp "$mk_log" "$log"
        echo "FAIL: iso/$name ($label)"
        sed 's/^/  /' "$mk_log"
        failed=1
        return
    fi
    rm -f "$mk_log"
    local details
    if details=$(watch_boot "$iso" "$log" "$@"); then
        echo "PASS: iso/$name ($label)"
    else
        echo "FAIL: iso/$name ($label)"
        [ -z "$details" ] || printf '%s\n' "$details"
        failed=1
    fi
}

# GRUB's banner for the entry it boots, and the entry's own echo lines, prove
# that the intended configuration ran (not a fallback to another entry).
run_path multiboot2 0 "Booting \`Xenolith'" "Loading Dom0 initrd ..."
run_path legacy-grub.conf 1 "Booting \`Xenolith (legacy grub.conf)'" "Booting \`Xenolith'"

exit $failed
