"""The terminal's HTTP calls to the district server, each capped in decoded bytes and in time.

Time. Every call has one deadline for the whole exchange up to the last header byte (connect, TLS,
request, any number of ``1xx`` answers, the status line and headers): ``header_budget_s`` =
``max(3 × timeout_s, 5 s)``. It is enforced on every socket operation by :class:`DeadlineBackend` (each
connect, read and write gets at most the time left), so a server that drips its headers a byte at a time
or floods ``100 Continue`` is cut off at the client's own deadline. The body then has to keep a minimum
pace instead of a fixed time: by ``t`` seconds into the body at least ``MIN_RATE × (t − header_budget)``
bytes must have arrived, so a slow but honest link (a 2 MB page at 20 KB/s) finishes while a drip
(bytes every few seconds) is cut within a few seconds of falling behind.

A body also has an overall deadline, ``header_budget + wire cap / MIN_RATE`` from its first byte (the
wire cap: the decoded cap, plus 1/64 and 1 KB for a compressed body, which is never legitimately larger
than what it decodes to), so a body that keeps the pace while decoding to nothing (a stream of empty
deflate blocks) still ends.

Bytes. A declared ``Content-Length`` over the wire cap is refused before a byte of the body is read.
Bodies are read raw and decoded here (gzip and deflate only; the terminal asks for gzip), the decoder
producing at most ``DECODE_STEP`` (64 KB) per call and never more than the cap allows, so a gzip bomb is
abandoned at the cap of *decoded* bytes holding at most the cap plus one step (measured in
``tests/sync/test_http.py``); a complete JSON body is assembled into one buffer chunk by chunk (peak about
1.125 × its size). Error bodies are capped at 4 KB decoded.

Failures become :class:`NetworkError` (no answer, or an answer too big or too slow; :class:`Unreachable`
when there was no connection at all) or :class:`StatusError` (an error status), with a message in plain
Chinese for the screens and a short ``code`` (``offline``, ``timeout``, ``http-503`` …) for the fleet page;
the technical detail (the exception's class, the server's own error text) goes to the log only.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import httpcore
import httpx

from kiosk.config import Config
from kiosk.errors import NetworkError, ServerError
from sync.failures import status_sentence
from sync.protocol import schema

USER_AGENT = "zwgk-kiosk-sync/1"
MIN_RATE = 2048  # bytes/s a body must keep up on average once the header budget is spent
ERROR_BODY_CAP = 4096
DECODE_STEP = 64 * 1024  # decoded bytes produced per decompress call

log = logging.getLogger("sync.http")


class Unreachable(NetworkError):
    """No connection to the server at all (refused, unresolvable, TLS failure, connect timeout)."""

    code = "offline"


class CertificateError(Unreachable):
    """The server's TLS certificate could not be verified against the configured CA bundle."""

    code = "tls"


class TooSlow(NetworkError):
    """The server answered too slowly (the call's deadline or the body's minimum pace)."""

    code = "timeout"


class TooBig(NetworkError):
    """The answer's decoded body passed its byte cap."""

    code = "too-big"


class BadEncoding(NetworkError):
    """The answer's compression is unsupported or damaged."""

    code = "bad-encoding"


class StatusError(ServerError):
    """The server answered with an error status (``status``); 4xx means it refused this request. The
    message is plain Chinese with the status as its code; the server's own error text goes to the log."""

    def __init__(self, message: str, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code or f"http-{status}"


class _Deadline(threading.local):
    at: float | None = None

    def left(self, timeout: float | None) -> float | None:
        """``timeout`` cut to the time left before the deadline; a timeout error once it has passed."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the call's deadline has passed")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation gets at most the time left before the call's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self.inner = inner
        self.deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # a write loop of tiny sends cannot outlive the deadline: each send is given what is left
        self.inner.write(buffer, self.deadline.left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self.inner.start_tls(ssl_context, server_hostname, self.deadline.left(timeout))
        return DeadlineStream(inner, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each operation bounded by the calling thread's deadline."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.deadline = _Deadline()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self.deadline.left(timeout)
        return DeadlineStream(self.inner.connect_tcp(host, port, left, local_address, socket_options), self.deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self.inner.connect_unix_socket(path, timeout, socket_options), self.deadline)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over :class:`DeadlineBackend` (no proxies: a terminal talks to its server)."""

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        super().__init__(verify=verify, trust_env=False)
        self.backend = DeadlineBackend()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=4,
            network_backend=self.backend,
        )


