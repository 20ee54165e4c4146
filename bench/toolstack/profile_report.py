#!/usr/bin/env python3
"""Summary of bench/toolstack/profile.sh's lines in dom0-run logs.

    profile_report.py LOG...

Per log (a boot), the median and min-max of each step's milliseconds, ours
against Debian's, and the dynamic loader's statistics (LD_DEBUG).
"""
import re
import statistics
import sys

STEP = re.compile(r"^BENCH-TS-STEP (\S+) (\S+) .*?ms=([0-9.]+)")
LD = re.compile(r"^BENCH-TS-LD (\S+) (.*)$")
TRACE = re.compile(r"^BENCH-TS-TRACE (\S+) (\S+) (\d+) (\d+) (.*?) (?:n=(\d+) )?ms=([0-9.]+)")
ORDER = ["exec", "dryrun", "list", "createp", "unpause", "destroy"]


def main():
    for path in sys.argv[1:]:
        steps, ld, traces = {}, {}, {}
        with open(path, errors="replace") as f:
            for line in f:
                line = line.replace("\r", "").rstrip("\n")
                m = STEP.match(line)
                if m:
                    ts, st, ms = m.group(1), m.group(2), float(m.group(3))
                    if st == "unpause":  # tsclock create: marker_ms is the step
                        mm = re.search(r"marker_ms=([0-9.-]+)", line)
                        ms = float(mm.group(1)) if mm else -1
                    steps.setdefault((ts, st), []).append(ms)
                    continue
                m = TRACE.match(line)
                if m:
                    ts, what, rnd, pid, key, n, ms = m.groups()
                    if key.startswith("gap"):
                        continue
                    traces.setdefault((ts, what, rnd, pid), {})[key] = (int(n or 0), float(ms))
                    continue
                m = LD.match(line)
                if m and ("relocation" in m.group(2) or "startup" in m.group(2)
                          or "libraries" in m.group(2) or "objects" in m.group(2)):
                    ld.setdefault(m.group(1), []).append(m.group(2).strip())
        print(path)
        print("  %-9s %22s %22s %6s" % ("step (ms)", "Debian median(min-max)", "ours median(min-max)", "ratio"))

        def fmt(v):
            return "%.0f (%.0f-%.0f)" % (statistics.median(v), min(v), max(v)) if v else "-"
        if ("baseline", "exec") in steps:
            print("  %-9s %22s" % ("fork+exec", fmt(steps[("baseline", "exec")])))
        for st in ORDER:
            d, o = steps.get(("debian", st), []), steps.get(("xenolith", st), [])
            r = "%.2f" % (statistics.median(o) / statistics.median(d)) if d and o else "-"
            print("  %-9s %22s %22s %6s" % (st, fmt(d), fmt(o), r))
        # Per toolstack and command: medians over the traced rounds.
        agg = {}
        for (ts, what, rnd, pid), keys in traces.items():
            if what == "destroy" and "hypercall 36/1" in keys:
                continue  # the create's monitor child, ending
            for key, (n, ms) in keys.items():
                agg.setdefault((ts, what, key), []).append((n, ms))
        for what in ("create", "destroy"):
            for ts in ("debian", "xenolith"):
                rows = sorted(((k[2], v) for k, v in agg.items() if k[0] == ts and k[1] == what),
                              key=lambda kv: -statistics.median(x[1] for x in kv[1]))
                if not rows:
                    continue
                print("  traced `xl %s`, %s (median over %d runs): calls, ms" % (what, ts, len(rows[0][1])))
                for key, v in rows[:14]:
                    print("    %-32s n=%-5s ms=%.1f" % (key, statistics.median(x[0] for x in v),
                                                       statistics.median(x[1] for x in v)))
        for ts, lines in ld.items():
            for l in lines:
                print("  ld %-8s %s" % (ts, l))


if __name__ == "__main__":
    main()
