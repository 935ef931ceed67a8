#!/usr/bin/env python3
"""Resumed TLS handshakes per second, standard library only (OpenSSL under Python's ssl module).

One full handshake with SNI HOST to 127.0.0.1:PORT gets a session ticket; then, for SECONDS, each
new connection offers the newest ticket, sends `GET / HTTP/1.1` with `Connection: close`, reads
the response to the end and keeps the ticket that came with it (TLS 1.3 sends tickets after the
handshake, so the response must be read before the session is taken). Prints
`resumed_per_s=<n> reused=<fraction>`; the rate counts only connections that did resume.

    resume_tls.py PORT HOST SECONDS tls1.2|tls1.3
"""
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


def main(port: int, host: str, seconds: float, version: str) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    pinned = ssl.TLSVersion.TLSv1_3 if version == "tls1.3" else ssl.TLSVersion.TLSv1_2
    ctx.minimum_version = ctx.maximum_version = pinned
    _, session = connect(ctx, port, host, None)
    total = resumed = 0
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        reused, fresh = connect(ctx, port, host, session)
        total += 1
        if reused:
            resumed += 1
        session = fresh or session
    elapsed = time.monotonic() - start
    print(f"resumed_per_s={resumed / elapsed:.0f} reused={resumed / max(total, 1):.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4])
