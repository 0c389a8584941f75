"""Every kind of sync failure reaches staff and the fleet page as plain Chinese: no English word, no
exception name or repr, no path (the units KB/MB next to a number are the only Latin allowed), with a
stable short code beside it. The exceptions are made by the real code that raises them where that is
cheap (the HTTP client's own error mapping, the strict schema, the verifier, SQLite, the OS)."""

from __future__ import annotations

import errno
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from kiosk.errors import BlobIntegrityError, ConfigError, NetworkError, ServerError, SignatureError, StorageError
from sync.failures import PARTS, Failure, classify, is_plain, latin_words
from sync.http import StatusError, TooSlow, _Decoder, _transport_error
from sync.protocol import schema
from sync.protocol.signing import WrongKey

WHAT = "下载变更"


def _raised(fn) -> BaseException:
    try:
        fn()
    except BaseException as exc:
        return exc
    raise AssertionError("did not raise")


def _sqlite_error(message: str) -> DBAPIError:
    return OperationalError("INSERT …", {}, sqlite3.OperationalError(message))


def _locked(tmp: Path) -> BaseException:
    """A real "database is locked" from SQLite: a second writer with no busy timeout."""
    db = tmp / "locked.db"
    a = sqlite3.connect(db, isolation_level=None)
    a.execute("CREATE TABLE t (x)")
    a.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0})
    try:
        with engine.begin() as conn:
            return _raised(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
    finally:
        a.close()
        engine.dispose()


def _status(status: int, code: str = "", message: str = "") -> StatusError:
    """The HTTP client's own mapping of an error answer (``ServerClient._error``) over a real response."""
    from kiosk.config import Config, ServerSection
    from sync.http import ServerClient

    body = f'{{"error": "{code}", "message": "{message}"}}'.encode()
    resp = httpx.Response(status, stream=httpx.ByteStream(body), headers={"content-type": "application/json"})
    client = ServerClient(Config(path=None, server=ServerSection(url="http://127.0.0.1:9", token="t" * 32)))
    try:
        return client._error(resp, WHAT)
    finally:
        client.close()


def kinds(tmp: Path) -> dict[str, BaseException]:
    """One exception of every kind a sync part can end with."""
    out: dict[str, BaseException] = {
        "enospc": OSError(errno.ENOSPC, "No space left on device", "/data/blobs/.partial/ab12"),
        "efbig": OSError(errno.EFBIG, "File too large"),
        "eio": OSError(errno.EIO, "Input/output error", "/data/blobs/ab/ab12"),
        "eacces": PermissionError(errno.EACCES, "Permission denied", "/data/mirror.db"),
        "erofs": OSError(errno.EROFS, "Read-only file system"),
        "enoent": FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/x"),
        "sqlite-io": _sqlite_error("disk I/O error"),
        "sqlite-full": _sqlite_error("database or disk is full"),
        "sqlite-malformed": _sqlite_error("database disk image is malformed"),
        "sqlite-locked": _locked(tmp),
        "sqlite-other": _sqlite_error("no such table: documents"),
        "storage-wrapping-eio": _raised(_storage_wrapping_eio),
        "connect-refused": _transport_error(WHAT, httpx.ConnectError("[Errno 111] Connection refused")),
        "connect-timeout": _transport_error(WHAT, httpx.ConnectTimeout("timed out")),
        "tls": _transport_error(WHAT, httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")),
        "read-error": _transport_error(WHAT, httpx.ReadError("Connection reset by peer")),
        "remote-closed": _transport_error(WHAT, httpx.RemoteProtocolError("Server disconnected")),
        "too-slow": TooSlow(f"{WHAT}：服务器回应太慢（12 KB 用了 40 秒），已中止"),
        "too-big": _raised(lambda: list(_Decoder("identity", 1024, WHAT).feed(b"x" * 2048))),
        "bad-gzip": _raised(lambda: list(_Decoder("gzip", 1024, WHAT).feed(b"not gzip at all"))),
        "odd-encoding": _raised(lambda: _Decoder("br", 1024, WHAT)),
        "http-500": _status(500, "internal", "Internal Server Error"),
        "http-503": _status(503, "", "Service Unavailable"),
        "http-401": _status(401, "bad_token", "token not recognised"),
        "revoked": _status(401, "terminal_revoked", "terminal was revoked"),
        "http-404": _status(404, "not_found", "no such route /v1/changes"),
        "http-409": _status(409, "conflict", "tracking_no already used by another submission"),
        "http-429": _status(429, "slow_down", "too many requests"),
        "not-json": _raised(lambda: schema.loads(b'{"x": [[[[', WHAT)),
        "deep": _raised(lambda: schema.loads(b"[" * 100 + b"]" * 100, WHAT)),
        "big-int": _raised(lambda: schema.loads(b"1" * 5000, WHAT)),
        "bad-field": _raised(lambda: schema.check(schema.PageAnswer, {"remaining": True}, WHAT)),
        "bad-calendar": schema.BadAnswer(f"{WHAT}：日历内容不合规定（2027-13-01: month must be in 1..12），已拒绝"),
        "forged": SignatureError("page: signature does not verify (forged or altered)"),
        "wrong-key": WrongKey("manifest: signed by key 'abcd', this terminal trusts 0123456789abcdef"),
        "rollback": SignatureError("清单版本 3 低于已接受的 7：疑似回滚，已拒绝"),
        "expired": SignatureError("清单已于 2026-11-01T00:00:00Z 过期：内容可能不是最新"),
        "blob-damaged": BlobIntegrityError("blob content hashes to 0123456789ab…, expected fedcba987654…"),
        "network-plain": NetworkError("下载附件：与服务器的连接中断"),
        "server-english": ServerError("lookup: unexpected answer"),
        "storage-english": StorageError("cannot migrate the mirror database: near 'x': syntax error"),
        "config": ConfigError("/etc/kiosk.toml: [server] url is not a URL"),
        "bug-key": KeyError("head_seq"),
        "bug-type": TypeError("'NoneType' object is not subscriptable"),
        "bug-recursion": RecursionError("maximum recursion depth exceeded"),
        "bug-unicode": UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    }
    return out


def _storage_wrapping_eio() -> None:
    try:
        raise OSError(errno.EIO, "Input/output error")
    except OSError as exc:
        raise StorageError("cannot write blob ab12…") from exc


@pytest.fixture(scope="module")
def all_kinds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BaseException]:
    return kinds(tmp_path_factory.mktemp("kinds"))


def test_every_failure_kind_in_every_part_is_plain_chinese_with_a_code(all_kinds) -> None:
    seen_codes: dict[str, str] = {}
    for part in PARTS:
        for name, exc in all_kinds.items():
            f = classify(part, exc)
            assert isinstance(f, Failure) and f.part == part
            assert not latin_words(f.text), (name, part, f.text)
            assert is_plain(f.text) and re.search(r"[\u4e00-\u9fff]", f.text), (name, f.text)
            assert f.text.startswith(PARTS[part]), (name, f.text)
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,23}", f.code), (name, f.code)
            assert len(f.text) <= 300
            seen_codes[name] = f.code
    # the codes staff and IT can rely on
    expect = {
        "enospc": "disk-full",
        "efbig": "disk-full",
        "eio": "disk-io",
        "sqlite-io": "disk-io",
        "sqlite-full": "disk-full",
        "sqlite-locked": "db-busy",
        "storage-wrapping-eio": "disk-io",
        "connect-refused": "offline",
        "tls": "tls",
        "too-slow": "timeout",
        "too-big": "too-big",
        "http-500": "http-500",
        "http-503": "http-503",
        "revoked": "revoked",
        "not-json": "bad-answer",
        "forged": "signature",
        "wrong-key": "wrong-key",
        "rollback": "rollback",
        "expired": "expired",
        "blob-damaged": "blob-damaged",
        "bug-key": "internal",
    }
    assert {k: seen_codes[k] for k in expect} == expect


def test_the_sentences_say_what_staff_need(all_kinds) -> None:
    def text(name: str, part: str = "blobs") -> str:
        return classify(part, all_kinds[name]).text

    assert text("eio") == "下载附件失败：本机磁盘读写出错（可能是存储设备故障），请联系信息化人员"
    assert "（503）" in text("http-503") and "暂时不可用" in text("http-503")
    assert "（500）" in text("http-500")
    assert text("http-409").endswith("（409）") and "tracking" not in text("http-409")
    assert "停用" in text("revoked")
    assert "无法连接服务器" in text("connect-refused") and "证书" in text("tls")
    assert "12 KB" in text("too-slow")  # units next to a number stay
    assert "过期" in text("expired", "pull") and "回滚" in text("rollback", "pull")
    assert "下载变更：" in text("bad-field", "feed")  # the step it names is kept
    assert "内部错误" in text("bug-type")


def test_a_plain_chinese_kiosk_message_is_kept_as_it_is() -> None:
    exc = NetworkError("下载附件：与服务器的连接中断")
    assert classify("blobs", exc).text == "下载附件：与服务器的连接中断"
    assert classify("feed", SignatureError("清单版本 3 低于已接受的 7：疑似回滚，已拒绝")).code == "rollback"
