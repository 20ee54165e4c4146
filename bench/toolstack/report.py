#!/usr/bin/env python3
"""The table of bench/toolstack.sh.

    report.py RESULTS.tsv --rounds N [--command STR] [--qemu STR] [--xen STR]
              [--xenolith STR] [--markdown FILE]

RESULTS.tsv has one row per round: hypervisor, xenstored, toolstack
(xenolith|debian), round (a number, or warmup), then the key=value fields of
rounds.sh's BENCH-TS line (create_ms, first_byte_ms, marker_ms, exit,
destroy_ms, exit). Prints, per hypervisor and xenstored, the median, min and
max of each metric for both toolstacks and the ratio ours/Debian's of the
medians; with --markdown, replaces the section that starts at MARKER in
FILE (or appends it). Exit status 1 when a round of Debian's toolstack
failed.
"""
import argparse
import datetime
import statistics
import sys

MARKER = "<!-- bench/toolstack.sh writes from here to the end -->"
TARGET = 0.25
METRICS = [
    ("first_byte_ms", "`xl create` → first console byte"),
    ("create_ms", "`xl create` returns"),
    ("destroy_ms", "`xl destroy` returns"),
    ("total_ms", "first console byte + `xl destroy`"),
]
NAMES = {"xen-4.17": "Xen 4.17", "xenolith": "Xenolith"}
STORES = {"debian": "Debian's oxenstored", "ours": "ours"}


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                continue
            hyp, store, ts, rnd = cols[:4]
            vals = {}
            for kv in cols[4:]:
                key, _, value = kv.partition("=")
                if key == "exit" and "create_exit" in vals:
                    key = "destroy_exit"
                elif key == "exit":
                    key = "create_exit"
                try:
                    vals[key] = float(value)
                except ValueError:
                    vals[key] = None
            ok = (vals.get("create_exit") == 0 and vals.get("destroy_exit") == 0
                  and (vals.get("marker_ms") or -1) >= 0)
            if ok:
                vals["total_ms"] = vals["first_byte_ms"] + vals["destroy_ms"]
            rows.append((hyp, store, ts, rnd, ok, vals))
    return rows


def fmt(values):
    if not values:
        return "—"
    return "%.0f (%.0f–%.0f)" % (statistics.median(values), min(values), max(values))


def tables(rows):
    groups = []
    for hyp, store, *_ in rows:
        if (hyp, store) not in groups:
            groups.append((hyp, store))
    text, md, bad = [], [], False
    md += ["| Hypervisor | xenstored | Metric (ms) | Debian's xl 4.17: median (min–max) "
           "| ours: median (min–max) | ours / Debian's | ≤ 0.25× |",
           "|:---|:---|:---|---:|---:|---:|:---:|"]
    text.append("%-9s %-10s %-36s %22s %22s %7s" % ("hyp", "xenstored", "metric (ms)",
                                                    "Debian median(min-max)",
                                                    "ours median(min-max)", "ratio"))
    for hyp, store in groups:
        mine = [r for r in rows if r[0] == hyp and r[1] == store and r[3] != "warmup"]
        counted = {}
        for ts in ("debian", "xenolith"):
            sel = [r for r in mine if r[2] == ts]
            counted[ts] = [r[5] for r in sel if r[4]]
            failed = len(sel) - len(counted[ts])
            if failed:
                text.append("  %s %s: %s: %d of %d rounds failed" % (hyp, store, ts, failed, len(sel)))
                md.append("| %s | %s | %s: %d of %d rounds failed | | | | |"
                          % (NAMES.get(hyp, hyp), STORES.get(store, store), ts, failed, len(sel)))
                bad |= ts == "debian"
        for key, title in METRICS:
            deb = [v[key] for v in counted["debian"]]
            ours = [v[key] for v in counted["xenolith"]]
            ratio = statistics.median(ours) / statistics.median(deb) if deb and ours else None
            r = "%.2f" % ratio if ratio is not None else "—"
            meets = "—" if ratio is None else ("yes" if ratio <= TARGET else "no")
            text.append("%-9s %-10s %-36s %22s %22s %7s" % (hyp, store, title.replace("`", ""),
                                                            fmt(deb), fmt(ours), r))
            md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                NAMES.get(hyp, hyp), STORES.get(store, store), title, fmt(deb), fmt(ours), r, meets))
    return text, md, bad


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--rounds", type=int, default=0)
    p.add_argument("--command", default="bench/toolstack.sh")
    p.add_argument("--qemu", default="unknown")
    p.add_argument("--xen", default="unknown")
    p.add_argument("--xenolith", default="unknown")
    p.add_argument("--markdown")
    args = p.parse_args()

    rows = parse(args.results)
    if not rows:
        print("toolstack: no rounds in %s" % args.results, file=sys.stderr)
        return 1
    text, md_table, bad = tables(rows)
    print("\n".join(text))
    if args.markdown:
        now = datetime.datetime.now(datetime.timezone.utc)
        section = [
            MARKER,
            "",
            "## Toolstack: `xl create` → first console byte, `xl destroy` (issue 5)",
            "",
            f"Measured {now:%Y-%m-%d %H:%M} UTC by `{args.command}`; wall-clock "
            "milliseconds in Dom0, so only the ratios carry over to other machines.",
            "",
            f"- QEMU: {args.qemu}, TCG, `-cpu max -smp 2 -m 2048 -kernel HYPERVISOR` "
            "(the multiboot1 path of `tests/integration/dom0-run.sh`); Dom0: Debian's "
            "Linux 6.1, 1 vCPU, 512 MiB, the Xenolith Dom0 image with Debian's Xen 4.17 "
            "toolstack appended (`--debian-xl`).",
            f"- Xen 4.17: Debian's `{args.xen}`; Xenolith: `{args.xenolith}` "
            "(hypervisor and toolstack).",
            "- Guest: `bench/toolstack/console_guest.c`, a 64-bit PV ELF kernel (16 MiB, "
            "1 vCPU, no devices) whose first act is one line on its console ring; then it "
            "sleeps in SCHEDOP_poll until destroyed.",
            f"- Per boot and toolstack: one warm-up round (not counted), then {args.rounds} "
            "rounds of `xl create` + `xl destroy`, the two toolstacks taking turns round "
            "by round. *Ours* is `/usr/sbin/xl` and "
            "`xenconsoled` (tools/), *Debian's* is xl and xenconsoled 4.17 from "
            "`/usr/lib/xen-4.17/bin` (its own libxl/libxc); each toolstack's xenconsoled "
            "runs only during its own rounds. One xenstored serves both toolstacks in a "
            "boot (Dom0 cannot switch its xenstored while running), so each hypervisor "
            "is booted twice: with Debian's oxenstored, and with ours. Where the time "
            "goes: `docs/bench.md`.",
            "- *First console byte*: from the start of `xl create` until xenconsoled writes "
            "the guest's line to its guest log (`--log=guest`), i.e. the moment the "
            "console daemon has read it from the ring; seen through inotify, no polling "
            "(`bench/toolstack/tsclock.c`, CLOCK_MONOTONIC in Dom0).",
            "",
        ] + md_table + [""]
        try:
            with open(args.markdown) as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        head = old.split(MARKER)[0].rstrip("\n")
        with open(args.markdown, "w") as f:
            f.write((head + "\n\n" if head else "") + "\n".join(section).rstrip("\n") + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
