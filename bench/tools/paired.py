#!/usr/bin/env python3
"""Summary of a paired run for bench/run.sh --paired, standard library only.

    paired.py TSV NAME_A NAME_B

TSV lines: pair, side (A or B), requests/s, p50 ms, p99 ms, CPU-seconds per 10,000 requests
(p50 and p99 are n/a for HTTP/2). Prints every pair, then per figure the median and range of each
side and the median and range of the per-pair ratio B/A: the figure to read, since both sides of a
pair ran within seconds of each other.
"""
import statistics
import sys

FIGURES = (("requests/s", 2, "{:.0f}"), ("p50 ms", 3, "{:.2f}"), ("p99 ms", 4, "{:.2f}"),
           ("CPU-s per 10,000", 5, "{:.3f}"))


def main(path: str, name_a: str, name_b: str) -> None:
    rows = {}
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows[(int(fields[0]), fields[1])] = fields
    pairs = sorted({p for p, _ in rows if (p, "A") in rows and (p, "B") in rows})
    if not pairs:
        sys.exit("paired.py: no complete pair in " + path)
    print()
    print(f"A = {name_a}, B = {name_b}")
    print("pair  side  " + "  ".join(f"{title:>16}" for title, _, _ in FIGURES))
    for p in pairs:
        for side in ("A", "B") if p % 2 else ("B", "A"):
            print(f"{p:4d}  {side:4}  " + "  ".join(f"{rows[(p, side)][i]:>16}" for _, i, _ in FIGURES))
    print()
    print(f"{'':18}{'A median (range)':>28}{'B median (range)':>28}{'B/A per pair: median (range)':>34}")
    for title, i, fmt in FIGURES:
        if rows[(pairs[0], "A")][i] == "n/a":
            continue
        a = [float(rows[(p, "A")][i]) for p in pairs]
        b = [float(rows[(p, "B")][i]) for p in pairs]
        ratio = [y / x for x, y in zip(a, b) if x > 0]

        def spread(values, form):
            return f"{form.format(statistics.median(values))} ({form.format(min(values))}-{form.format(max(values))})"
        print(f"{title:18}{spread(a, fmt):>28}{spread(b, fmt):>28}{spread(ratio, '{:.2f}x'):>34}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
