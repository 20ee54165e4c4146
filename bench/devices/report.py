#!/usr/bin/env python3
"""The table of bench/devices.sh, and its section of bench/results.md.

    report.py RESULTS.tsv [--markdown bench/results.md] [--command ...] ...
    report.py --extract bench/results.md         print the section (or nothing)
    report.py --insert SECTION bench/results.md  put a saved section back

RESULTS.tsv rows: hypervisor, round, workload, repetition, key=value...
(bench/devices/rounds.sh's BENCH-DEV lines, and a `clock` row per boot).
The section sits between BEGIN and END, before the toolstack section
(bench/toolstack.sh rewrites from its marker to the end; bench/run.sh
rewrites what is before it and puts this section back with --insert).
"""
import argparse
import datetime
import statistics
import sys

BEGIN = "<!-- bench/devices.sh writes from here -->"
END = "<!-- bench/devices.sh writes up to here -->"
TOOLSTACK = "<!-- bench/toolstack.sh writes from here to the end -->"
XEN, XENOLITH = "xen-4.17", "xenolith"
# workload, key, what, unit
MAIN = [
    ("domu-dom0", "rx_mbps", "TCP DomU → Dom0 (receiver in Dom0)", "MB/s"),
    ("domu-domu", "rx_mbps", "TCP DomU → DomU (receiver in a DomU)", "MB/s"),
    ("iops", "io_iops", "4 KiB random reads, O_DIRECT, QD 1, xvdb", "IOPS"),
]
# Hypervisor-charged CPU seconds per workload, and latency: the evidence.
EXTRA = [
    ("domu-dom0", "cpu_dom0", "DomU → Dom0: Dom0 CPU s"),
    ("domu-dom0", "cpu_snd", "DomU → Dom0: sender DomU CPU s"),
    ("domu-domu", "cpu_dom0", "DomU → DomU: Dom0 CPU s (netback both ways)"),
    ("domu-domu", "cpu_snd", "DomU → DomU: sender CPU s"),
    ("domu-domu", "cpu_rcv", "DomU → DomU: receiver CPU s"),
    ("iops", "io_lat_us", "IOPS: mean read latency µs"),
    ("iops", "cpu_dom0", "IOPS: Dom0 CPU s"),
    ("iops", "cpu_dsk", "IOPS: DomU CPU s"),
    ("domu-dom0", "d0_softirq", "DomU → Dom0: Dom0's own softirq s (/proc/stat)"),
    ("domu-dom0", "d0_idle", "DomU → Dom0: Dom0's own idle s"),
    ("domu-dom0", "d0_irq", "DomU → Dom0: Dom0's own irq s"),
    ("domu-dom0", "snd_sys", "DomU → Dom0: sender's own system s"),
    ("domu-dom0", "snd_softirq", "DomU → Dom0: sender's own softirq s"),
    ("domu-dom0", "snd_idle", "DomU → Dom0: sender's own idle s"),
    ("domu-dom0", "snd_steal", "DomU → Dom0: sender's steal s"),
    ("domu-domu", "d0_softirq", "DomU → DomU: Dom0's own softirq s"),
    ("domu-domu", "d0_idle", "DomU → DomU: Dom0's own idle s"),
    ("domu-domu", "d0_sys", "DomU → DomU: Dom0's own system s"),
    ("domu-domu", "d0_irq", "DomU → DomU: Dom0's own irq s"),
    ("domu-domu", "d0_steal", "DomU → DomU: Dom0's steal s"),
    ("domu-domu", "rcv_steal", "DomU → DomU: receiver's steal s"),
    ("domu-domu", "snd_steal", "DomU → DomU: sender's steal s"),
    ("iops", "d0_sys", "IOPS: Dom0's own system s"),
    ("iops", "d0_idle", "IOPS: Dom0's own idle s"),
    ("iops", "dsk_idle", "IOPS: DomU's own idle s"),
    ("iops", "dsk_steal", "IOPS: DomU's steal s"),
]
# Per workload: Dom0's clock over the timed window divided by the host's.
CLOCKS = [("domu-dom0", "DomU → Dom0"), ("domu-domu", "DomU → DomU"), ("iops", "IOPS")]
NAMES = {XEN: "Xen 4.17", XENOLITH: "Xenolith"}


