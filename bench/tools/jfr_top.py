#!/usr/bin/env python3
"""Summarises a JFR recording of Portico under load: where the CPU time goes.

    jfr_top.py RECORDING.jfr THREADS_BEFORE THREADS_AFTER [REQUESTS]

Prints (1) CPU per thread group over the load, from /proc tick snapshots taken by
`measure.py thread-cpu` (this includes time in native code such as BoringSSL, which JFR's
execution samples do not see), (2) the top frames by self samples and (3) the top Portico and
Netty frames by inclusive samples, from jdk.ExecutionSample (threads in Java code), and (4) the
top native methods from jdk.NativeMethodSample (threads parked in or running native code),
(5) allocation by class and site (per request when REQUESTS is given) and (6) GC pauses.
Needs the JDK's `jfr` tool.
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+(\S.*?)(?:\s+line: \d+)?(?:\s+bci: \d+)?$")


def events(recording: str, event: str) -> list:
    """Each event of type EVENT as (thread, stack frames, top-level fields) from `jfr print`."""
    text = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", event, recording],
                          check=True, capture_output=True, text=True).stdout
    found, stack, fields, thread, in_stack = [], [], {}, "", False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.endswith("{") and not line.startswith(" "):
            stack, fields, thread, in_stack = [], {}, "", False
        elif stripped.startswith(("sampledThread", "eventThread")):
            thread = stripped.split('"')[1] if '"' in stripped else stripped
        elif stripped.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and stripped == "]":
            in_stack = False
        elif in_stack and stripped and stripped != "...":
            stack.append(re.sub(r"\s+line: \d+.*$", "", stripped))
        elif stripped == "}" and not line.startswith(" "):
            found.append((thread, stack, fields))
        elif " = " in stripped and not in_stack and line.startswith("  ") and not line.startswith("   "):
            key, _, value = stripped.partition(" = ")
            fields[key] = value
    return found


SIZE = {"bytes": 1, "byte": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def size(text: str) -> float:
    number, unit = text.split()[:2]
    return float(number) * SIZE[unit]


def millis(text: str) -> float:
    number, unit = text.split()[:2]
    return float(number) * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}[unit]


def group(thread: str) -> str:
    return re.sub(r"[-#]?\d+(-\d+)*$", "", thread).strip() or thread


def thread_table(before: str, after: str) -> list:
    def read(path):
        ticks = {}
        with open(path) as f:
            for line in f:
                t, tid, name = line.rstrip("\n").split("\t", 2)
                ticks[tid] = (int(t), name)
        return ticks
    b, a = read(before), read(after)
    groups = collections.Counter()
    for tid, (t, name) in a.items():
        groups[group(name)] += t - b.get(tid, (0, name))[0]
    total = sum(groups.values()) or 1
    lines = [f"CPU by thread group during the load ({total / 100:.1f} CPU-s, /proc ticks):"]
    for name, t in groups.most_common(12):
        if t:
            lines.append(f"  {100 * t / total:5.1f}%  {t / 100:6.2f} s  {name}")
    return lines


def top(counter: collections.Counter, total: int, n: int) -> list:
    return [f"  {100 * c / total:5.1f}%  {frame}" for frame, c in counter.most_common(n)]


def main(recording: str, before: str, after: str, requests: int) -> None:
    out = thread_table(before, after) + [""]
    samples = [(t, st) for t, st, _ in events(recording, "jdk.ExecutionSample") if st]
    total = len(samples) or 1
    by_thread = collections.Counter(group(t) for t, _ in samples)
    out.append(f"jdk.ExecutionSample: {len(samples)} samples; by thread group: "
               + ", ".join(f"{g} {100 * c / total:.0f}%" for g, c in by_thread.most_common(6)))
    self_frames = collections.Counter(stack[0] for _, stack in samples)
    out += ["", "Top frames by self samples (Java code):"] + top(self_frames, total, 25)
    inclusive = collections.Counter()
    for _, stack in samples:
        for frame in set(stack):
            if frame.startswith(("dev.portico.", "io.netty.")):
                inclusive[frame] += 1
    out += ["", "Top Portico and Netty frames by inclusive samples:"] + top(inclusive, total, 30)
    portico = collections.Counter()
    for _, stack in samples:
        for frame in set(stack):
            if frame.startswith("dev.portico."):
                portico[frame] += 1
    out += ["", "Portico frames by inclusive samples:"] + top(portico, total, 20)
    native = [(t, st) for t, st, _ in events(recording, "jdk.NativeMethodSample") if st]
    if native:
        ntotal = len(native)
        out += ["", f"jdk.NativeMethodSample: {ntotal} samples (threads in native code, e.g. epoll_wait, BoringSSL):"]
        out += top(collections.Counter(stack[0] for _, stack in native), ntotal, 12)
    allocations = events(recording, "jdk.ObjectAllocationSample")
    if allocations:
        weights, by_class, by_site = 0.0, collections.Counter(), collections.Counter()
        for _, stack, fields in allocations:
            weight = size(fields.get("weight", "0 bytes"))
            weights += weight
            by_class[fields.get("objectClass", "?").split(" (")[0]] += weight
            site = next((f for f in stack if f.startswith("dev.portico.")),
                        next((f for f in stack if f.startswith("io.netty.")), stack[0] if stack else "?"))
            by_site[site] += weight
        line = f"Allocation (jdk.ObjectAllocationSample weights): {weights / 1048576:.0f} MiB in the recording"
        if requests:
            line += f", about {weights / requests:.0f} bytes per request"
        out += ["", line, "  by class:"]
        out += [f"  {100 * w / weights:5.1f}%  {c}" for c, w in by_class.most_common(10)]
        out += ["  by allocating site (first Portico frame, else first Netty frame):"]
        out += [f"  {100 * w / weights:5.1f}%  {c}" for c, w in by_site.most_common(12)]
    collections_ = events(recording, "jdk.GarbageCollection")
    if collections_:
        pauses = [millis(f.get("sumOfPauses", "0 ms")) for _, _, f in collections_]
        out += ["", f"GC: {len(pauses)} collections, {sum(pauses):.0f} ms of pauses in all, longest {max(pauses):.1f} ms"]
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
