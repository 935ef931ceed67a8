#!/usr/bin/env python3
"""Turns the bench's raw results into ONE table of medians, printed and written as Markdown.

    report.py RAW.tsv META.txt NOTES.txt OUT.md [TITLE]

RAW.tsv lines: round, contestant, metric, value (a number or n/a). META.txt lines: key: value
(machine, versions, command). NOTES.txt: free lines worth keeping (errors seen during a run). The
best figure of each row is in bold: the highest for rates and throughput, the lowest for CPU,
memory and latency. TITLE (default "latest results") goes into the Markdown heading.
"""
import statistics
import sys

CONTESTANTS = ["portico", "portico-epoll", "nginx", "haproxy", "caddy"]

# metric key, row label, higher is better (None: informative, never bold), number format
ROWS = [
    ("ka_rps", "Keep-alive HTTPS, small response: requests/s (wrk, 2 threads)", True, "{:.0f}"),
    ("ka_p50", "Keep-alive: p50 latency, ms", False, "{:.2f}"),
    ("ka_p99", "Keep-alive: p99 latency, ms", False, "{:.2f}"),
    ("ka_cpu10k", "Proxy CPU-seconds per 10,000 keep-alive requests", False, "{:.3f}"),
    ("h2_rps", "HTTP/2 HTTPS, small response: requests/s (h2load, 10 connections x 10 streams)", True, "{:.0f}"),
    ("h2_cpu10k", "Proxy CPU-seconds per 10,000 HTTP/2 requests", False, "{:.3f}"),
    ("hs13", "Full handshakes/s, TLS 1.3 (new connection + 1 request, wrk)", True, "{:.0f}"),
    ("hs12", "Full handshakes/s, TLS 1.2 (new connection + 1 request, wrk)", True, "{:.0f}"),
    ("res13", "Resumed handshakes/s, TLS 1.3 ticket (4 client processes, + 1 request)", True, "{:.0f}"),
    ("res12", "Resumed handshakes/s, TLS 1.2 ticket (4 client processes, + 1 request)", True, "{:.0f}"),
    ("dl", "100 MiB download, MiB/s (curl, median of runs)", True, "{:.0f}"),
    ("dl_cpu", "100 MiB download: proxy CPU-seconds per GiB", False, "{:.2f}"),
    ("ul", "100 MiB upload, MiB/s (curl, median of runs)", True, "{:.0f}"),
    ("ul_cpu", "100 MiB upload: proxy CPU-seconds per GiB", False, "{:.2f}"),
    ("ws", "WebSocket echo round trips/s (2 x 16 connections, 32-byte messages)", True, "{:.0f}"),
    ("ws_cpu10k", "Proxy CPU-seconds per 10,000 WebSocket round trips", False, "{:.3f}"),
    ("mem_idle", "Memory idle after start, MiB (PSS of the process tree)", False, "{:.1f}"),
    ("mem_held", "Memory with 8,000 idle TLS connections held open (after warm-up), MiB", False, "{:.1f}"),
    ("kib_conn", "KiB per idle TLS connection (held minus just before)", False, "{:.1f}"),
    ("mem_after", "Memory idle after all the loads, MiB", False, "{:.1f}"),
    ("warmup_cycles", "Warm-up cycles until steady (discarded load, see bench/README.md)", None, "{:.0f}"),
]


def load(path: str) -> dict:
    values = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            _, contestant, metric, value = parts
            values.setdefault((metric, contestant), []).append(value)
    return values


def cell(values: list, fmt: str):
    numbers = [float(v) for v in values if v not in ("n/a", "")]
    if not numbers:
        return None, "n/a" if values else "-"
    median = statistics.median(numbers)
    text = fmt.format(median)
    if len(numbers) < len(values):
        text += f" ({len(numbers)}/{len(values)} runs)"
    return median, text


def table(values: dict, contestants: list, bold) -> list:
    header = ["scenario (median of rounds)"] + contestants
    rows = [header]
    for key, label, higher, fmt in ROWS:
        cells = [cell(values.get((key, c), []), fmt) for c in contestants]
        numbers = [m for m, _ in cells if m is not None]
        best = (max if higher else min)(numbers) if len(numbers) > 1 and higher is not None else None
        rows.append([label] + [bold(t) if m is not None and m == best else t for m, t in cells])
    return rows


def main(raw: str, meta: str, notes: str, out: str, title: str = "latest results") -> None:
    values = load(raw)
    present = {c for _, c in values}
    contestants = [c for c in CONTESTANTS if c in present]
    console = table(values, contestants, lambda t: t + " *")
    widths = [max(len(r[i]) for r in console) for i in range(len(console[0]))]
    for i, row in enumerate(console):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("(* best of the row)")

    md = table(values, contestants, lambda t: f"**{t}**")
    lines = [f"# Portico bench: {title}", ""]
    with open(meta) as f:
        lines += [f"- {line.strip()}" for line in f if line.strip()]
    lines += ["", "| " + " | ".join(md[0]) + " |", "|" + "---|" + "---:|" * (len(md[0]) - 1)]
    lines += ["| " + " | ".join(r) + " |" for r in md[1:]]
    lines += ["", "Bold: the best figure of the row. What each row measures and how fair it is: bench/README.md."]
    with open(notes) as f:
        seen = [line.strip() for line in f if line.strip()]
    if seen:
        lines += ["", "Notes from the run:", ""] + [f"- {n}" for n in seen]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:6])