def parse(path):
    """Rates are per second of the guest's clock; a boot whose clock ran at
    another rate than the host's (Xenolith calibrates its TSC once against
    the PIT, which a loaded host can throw off by 10 % and more) would
    report rates off by as much. The MAIN metrics are rescaled to host
    seconds with the boot's `clock` row (Dom0 seconds / host seconds over
    the whole run): rate_host = rate_guest * guest_s / host_s."""
    rows, factor = [], {}
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                continue
            kv = dict(c.split("=", 1) for c in cols[4:] if "=" in c)
            rows.append((cols[0], cols[1], cols[2], kv))
            if cols[2] == "clock" and float(kv.get("host_s", 0)) > 0:
                factor[(cols[0], cols[1])] = float(kv["guest_s"]) / float(kv["host_s"])
    vals, failed = {}, {}
    main_keys = {(wl, key) for wl, key, _w, _u in MAIN}
    for hyp, rnd, wl, kv in rows:
        if "failed" in kv:
            failed.setdefault((hyp, wl), []).append(kv["failed"])
            continue
        for k, v in kv.items():
            try:
                x = float(v)
            except ValueError:
                continue
            if (wl, k) in main_keys:
                vals.setdefault((hyp, wl, k + "_guestclock"), []).append(x)
                x *= factor.get((hyp, rnd), 1.0)
            vals.setdefault((hyp, wl, k), []).append(x)
    for (hyp, _rnd), fct in factor.items():
        vals.setdefault((hyp, "clock", "factor"), []).append(fct)
    return vals, failed


def cell(xs, unit_fmt="{:.1f}"):
    if not xs:
        return None, "—"
    m = statistics.median(xs)
    if len(xs) == 1:
        return m, unit_fmt.format(m)
    return m, f"{unit_fmt.format(m)} ({unit_fmt.format(min(xs))}–{unit_fmt.format(max(xs))})"


def tables(vals, failed):
    main = ["| Workload | Xen 4.17 | Xenolith | Xenolith/Xen | Target ≥ 1.0 |",
            "|:---|---:|---:|---:|:---:|"]
    for wl, key, what, unit in MAIN:
        row = []
        for h in (XEN, XENOLITH):
            xs = vals.get((h, wl, key), [])
            m, txt = cell(xs, "{:.2f}" if unit == "MB/s" else "{:.0f}")
            if failed.get((h, wl)):
                txt += f" ({len(failed[(h, wl)])} failed)"
            row.append((m, txt, len(xs)))
        ratio = (row[1][0] / row[0][0]) if row[0][0] and row[1][0] else None
        n = max(row[0][2], row[1][2])
        main.append(f"| {what}, {unit}, n={n} | {row[0][1]} | {row[1][1]} | "
                    f"{'%.2f' % ratio if ratio else '—'} | "
                    f"{'—' if ratio is None else ('yes' if ratio >= 1.0 else 'no')} |")
    extra = ["| Evidence (median, min–max) | Xen 4.17 | Xenolith |", "|:---|---:|---:|"]
    for wl, key, what in EXTRA:
        cells = [cell(vals.get((h, wl, key), []))[1] for h in (XEN, XENOLITH)]
        if cells != ["—", "—"]:
            extra.append(f"| {what} | {cells[0]} | {cells[1]} |")
    for wl, key, what, unit in MAIN:
        cells = [cell(vals.get((h, wl, key + "_guestclock"), []),
                      "{:.2f}" if unit == "MB/s" else "{:.0f}")[1] for h in (XEN, XENOLITH)]
        extra.append(f"| {what}, {unit} by the guest's own clock (uncorrected) | {cells[0]} | {cells[1]} |")
    cells = [cell(vals.get((h, "clock", "factor"), []), "{:.3f}")[1] for h in (XEN, XENOLITH)]
    extra.append(f"| Dom0 clock / host clock over a whole boot (1.000 = right) | {cells[0]} | {cells[1]} |")
    cells = [cell(vals.get((h, "clock", "tsc_mhz"), []), "{:.0f}")[1] for h in (XEN, XENOLITH)]
    if cells != ["—", "—"]:
        extra.append(f"| TSC MHz the hypervisor took (the TSC is 2600 here) | {cells[0]} | {cells[1]} |")
    for wl, what in CLOCKS:
        cells = []
        for h in (XEN, XENOLITH):
            g = vals.get((h, "clock-" + wl, "guest_s"), [])
            t = vals.get((h, "clock-" + wl, "host_s"), [])
            cells.append(cell([a / b for a, b in zip(g, t) if b > 0], "{:.3f}")[1])
        if cells != ["—", "—"]:
            extra.append(f"| {what}: Dom0 clock / host clock over the window | {cells[0]} | {cells[1]} |")
    fails = [f"- {NAMES.get(h, h)}, {wl}: {'; '.join(w)}" for (h, wl), w in sorted(failed.items())]
    return main, extra, fails


