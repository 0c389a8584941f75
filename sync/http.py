"""The terminal's HTTP calls to the district server, each capped in bytes and in time.

httpx's timeouts bound each connect and each read; a server that drips one byte at a time would still
never finish, so every call also has a total deadline, and every body is read as a stream and abandoned
the moment it passes its byte cap. Failures become :class:`NetworkError` (no answer, or an answer too big
or too slow) or :class:`ServerError` (an error status), with a message in plain Chinese for the screens.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

import httpx

from kiosk.config import Config
from kiosk.errors import NetworkError, ServerError
from sync import schema

USER_AGENT = "zwgk-kiosk-sync/1"


class Unreachable(NetworkError):
    """No connection to the server at all (refused, unresolvable, TLS failure, connect timeout)."""


def _transport_error(what: str, exc: httpx.TransportError) -> NetworkError:
    if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
        return Unreachable(f"{what}：无法连接服务器（服务器证书无法验证，请检查 CA 证书配置）")
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return Unreachable(f"{what}：无法连接服务器（{type(exc).__name__}）")
    return NetworkError(f"{what}：与服务器的连接中断（{type(exc).__name__}）")


class StatusError(ServerError):
    """The server answered with an error status (``status``); 4xx means it refused this request."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ServerClient:
    """One terminal's connection to its district server (TLS CA bundle and token from the config)."""

    def __init__(self, cfg: Config, *, transport: httpx.BaseTransport | None = None) -> None:
        s = cfg.server
        self.timeout_s = s.timeout_s
        self.max_bytes = s.max_response_mb * 1024 * 1024
        self.deadline_s = max(3 * s.timeout_s, 5.0)
        self.received_bytes = 0  # response body bytes, for the benchmark and the logs
        self.keep: list[bytes] | None = None  # set to a list to keep a copy of every body (benchmark)
        verify: Any = ssl.create_default_context(cafile=s.ca_bundle) if s.ca_bundle else True
        self.http = httpx.Client(
            base_url=s.url.rstrip("/"),
            headers={"Authorization": f"Bearer {s.token}", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(s.timeout_s),
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _chunks(self, resp: httpx.Response, cap: int, deadline: float, what: str) -> Iterator[bytes]:
        total = 0
        for chunk in resp.iter_bytes():
            total += len(chunk)
            self.received_bytes += len(chunk)
            if self.keep is not None:
                self.keep.append(chunk)
            if total > cap:
                raise NetworkError(f"{what}：服务器回应超过 {cap // 1024} KB 上限，已中止")
            if time.monotonic() > deadline:
                raise NetworkError(f"{what}：服务器回应太慢，已超时中止")
            yield chunk

    def _error(self, resp: httpx.Response, what: str) -> StatusError:
        code, message = str(resp.status_code), ""
        try:
            body = json.loads(resp.read()[:4096])
            if isinstance(body, dict):
                code, message = str(body.get("error", code)), str(body.get("message", ""))[:200]
        except (ValueError, httpx.HTTPError):
            pass
        if resp.status_code == 401 and code == "terminal_revoked":
            return StatusError("此终端已被区里停用，请联系区信息化人员重新登记（未发送的申请仍保存在本机）", 401)
        if resp.status_code == 401:
            return StatusError(f"{what}：服务器不认可本终端的令牌（{message or code}）", 401)
        if resp.status_code >= 500:
            return StatusError(f"{what}：服务器内部错误（HTTP {resp.status_code}）", resp.status_code)
        return StatusError(f"{what}：服务器拒绝（HTTP {resp.status_code} {code} {message}）", resp.status_code)

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
        """One JSON request; the decoded JSON answer of a 2xx response."""
        cap = cap or self.max_bytes
        deadline = time.monotonic() + self.deadline_s
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        hdrs = dict(headers or {})
        if content is not None:
            hdrs["Content-Type"] = "application/json"
        try:
            with self.http.stream(method, path, params=params, content=content, headers=hdrs) as resp:
                if resp.status_code >= 300:
                    raise self._error(resp, what)
                declared = resp.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > cap:
                    raise NetworkError(f"{what}：服务器回应 {int(declared) // 1024} KB，超过 {cap // 1024} KB 上限")
                data = b"".join(self._chunks(resp, cap, deadline, what))
        except httpx.TimeoutException:
            raise NetworkError(f"{what}：连接服务器超时") from None
        except httpx.TransportError as exc:
            raise _transport_error(what, exc) from None
        return schema.loads(data, what)

    def download(self, path: str, out: BinaryIO, offset: int, size: int, what: str) -> None:
        """Append bytes ``offset..size`` of a blob to ``out`` (resuming with Range); never more than ``size``."""
        deadline = time.monotonic() + self.deadline_s + size / (256 * 1024)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
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
                for chunk in self._chunks(resp, size - offset, deadline, what):
                    out.write(chunk)
        except httpx.TimeoutException:
            raise NetworkError(f"{what}：连接服务器超时") from None
        except httpx.TransportError as exc:
            raise _transport_error(what, exc) from None
