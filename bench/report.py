#!/usr/bin/env python3
"""Turn the measurements of bench/run.sh into a table, results.md and a plot.

usage: report.py RESULTS.tsv [--command STR] [--qemu STR] [--xen STR]
                 [--xenolith STR] [--markdown FILE] [--png FILE]

RESULTS.tsv has one line per boot: run, hypervisor (xen-4.17 or xenolith),
operation, status (ok, unsupported, failed), total instructions,
iterations, detail. The table (printed, and written to --markdown) gives
instructions per operation on each hypervisor and their ratio; with more
than one run per operation it also says how far the runs' counts differ.
--png draws the ratios as horizontal bars with gnuplot.
"""

import argparse
import collections
import datetime
import os
import subprocess
import sys
import tempfile

XEN, XENOLITH = "xen-4.17", "xenolith"

# Display order and what each bench kernel (bench/kernels/<name>.c) times.
OPERATIONS = [
    ("empty_loop", "empty loop of 2 instructions (the method's baseline)"),
    ("null_hypercall_page", "null hypercall through the hypercall page"),
    ("null_hypercall_syscall", "null hypercall with a raw syscall"),
    ("mmu_update", "mmu_update, 1 L1 entry per call"),
    ("mmu_update_batch64", "mmu_update, 64 L1 entries per call (per call)"),
    ("update_va_mapping", "update_va_mapping, one VA, UVMF_INVLPG"),
    ("syscall_roundtrip", "guest syscall: user -> kernel -> iret"),
    ("pagefault_kernel", "#PF in the guest kernel -> handler -> iret"),
    ("pagefault_user", "#PF in guest user space -> handler -> iret"),
    ("evtchn_loopback", "event channel send + poll, one vCPU (loopback)"),
    ("evtchn_ipi_roundtrip", "event channel round trip, vCPU 0 <-> vCPU 1"),
    ("grant_map_unmap", "grant map + unmap (self-grant)"),
    ("linux_dom0_boot", "Linux 6.1 Dom0 boot to /init (virtual ns)"),
]
DESCRIPTION = dict(OPERATIONS)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="report.py")
    p.add_argument("results")
    p.add_argument("--command", default="bench/run.sh")
    p.add_argument("--qemu", default="unknown")
    p.add_argument("--xen", default="unknown")
    p.add_argument("--xenolith", default="unknown")
    p.add_argument("--markdown")
    p.add_argument("--png")
    return p.parse_args(argv)


Run = collections.namedtuple("Run", "status total iterations detail")


def load(path):
    """{(operation, hypervisor): [Run, ...]} in run order."""
    runs = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 7:
                continue
            _, hyp, name, status, total, iters, detail = fields
            runs[(name, hyp)].append(Run(status,
                                         int(total) if total else None,
                                         int(iters) if iters else None,
                                         detail))
    return runs


class Cell:
    """One operation on one hypervisor, over all runs."""

    def __init__(self, runs):
        ok = [r for r in runs if r.status == "ok"]
        self.runs = runs
        self.per_op = ok[0].total / ok[0].iterations if ok else None
        totals = [r.total for r in ok]
        self.spread = ((max(totals) - min(totals)) / min(totals)
                       if len(totals) > 1 and min(totals) else 0.0)
        self.flaky = bool(ok) and len(ok) != len(runs)
        self.status = "ok" if ok else (runs[0].status if runs else "missing")
        bad = [r for r in runs if r.status == "failed"]
        self.detail = bad[0].detail if bad else ""

    def text(self):
        if self.status == "ok" and self.per_op >= 1e7:
            return f"{self.per_op / 1e9:.2f} × 10⁹"
        if self.status == "ok":
            return f"{self.per_op:,.1f}"
        if self.status == "unsupported":
            return "n/a (unsupported)"
        if self.status == "missing":
            return "not run"
        return "failed"


def fmt_ratio(a, b):
    if a.per_op is None or b.per_op is None:
        return "n/a"
    return f"{b.per_op / a.per_op:.2f}"


def spread_text(cells):
    counted = [c for c in cells if c.status == "ok"]
    if any(c.flaky for c in cells):
        return "some runs failed"
    if not counted or all(len(c.runs) < 2 for c in counted):
        return "-"
    worst = max(c.spread for c in counted)
    return "identical" if worst == 0 else f"within {worst * 100:.3g}%"


def rows(runs):
    names = [n for n, _ in OPERATIONS if (n, XEN) in runs or (n, XENOLITH) in runs]
    names += sorted({n for n, _ in runs} - set(names))
    out = []
    for n in names:
        xen, xl = Cell(runs.get((n, XEN), [])), Cell(runs.get((n, XENOLITH), []))
        out.append((n, xen, xl))
    return out


TOOLSTACK_MARKER = "<!-- bench/toolstack.sh writes from here to the end -->"


def markdown_table(table, several_runs):
    head = ["Operation", "Xen 4.17 instructions/op", "Xenolith instructions/op",
            "Ratio (Xenolith/Xen)"]
    if several_runs:
        head.append("Runs agree")
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    for n, xen, xl in table:
        cols = [DESCRIPTION.get(n, n) + f" (`{n}`)", xen.text(), xl.text(),
                fmt_ratio(xen, xl)]
        if several_runs:
            cols.append(spread_text([xen, xl]))
        lines.append("| " + " | ".join(cols) + " |")
    return lines


