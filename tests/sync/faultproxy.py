"""A loopback HTTP/1.1 proxy for fault injection between the terminal and the real server.

It understands just enough HTTP (Content-Length framing, keep-alive) to forward whole requests and
responses, and on request injects one fault for requests whose path starts with a prefix: edit a record in flight,
reset the
connection, answer 500, drip the response a byte at a time, send a body far over any cap, send half a
response and vanish, drop the response after the server committed, or hold the request or the response
until the client gives up or is killed.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass


@dataclass
class Fault:
    mode: str  # reset | http500 | drip | flood | tamper | vanish | drop_response | hold_request | hold_response
    prefix: str = "/"
    times: int | None = None  # None: every matching request
    skip: int = 0  # let this many matching requests through first


def _read_message(sock: socket.socket, buf: bytearray) -> bytes | None:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)
    end = buf.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buf[:end]).split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    while len(buf) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)
    msg = bytes(buf[: end + length])
    del buf[: end + length]
    return msg


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str]] = []  # (path, what happened)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self.tamper_from, self.tamper_to = "低保金".encode(), "低保费".encode()
        threading.Thread(target=self._accept, daemon=True).start()

    def set_fault(self, mode: str, prefix: str = "/", times: int | None = None, skip: int = 0) -> None:
        with self._lock:
            self.faults = [Fault(mode, prefix, times, skip)]

    def clear(self) -> None:
        with self._lock:
            self.faults = []

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.close()

    def _pick(self, path: str) -> str | None:
        with self._lock:
            for f in self.faults:
                if not path.startswith(f.prefix):
                    continue
                if f.skip > 0:
                    f.skip -= 1
                    return None
                if f.times is not None:
                    if f.times <= 0:
                        continue
                    f.times -= 1
                return f.mode
        return None

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._conns.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        up: socket.socket | None = None
        cbuf, ubuf = bytearray(), bytearray()
        try:
            while True:
                req = _read_message(client, cbuf)
                if req is None:
                    return
                path = req.split(b" ", 2)[1].decode()
                mode = self._pick(path)
                self.log.append((path, mode or "pass"))
                if mode == "reset":
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if mode == "http500":
                    body = b'{"error":"internal","message":"boom"}'
                    client.sendall(
                        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                    continue
                if mode == "flood":
                    client.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
                    )
                    block = b"[" + b"0," * 32768
                    for _ in range(20000):
                        client.sendall(block)
                    return
                if mode == "hold_request":
                    self._stop.wait(120)
                    return
                if up is None:
                    up = socket.create_connection(self.upstream)
                up.sendall(req)
                resp = _read_message(up, ubuf)
                if resp is None:
                    return
                if mode in ("drop_response",):
                    return
                if mode == "hold_response":
                    self._stop.wait(120)
                    return
                if mode == "tamper":  # a man in the middle edits a record (same length, so framing holds)
                    client.sendall(resp.replace(self.tamper_from, self.tamper_to))
                    continue
                if mode == "vanish":
                    client.sendall(resp[: max(len(resp) // 2, 1)])
                    return
                if mode == "drip":
                    for i in range(len(resp)):
                        client.sendall(resp[i : i + 1])
                        time.sleep(0.05)
                        if self._stop.is_set():
                            return
                    continue
                client.sendall(resp)
        except OSError:
            return
        finally:
            client.close()
            if up is not None:
                up.close()
