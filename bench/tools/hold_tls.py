#!/usr/bin/env python3
"""Holds COUNT idle keep-alive TLS connections open to a proxy, standard library only.

Each connection does a full handshake with SNI HOST on 127.0.0.1:PORT, sends one small GET and
reads the whole response, then stays open and silent (what a browser's idle keep-alive connection
looks like). THREADS threads (default 4) open them side by side (Python's ssl releases the GIL
during handshakes), so that 8,000 take seconds rather than the time of 8,000 sequential round
trips. Prints `held <n>` once all are open and none has been closed by the proxy, then waits until
SIGTERM or HOLD_SECONDS. Prints `failed...` and exits 1 if fewer than COUNT could be opened or
kept. The sockets are checked with poll(), which, unlike select(), takes descriptors above 1024.

    hold_tls.py PORT HOST COUNT HOLD_SECONDS [THREADS]
"""
import resource
import select
import signal
import socket
import ssl
import sys
import threading
import time


def read_response(sock: ssl.SSLSocket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response body")
        body += chunk
    return head.split(b"\r\n")[0]


def open_some(ctx: ssl.SSLContext, port: int, host: str, count: int, held: list, errors: list) -> None:
    """One opening thread: appends COUNT open connections to HELD, or stops at the first error."""
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    for _ in range(count):
        if errors:
            return
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = ctx.wrap_socket(raw, server_hostname=host)
            sock.sendall(request)
            read_response(sock)
            held.append(sock)  # list.append is atomic
        except (OSError, ConnectionError) as e:
            errors.append(e)
            return


def main(port: int, host: str, count: int, hold: float, threads: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 1024)), hard))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    held, errors = [], []
    shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    openers = [threading.Thread(target=open_some, args=(ctx, port, host, n, held, errors)) for n in shares]
    for t in openers:
        t.start()
    for t in openers:
        t.join()
    if errors:
        print(f"failed after {len(held)}: {errors[0]}", flush=True)
        return 1
    # a connection the proxy has closed meanwhile polls readable (EOF or an alert): not held
    poller = select.poll()
    for sock in held:
        poller.register(sock, select.POLLIN)
    closed = len(poller.poll(0))
    if closed:
        print(f"failed: the proxy closed {closed} of {count} idle connections", flush=True)
        return 1
    print(f"held {len(held)}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    time.sleep(hold)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
                  int(sys.argv[5]) if len(sys.argv) > 5 else 4))