def failures(table):
    out = []
    for n, xen, xl in table:
        for label, c in (("Xen 4.17", xen), ("Xenolith", xl)):
            if c.detail:
                out.append(f"- `{n}` on {label}: {c.detail}")
    return out


def ascii_chart(table, width=40):
    bars = [(n, xl.per_op / xen.per_op) for n, xen, xl in table
            if xen.per_op and xl.per_op]
    if not bars:
        return []
    top = max(max(r for _, r in bars), 1.0)
    one = round(width / top)
    lines = [f"{'':24}  ratio Xenolith/Xen 4.17; '|' marks 1.0"]
    for n, r in bars:
        n_full = round(r / top * width)
        bar = "#" * n_full
        if n_full < one:
            bar += " " * (one - n_full - 1) + "|"
        lines.append(f"{n:24}  {bar} {r:.2f}")
    return lines


def plot(table, png):
    bars = [(DESCRIPTION.get(n, n), xl.per_op / xen.per_op)
            for n, xen, xl in table if xen.per_op and xl.per_op]
    if not bars:
        return
    top = max(max(r for _, r in bars), 1.0) * 1.18
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as d:
        for i, (label, r) in enumerate(bars):
            label = label.replace('"', "'")
            d.write(f'{i} "{label}" {r:.4f}\n')
        data = d.name
    script = f"""
set terminal pngcairo noenhanced size 1000,{150 + 38 * len(bars)} font "sans,10"
set output "{png}"
set title "Instructions per operation, Xenolith / Xen 4.17\\n(QEMU -icount shift=0; below 1: Xenolith runs fewer)"
set xlabel "ratio Xenolith / Xen 4.17"
set xrange [0:{top:.3f}]
set yrange [{len(bars) - 0.4}:-0.6]
set ytics nomirror
set grid xtics
set style fill solid 0.7 border -1
unset key
set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2 linewidth 1.5
plot "{data}" using ($3/2):1:($3/2):(0.35):ytic(2) with boxxyerror linecolor rgb "#4a7ebb", \\
     "" using 3:1:(sprintf("%.2f", $3)) with labels left offset 0.6,0
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    finally:
        os.unlink(data)


def main(argv):
    args = parse_args(argv)
    runs = load(args.results)
    if not runs:
        sys.exit(f"report.py: {args.results}: no measurements")
    table = rows(runs)
    several = any(len(r) > 1 for r in runs.values())
    md_table = markdown_table(table, several)
    chart = ascii_chart(table)
    fails = failures(table)

    print("\n".join(md_table))
    if fails:
        print("\n".join(["", "Failures:"] + fails))
    if chart:
        print("\n".join([""] + chart))

    if args.markdown:
        now = datetime.datetime.now(datetime.timezone.utc)
        md = [
            "# Instructions per operation: Xenolith and Xen 4.17",
            "",
            f"Measured {now:%Y-%m-%d %H:%M} UTC by `{args.command}`.",
            "",
            f"- QEMU: {args.qemu}",
            f"- Xen 4.17: Debian's `{args.xen}`",
            f"- Xenolith: `{args.xenolith}`",
            "- Each bench kernel (`bench/kernels/<name>.c`) is booted as Dom0 "
            "(64 MiB, 2 vCPUs of which only `evtchn_ipi_roundtrip` starts the "
            "second) by `bench/boot-icount`: `qemu-system-x86_64 -accel tcg "
            "-icount shift=0,sleep=off -cpu max,-x2apic -smp 2 -m 512 "
            "-kernel HYPERVISOR -initrd KERNEL`. Under `-icount shift=0` the "
            "TSC advances by one per instruction of any CPU, so `rdtsc` "
            "around N operations counts what they cost, hypervisor and "
            "guest; the guest's own loop adds a few instructions per turn, "
            "the same on both hypervisors (`empty_loop` shows the method: "
            "2 per turn).",
            "- `syscall_roundtrip`, `pagefault_kernel` and `pagefault_user` "
            "enter and leave the guest kernel through the test runtime's "
            "generic trap path (every register saved, a C dispatcher, "
            "HYPERVISOR_iret through the hypercall page): hundreds of guest "
            "instructions per turn, the same on both hypervisors, which "
            "pull those ratios towards 1.",
            "- `linux_dom0_boot` is `/proc/uptime` when the test initramfs' "
            "/init starts (Debian's Linux 6.1, 512 MiB, 1 vCPU): virtual "
            "nanoseconds, one per instruction while a CPU is busy; idle "
            "time jumps to the next timer (`sleep=off`). Resolution 10 ms.",
            "",
        ] + md_table + [""]
        if fails:
            md += ["Failures:", ""] + fails + [""]
        if chart:
            md += ["```"] + chart + ["```", ""]
        if args.png:
            md += [f"![ratios]({os.path.basename(args.png)})", ""]
        # bench/toolstack.sh's section at the end of the file stays.
        tail = ""
        try:
            with open(args.markdown) as f:
                old = f.read()
            at = old.find(TOOLSTACK_MARKER)
            if at >= 0:
                tail = "\n" + old[at:]
        except FileNotFoundError:
            pass
        with open(args.markdown, "w") as f:
            f.write("\n".join(md).rstrip("\n") + "\n" + tail)
    if args.png:
        plot(table, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
