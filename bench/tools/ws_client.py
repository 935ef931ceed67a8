#!/usr/bin/env python3
"""WebSocket echo round trips over TLS through a proxy, standard library only.

PROCS processes (default 1) each open CONNS connections to 127.0.0.1:PORT with SNI HOST and do
the RFC 6455 opening handshake on PATH; once every process is ready, each connection sends a
32-byte masked text frame and waits for its echo, again and again, for SECONDS. Prints
`round_trips_per_s=<n> round_trips=<total>` (the processes' rates and counts summed); prints `n/a: <why>` and exits 2 when the
proxy does not complete the upgrade (no 101, wrong Sec-WebSocket-Accept, or a wrong echo).

    ws_client.py PORT HOST PATH CONNS SECONDS [PROCS]
"""
import asyncio
import base64
import hashlib
import multiprocessing
import os
import ssl
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PAYLOAD = b"portico-bench websocket payload!"  # 32 bytes


class NotAvailable(Exception):
    pass


def masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked


async def open_ws(port: int, host: str, path: str):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx, server_hostname=host)
    key = base64.b64encode(os.urandom(16))
    writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode()
                 + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                 + b"Sec-WebSocket-Key: " + key + b"\r\n\r\n")
    await writer.drain()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError) as e:
        raise NotAvailable(f"no upgrade response ({type(e).__name__})")
    lines = head.split(b"\r\n")
    if b" 101 " not in lines[0] + b" ":
        raise NotAvailable("upgrade answered " + lines[0].decode(errors="replace"))
    expected = base64.b64encode(hashlib.sha1(key + GUID).digest())
    accept = [l.partition(b":")[2].strip() for l in lines[1:] if l.lower().startswith(b"sec-websocket-accept:")]
    if accept != [expected]:
        raise NotAvailable("wrong Sec-WebSocket-Accept")
    return reader, writer


async def ping_pong(reader, writer, deadline: float) -> int:
    request = masked_text_frame(PAYLOAD)
    answer = struct.pack("!BB", 0x81, len(PAYLOAD)) + PAYLOAD
    count = 0
    while time.monotonic() < deadline:
        writer.write(request)
        got = await asyncio.wait_for(reader.readexactly(len(answer)), 5)
        if got != answer:
            raise NotAvailable("echo differs from what was sent")
        count += 1
    writer.write(struct.pack("!BB", 0x88, 0x82) + b"\0\0\0\0" + b"\x03\xe8")
    writer.close()
    return count


async def run(port: int, host: str, path: str, conns: int, seconds: float, ready) -> tuple:
    sockets = [await open_ws(port, host, path) for _ in range(conns)]
    await asyncio.get_running_loop().run_in_executor(None, ready.wait, 30)
    start = time.monotonic()
    counts = await asyncio.gather(*(ping_pong(r, w, start + seconds) for r, w in sockets))
    return sum(counts), time.monotonic() - start


def process(port: int, host: str, path: str, conns: int, seconds: float, ready, results) -> None:
    """One client process: puts (round trips, elapsed seconds), or the reason it has none."""
    try:
        results.put(asyncio.run(run(port, host, path, conns, seconds, ready)))
    except (NotAvailable, OSError, asyncio.IncompleteReadError, asyncio.TimeoutError,
            multiprocessing.BrokenBarrierError) as e:
        ready.abort()
        results.put(f"{e or type(e).__name__}")


def main(port: int, host: str, path: str, conns: int, seconds: float, procs: int) -> int:
    ready = multiprocessing.Barrier(procs)
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=process, args=(port, host, path, conns, seconds, ready, results))
               for _ in range(procs)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=seconds + 60) for _ in workers]
    for w in workers:
        w.join()
    errors = [o for o in outcomes if isinstance(o, str)]
    if errors:
        print(f"n/a: {errors[0]}")
        return 2
    rate = sum(count / elapsed for count, elapsed in outcomes)
    print(f"round_trips_per_s={rate:.0f} round_trips={sum(count for count, _ in outcomes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]),
                  int(sys.argv[6]) if len(sys.argv) > 6 else 1))
