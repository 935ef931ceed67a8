#!/usr/bin/env python3
"""Resumed TLS handshakes per second, standard library only (OpenSSL under Python's ssl module).

CLIENTS processes (default 4) run side by side, so that the proxy rather than one sequential
Python client is what limits the rate. Each one does a full handshake with SNI HOST to
127.0.0.1:PORT to get its own session ticket; then, once all are ready, for SECONDS each new
connection offers that process's newest ticket, sends `GET / HTTP/1.1` with `Connection: close`,
reads the response to the end and keeps the ticket that came with it (TLS 1.3 sends tickets after
the handshake, so the response must be read before the session is taken). Prints
`resumed_per_s=<n> reused=<fraction> clients=<n>`: the rates of the processes summed, counting
only connections that did resume, and the fraction of all connections that resumed.

    resume_tls.py PORT HOST SECONDS tls1.2|tls1.3 [CLIENTS]
"""
import multiprocessing
import socket
import ssl
import sys
import time


def connect(ctx: ssl.SSLContext, port: int, host: str, session):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    # as wrk and browsers do: without it, Nagle holds the request behind the unacknowledged
    # Finished and the server's delayed ACK adds 40 ms to every connection
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock = ctx.wrap_socket(raw, server_hostname=host, session=session)
    sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    while sock.recv(65536):
        pass
    reused, new_session = sock.session_reused, sock.session
    sock.close()
    return reused, new_session


def client(port: int, host: str, seconds: float, version: str, ready, results) -> None:
    """One process: its own context and ticket chain; puts (resumed, total, elapsed) or an error."""
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        pinned = ssl.TLSVersion.TLSv1_3 if version == "tls1.3" else ssl.TLSVersion.TLSv1_2
        ctx.minimum_version = ctx.maximum_version = pinned
        _, session = connect(ctx, port, host, None)
        ready.wait(30)
        total = resumed = 0
        start = time.monotonic()
        deadline = start + seconds
        while time.monotonic() < deadline:
            reused, fresh = connect(ctx, port, host, session)
            total += 1
            if reused:
                resumed += 1
            session = fresh or session
        results.put((resumed, total, time.monotonic() - start))
    except (OSError, ssl.SSLError, multiprocessing.BrokenBarrierError) as e:
        ready.abort()
        results.put(f"{type(e).__name__}: {e}")


def main(port: int, host: str, seconds: float, version: str, clients: int) -> int:
    ready = multiprocessing.Barrier(clients)
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(port, host, seconds, version, ready, results))
               for _ in range(clients)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=seconds + 60) for _ in workers]
    for w in workers:
        w.join()
    errors = [o for o in outcomes if isinstance(o, str)]
    if errors:
        print(f"failed: {errors[0]}")
        return 1
    rate = sum(resumed / elapsed for resumed, _, elapsed in outcomes)
    resumed = sum(o[0] for o in outcomes)
    total = sum(o[1] for o in outcomes)
    print(f"resumed_per_s={rate:.0f} reused={resumed / max(total, 1):.3f} clients={clients}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4],
                  int(sys.argv[5]) if len(sys.argv) > 5 else 4))