def extract(path):
    try:
        text = open(path).read()
    except OSError:
        return ""
    if BEGIN not in text or END not in text:
        return ""
    return BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END


def insert(section, path):
    """Replace the section in place, or put it before the toolstack marker."""
    try:
        text = open(path).read()
    except OSError:
        text = ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    elif TOOLSTACK in text:
        head, rest = text.split(TOOLSTACK, 1)
        text = head.rstrip("\n") + "\n\n" + section + "\n\n" + TOOLSTACK + rest
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="?")
    ap.add_argument("--extract")
    ap.add_argument("--insert", nargs=2, metavar=("SECTION", "RESULTS_MD"))
    ap.add_argument("--markdown")
    ap.add_argument("--command", default="bench/devices.sh")
    ap.add_argument("--qemu", default="unknown")
    ap.add_argument("--xen", default="unknown")
    ap.add_argument("--xenolith", default="unknown")
    ap.add_argument("--mib", default="128")
    ap.add_argument("--secs", default="20")
    ap.add_argument("--disk-mib", default="256")
    ap.add_argument("--mem", default="192")
    args = ap.parse_args()
    if args.extract:
        print(extract(args.extract))
        return 0
    if args.insert:
        section = open(args.insert[0]).read().strip("\n")
        if section:
            insert(section, args.insert[1])
        return 0
    vals, failed = parse(args.results)
    main_t, extra_t, fails = tables(vals, failed)
    print("\n".join(main_t))
    print()
    print("\n".join(extra_t))
    if fails:
        print("\nFailed:\n" + "\n".join(fails))
    bad = bool([1 for (h, _wl) in failed if h == XEN]) or not any(
        (XEN, wl, key) in vals for wl, key, _w, _u in MAIN)
    if args.markdown:
        now = datetime.datetime.now(datetime.timezone.utc)
        section = [
            BEGIN, "",
            "## Devices: TCP throughput and vbd IOPS (issue 6)", "",
            f"Measured {now:%Y-%m-%d %H:%M} UTC by `{args.command}`; wall-clock "
            "rates timed in the guests (CLOCK_MONOTONIC) and rescaled to host seconds "
            "with each boot's clock check (below), so only the ratios carry over "
            "to other machines. Median (min–max) over all boots; higher is better.", "",
            f"- QEMU: {args.qemu}, TCG, `-cpu max -smp 2 -m 2048 -kernel HYPERVISOR` "
            "(the multiboot1 path of `tests/integration/dom0-run.sh`), one boot per "
            "hypervisor and round, the order alternating; Dom0: Debian's Linux 6.1, "
            "1 vCPU, 768 MiB (the disk image lives in its tmpfs); DomUs: the same "
            f"kernel, 1 vCPU, {args.mem} MiB, Linux's netfront/blkfront against "
            "netback/blkback in Dom0.",
            f"- TCP: one stream of {args.mib} MiB (`tcpsend` → `tcprecv`, 64 KiB "
            "writes), xenbr0, MTU 1500; the rate is the receiver's, first byte to "
            f"end of stream. IOPS: `iops` for {args.secs} s on xvdb = a "
            f"{args.disk_mib} MiB file in Dom0's tmpfs, loop device, blkback, "
            "read-only.",
            f"- Xen 4.17: Debian's `{args.xen}`; Xenolith: `{args.xenolith}`.", "",
        ] + main_t + ["", "CPU seconds are what the hypervisor charged each domain "
                      "(`xl list` Time(s)) during the workload; the clock rows "
                      "compare Dom0's clock with the host's over the whole run.", ""] \
          + extra_t + ([""] + ["Failed:"] + fails if fails else []) + ["", END]
        insert("\n".join(section), args.markdown)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
