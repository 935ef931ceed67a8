#!/usr/bin/env python3
"""Small measurements for bench/run.sh, standard library only.

    measure.py cpu PID        CPU seconds (user + system) of PID and all its descendants
    measure.py mem PID        memory in KiB of PID and its descendants: the sum of PSS
                              (/proc/*/smaps_rollup), so pages that nginx's or HAProxy's
                              processes share are counted once; for one process PSS ~ RSS
    measure.py threads PID    thread count of PID and its descendants
    measure.py thread-cpu PID CPU ticks per thread of PID, one "ticks<TAB>name" line per thread
    measure.py idle SECONDS   percentage of the machine's CPU time that was idle over SECONDS
    measure.py wrk FILE       parses wrk --latency output: rps p50_ms p99_ms requests errors non2xx
    measure.py h2load FILE    parses h2load output: rps succeeded failed non2xx protocol
                              (h2load's failed, which includes errored, plus timeout;
                              protocol = what ALPN chose)
    measure.py java-alloc PID bytes allocated so far by the Portico JVM's event-loop threads
                              (portico-io-*), from the allocated= field of `jstack -e`: HotSpot
                              prints it in whole KiB from 100 KiB and whole MiB from 100 MiB (over
                              a 10 s load of 100,000 requests or more, a few bytes per request at
                              most); refuses a thread past 100 GiB, printed in whole GiB
"""
import os
import re
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list:
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # the command name may hold spaces and parentheses: split after the last ')'
    return text[text.rindex(")") + 2:].split()


def tree(root: int) -> list:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(stat_fields(int(entry))[1])
            except (OSError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    total = 0
    for pid in tree(root):
        try:
            fields = stat_fields(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def pss_kib(root: int) -> int:
    total = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def threads(root: int) -> int:
    return sum(int(stat_fields(pid)[17]) for pid in tree(root))


def thread_cpu(pid: int) -> str:
    lines = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            fields = _task_fields(pid, tid)
        except OSError:
            continue
        lines.append(f"{int(fields[11]) + int(fields[12])}\t{tid}\t{comm}")
    return "\n".join(lines)


def _task_fields(pid: int, tid: str) -> list:
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def idle_percent(seconds: float) -> float:
    def sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return sum(fields[:8]), fields[3] + fields[4]  # user..steal; idle + iowait

    total1, idle1 = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 100.0 * (idle2 - idle1) / max(total2 - total1, 1)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def millis(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def wrk(path: str) -> str:
    with open(path) as f:
        out = f.read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        return "n/a n/a n/a 0 0 0"
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    requests = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return " ".join([
        f"{float(rps.group(1)):.0f}",
        f"{millis(p50.group(1)):.3f}" if p50 else "n/a",
        f"{millis(p99.group(1)):.3f}" if p99 else "n/a",
        requests.group(1),
        str(sum(int(g) for g in errors.groups())) if errors else "0",
        non2xx.group(1) if non2xx else "0",
    ])


def h2load(path: str) -> str:
    with open(path) as f:
        out = f.read()
    rps = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", out)
    counts = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, "
                       r"(\d+) errored, (\d+) timeout", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    protocol = re.search(r"Application protocol: (\S+)", out)
    if rps is None or counts is None:
        return "n/a 0 0 0 none"
    succeeded, failed, _, timeout = (int(g) for g in counts.groups())
    return " ".join([
        f"{float(rps.group(1)):.0f}",
        str(succeeded),
        str(failed + timeout),  # h2load counts errored requests among the failed too
        str(sum(int(g) for g in codes.groups()[1:])) if codes else "0",
        protocol.group(1) if protocol else "none",
    ])


def java_alloc(pid: int) -> int:
    dump = subprocess.run(["jstack", "-e", str(pid)], capture_output=True, text=True, check=True).stdout
    units = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    total = 0
    for line in dump.splitlines():
        if line.startswith('"portico-io-'):
            m = re.search(r"allocated=(\d+)([BKMG])", line)
            if m:
                if m.group(2) == "G":
                    raise SystemExit("measure.py java-alloc: a thread has allocated over 100 GiB; jstack -e prints whole GiB"
                                     " then, too coarse for bytes per request: measure a freshly started process")
                total += int(m.group(1)) * units[m.group(2)]
    return total


if __name__ == "__main__":
    command, arg = sys.argv[1], sys.argv[2]
    if command == "cpu":
        print(f"{cpu_seconds(int(arg)):.2f}")
    elif command == "mem":
        print(pss_kib(int(arg)))
    elif command == "threads":
        print(threads(int(arg)))
    elif command == "thread-cpu":
        print(thread_cpu(int(arg)))
    elif command == "idle":
        print(f"{idle_percent(float(arg)):.0f}")
    elif command == "wrk":
        print(wrk(arg))
    elif command == "h2load":
        print(h2load(arg))
    elif command == "java-alloc":
        print(java_alloc(int(arg)))
    else:
        raise SystemExit(f"measure.py: unknown command {command}")
