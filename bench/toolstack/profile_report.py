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
ORDER = ["exec", "dryrun", "list", "createp", "unpause", "destroy"]


def main():
    for path in sys.argv[1:]:
        steps, ld = {}, {}
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
        for ts, lines in ld.items():
            for l in lines:
                print("  ld %-8s %s" % (ts, l))


if __name__ == "__main__":
    main()
