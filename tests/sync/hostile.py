"""A hostile district server on 127.0.0.1 for the sync tests: raw sockets, no HTTP library.

It forwards every request to the real reference server (``upstream``) except those a rule claims; a
rule answers with raw bytes of its choosing, possibly dripped, possibly endless. Rules see the request
(method, path, headers, body) and the real server's answer when they ask for it, so an attack can
start from a genuine, correctly signed answer and break one thing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    raw: bytes


Chunks = Iterable[bytes | float]  # bytes to send, or seconds to sleep before the next piece
Rule = Callable[[Request, Callable[[], bytes]], Chunks]


def _read_request(sock: socket.socket, buf: bytearray) -> Request | None:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)
    end = buf.index(b"\r\n\r\n") + 4
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    method, path, _ = head[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
    length = int(headers.get("content-length", "0"))
    while len(buf) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)
    raw = bytes(buf[: end + length])
    del buf[: end + length]
    return Request(method, path, headers, raw[end:], raw)


def _read_response(sock: socket.socket) -> bytes:
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(buf)
        buf.extend(chunk)
    end = buf.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buf[:end]).split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    while len(buf) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf.extend(chunk)
    return bytes(buf)


def body_of(response: bytes) -> bytes:
    return response.split(b"\r\n\r\n", 1)[1]


def http(status: int, body: bytes, headers: dict[str, str] | None = None, *, length: int | None = None) -> bytes:
    """One HTTP/1.1 response (Content-Length framing unless ``length`` says otherwise)."""
    hdrs = {"Content-Type": "application/json", "Content-Length": str(len(body) if length is None else length)}
    hdrs.update(headers or {})
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    return head.encode("latin-1") + body


def json_answer(obj: Any, status: int = 200) -> bytes:
    return http(status, json.dumps(obj, ensure_ascii=False).encode())


def gzip_bomb(decoded_mb: int, prefix: bytes = b"") -> bytes:
    """``prefix`` then ``decoded_mb`` MB of spaces (valid JSON whitespace), gzip-compressed (~1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(prefix)]
    block = b" " * (1024 * 1024)
    out.extend(comp.compress(block) for _ in range(decoded_mb))
    out.append(comp.flush())
    return b"".join(out)


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body)


class HostileServer:
    """``rule(prefix, fn)`` claims requests whose path starts with ``prefix``; others go upstream."""

    def __init__(self, upstream_port: int | None = None) -> None:
        self.upstream = ("127.0.0.1", upstream_port) if upstream_port else None
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.rules: list[tuple[str, Rule]] = []
        self.seen: list[Request] = []
        self.sent: dict[str, int] = {}  # path prefix of a rule -> bytes it sent
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def rule(self, prefix: str, fn: Rule) -> None:
        self.rules.append((prefix, fn))

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.close()

    def _upstream(self, req: Request) -> bytes:
        assert self.upstream is not None
        with socket.create_connection(self.upstream) as up:
            raw = req.raw.replace(b"\r\nConnection: keep-alive\r\n", b"\r\n")
            up.sendall(raw)
            return _read_response(up)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._conns.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buf = bytearray()
        try:
            while not self._stop.is_set():
                req = _read_request(client, buf)
                if req is None:
                    return
                self.seen.append(req)
                for prefix, fn in self.rules:
                    if req.path.startswith(prefix):
                        for piece in fn(req, lambda req=req: self._upstream(req)):
                            if self._stop.is_set():
                                return
                            if isinstance(piece, float | int):
                                time.sleep(piece)
                            else:
                                client.sendall(piece)
                                self.sent[prefix] = self.sent.get(prefix, 0) + len(piece)
                        break
                else:
                    client.sendall(self._upstream(req))
        except OSError:
            return
        finally:
            client.close()


def resigned(response: bytes, signer: Any, edit: Callable[[dict[str, Any]], None], *, kind: str = "") -> bytes:
    """The real server's signed answer with its payload edited by ``edit`` and signed again with the
    district's own key: a server that holds the key and lies."""
    envelope = json.loads(body_of(response))
    payload = envelope["payload"]
    edit(payload)
    return json_answer(signer.sign(payload))