def _transport_error(what: str, exc: httpx.TransportError) -> NetworkError:
    log.info("%s: %s: %s", what, type(exc).__name__, str(exc)[:200])  # the detail for IT, not for staff
    if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
        return CertificateError(f"{what}：无法连接服务器（服务器证书无法验证，请检查证书配置）")
    if isinstance(exc, httpx.ConnectTimeout):
        return Unreachable(f"{what}：无法连接服务器（连接超时），请检查网络")
    if isinstance(exc, httpx.ConnectError):
        return Unreachable(f"{what}：无法连接服务器，请检查网络")
    return NetworkError(f"{what}：与服务器的连接中断，稍后会自动重试")


class _Decoder:
    """Content-Encoding identity, gzip or deflate, decoded incrementally and never past ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int, what: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.z = None
        elif encoding in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.z = zlib.decompressobj()
        else:
            raise BadEncoding(f"{what}：服务器使用了不支持的压缩方式，已中止")
        self.cap, self.what, self.total = cap, what, 0

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.cap:
            raise TooBig(f"{self.what}：服务器回应解压后超过 {self.cap // 1024} KB 上限，已中止")
        return data

    def feed(self, raw: bytes) -> Iterator[bytes]:
        if self.z is None:
            yield self._count(raw)
            return
        data = raw
        while data:
            try:
                out = self.z.decompress(data, min(DECODE_STEP, self.cap - self.total + 1))
            except zlib.error:
                raise BadEncoding(f"{self.what}：服务器回应的压缩数据已损坏") from None
            yield self._count(out)
            data = self.z.unconsumed_tail
            if self.z.eof:
                return


def wire_cap(cap: int, encoding: str) -> int:
    """The most body bytes on the wire an answer decoding to at most ``cap`` bytes may take: ``cap``
    itself, or a little more for a compressed body (deflate's stored blocks add 5 bytes per 64 KB)."""
    if encoding.strip().lower() in ("", "identity"):
        return cap
    return cap + cap // 64 + 1024


def declared_length(resp: httpx.Response) -> int | None:
    raw = resp.headers.get("content-length")
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 18:
        return None
    return int(raw)


class ServerClient:
    """One terminal's connection to its district server (TLS CA bundle and token from the config)."""

    def __init__(self, cfg: Config, *, transport: httpx.BaseTransport | None = None) -> None:
        s = cfg.server
        self.timeout_s = s.timeout_s
        self.max_bytes = s.max_response_mb * 1024 * 1024
        self.header_budget_s = max(3 * s.timeout_s, 5.0)
        self.received_bytes = 0  # response body bytes on the wire, for the benchmark and the logs
        self.keep: list[bytes] | None = None  # set to a list to keep a copy of every body (benchmark)
        verify: Any = ssl.create_default_context(cafile=s.ca_bundle) if s.ca_bundle else True
        self.transport = transport if transport is not None else DeadlineTransport(verify)
        self._deadline = self.transport.backend.deadline if isinstance(self.transport, DeadlineTransport) else None
        self.http = httpx.Client(
            base_url=s.url.rstrip("/"),
            headers={"Authorization": f"Bearer {s.token}", "User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
            timeout=httpx.Timeout(s.timeout_s),
            transport=self.transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _set_deadline(self, at: float | None) -> None:
        if self._deadline is not None:
            self._deadline.at = at

    def _body(self, resp: httpx.Response, cap: int, what: str, *, keep: bool = True) -> Iterator[bytes]:
        """The decoded body, chunk by chunk, under the byte caps, the minimum pace and the overall deadline."""
        encoding = resp.headers.get("content-encoding", "")
        decoder = _Decoder(encoding, cap, what)
        limit = wire_cap(cap, encoding)
        declared = declared_length(resp)
        if declared is not None and declared > limit:  # refused before a byte of it is read
            raise TooBig(f"{what}：服务器声明的回应大小（{declared // 1024} KB）超过 {cap // 1024} KB 上限，已中止")
        start = time.monotonic()
        overall = start + self.header_budget_s + limit / MIN_RATE
        wire = 0
        self._set_deadline(start + self.header_budget_s)
        for raw in resp.iter_raw():  # as the socket delivers (a chunk size would hold bytes back)
            wire += len(raw)
            self.received_bytes += len(raw)
            now = time.monotonic()
            if wire > limit:
                raise TooBig(f"{what}：服务器回应超过 {cap // 1024} KB 上限，已中止")
            if now > start + self.header_budget_s + wire / MIN_RATE or now > overall:
                raise TooSlow(f"{what}：服务器回应太慢（{wire // 1024} KB 用了 {now - start:.0f} 秒），已中止")
            # the next read may wait until the pace this body has earned runs out (and never past the end)
            self._set_deadline(min(overall, start + self.header_budget_s + wire / MIN_RATE))
            for data in decoder.feed(raw):
                if keep and self.keep is not None:
                    self.keep.append(data)
                yield data

    def _whole(self, resp: httpx.Response, cap: int, what: str) -> bytearray:
        """The decoded body in one buffer. Read as chunks of at most DECODE_STEP (a bomb is dropped holding
        the cap plus one step), then moved into one buffer chunk by chunk, each freed as it is copied."""
        chunks = list(self._body(resp, cap, what))
        chunks.reverse()
        out = bytearray()
        while chunks:
            out += chunks.pop()
        return out

    def _error(self, resp: httpx.Response, what: str) -> StatusError:
        code, message = str(resp.status_code), ""
        try:
            raw = b"".join(self._body(resp, ERROR_BODY_CAP, what, keep=False))
            body = schema.check(schema.ErrorBody, schema.loads(raw, what), what)
            code, message = body.error or code, body.message[:200]
        except (NetworkError, ServerError, httpx.HTTPError):
            pass  # an error body too big, too slow or malformed: the status says enough
        # the server's own words (English, or anything a hostile server says) go to the log only
        log.warning("%s: HTTP %s %s %s", what, resp.status_code, code[:64], message[:200])
        revoked = resp.status_code == 401 and code == "terminal_revoked"
        short, sentence = status_sentence(resp.status_code, revoked)
        return StatusError(sentence if revoked else f"{what}：{sentence}", resp.status_code, short)

    def request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        cap: int | None = None,
    ) -> Any:
        """One JSON request; the decoded, bounded JSON answer of a 2xx response (see :mod:`sync.protocol.schema`)."""
        cap = cap or self.max_bytes
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        hdrs = dict(headers or {})
        if content is not None:
            hdrs["Content-Type"] = "application/json"
        self._set_deadline(time.monotonic() + self.header_budget_s)
        try:
            with self.http.stream(method, path, params=params, content=content, headers=hdrs) as resp:
                if resp.status_code >= 300:
                    raise self._error(resp, what)
                data = self._whole(resp, cap, what)
        except httpx.TimeoutException:
            raise TooSlow(f"{what}：服务器回应太慢或连接超时，已中止") from None
        except httpx.TransportError as exc:
            raise _transport_error(what, exc) from None
        finally:
            self._set_deadline(None)
        return schema.loads(data, what)

    def download(self, path: str, out: BinaryIO, offset: int, size: int, what: str, *, end: int | None = None) -> None:
        """Append bytes ``offset..size`` of a blob to ``out`` (resuming with Range); never more than ``size``.
        With ``end``, only bytes ``offset..end`` (a slice of a large file, ``Range: bytes=offset-end``).

        What arrived before a failure stays in ``out``, so the next call resumes from there."""
        if end is not None:
            headers = {"Range": f"bytes={offset}-{end}"}
            size = end + 1
        else:
            headers = {"Range": f"bytes={offset}-"} if offset else {}
        self._set_deadline(time.monotonic() + self.header_budget_s)
        try:
            with self.http.stream("GET", path, headers=headers) as resp:
                if resp.status_code == 416 and offset >= size:
                    return
                if resp.status_code not in (200, 206):
                    raise self._error(resp, what)
                if resp.status_code == 200 and offset:
                    out.seek(0)
                    out.truncate()
                    offset = 0
                for chunk in self._body(resp, size - offset, what):
                    out.write(chunk)
        except httpx.TimeoutException:
            raise TooSlow(f"{what}：服务器回应太慢或连接超时，已中止") from None
        except httpx.TransportError as exc:
            raise _transport_error(what, exc) from None
        finally:
            self._set_deadline(None)
