"""Plain-Chinese sentences for whatever stops one part of a sync run, for staff and the fleet page.

A run is made of parts (purge, manifest and lists, feed, attachments, outbox, heartbeat); each part that
fails is described by :func:`classify` — a :class:`Failure` with the part, a stable short code
(``disk-io``, ``http-503``, ``signature`` …) and one sentence — and recorded in the sync state
(``sync.last_error``, ``sync.last_failure``) while the other parts go on. The heartbeat carries it to the
fleet page.

The sentence is plain Chinese: no English word, no exception name or repr, no file path, no traceback,
no personal data; the only Latin letters allowed are the units in :data:`ALLOWED_LATIN`, and a code a
person may quote is a number in brackets (「服务器暂时不可用（503）」). A message of the terminal's own
errors (:mod:`kiosk.errors`) that is already plain Chinese (「清单已过期：内容可能不是最新」) is kept; any
other (an English reason from the verifier, pydantic's wording, a server's own error text) is replaced by
the sentence of its kind, and the technical detail goes to the log only (:func:`log_detail`).
"""

from __future__ import annotations

import errno
import re
import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from kiosk.errors import (
    BlobIntegrityError,
    ConfigError,
    KioskError,
    NetworkError,
    ServerError,
    SignatureError,
    StorageError,
)

PARTS = {
    "purge": "清除已送达申请的个人信息",
    "lists": "更新镇街、分类或工作日历",
    "feed": "下载文件更新",
    "blobs": "下载附件",
    "pull": "下载内容",
    "snapshot": "下载整库快照",
    "push_outbox": "上传申请和评价",
    "heartbeat": "发送运行状态",
    "state": "记录同步状态",
    "update": "软件更新",
    "fork": "核对区级发布记录",
    "report_acks": "报告已确认的申请",
}

DISK_FULL = "本机存储空间已满，请联系信息化人员清理磁盘"
DISK_IO = "本机磁盘读写出错（可能是存储设备故障），请联系信息化人员"
DB_BUSY = "本机数据库正忙，稍后会自动重试"

ALLOWED_LATIN = frozenset({"KB", "MB"})  # units next to a number; nothing else Latin reaches staff
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
TEXT_LIMIT = 300


def latin_words(text: str) -> list[str]:
    """The Latin words of ``text`` that staff should not see (units excepted)."""
    return [w for w in _LATIN.findall(text) if w not in ALLOWED_LATIN]


def is_plain(text: str) -> bool:
    """Plain Chinese for staff: no Latin word but the allowed units, nothing that looks like a path."""
    return not latin_words(text) and "/" not in text and "\\" not in text and "Traceback" not in text


@dataclass(frozen=True)
class Failure:
    """One part's failure: which part, a stable short code (ASCII) and the sentence staff see."""

    part: str
    code: str
    text: str


def _storage(exc: BaseException) -> tuple[str, str] | None:  # noqa: PLR0911 - one sentence per cause
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return "disk-full", DISK_FULL
        if exc.errno == errno.EIO:
            return "disk-io", DISK_IO
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "no-write", "本机数据文件夹无法写入（权限或只读），请联系信息化人员"
        return "file-error", f"本机文件读写出错（错误号 {exc.errno or 0}），请联系信息化人员"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        text = str(orig).lower()
        if "full" in text:
            return "disk-full", DISK_FULL
        if "disk i/o" in text or "malformed" in text:
            return "disk-io", DISK_IO
        if "locked" in text or "busy" in text:
            return "db-busy", DB_BUSY
        return "db-error", "本机数据库出错，稍后会自动重试"
    return None


def _http_status(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599 else None


def status_sentence(status: int, revoked: bool) -> tuple[str, str]:
    if revoked:
        return "revoked", "此终端已被区里停用，请联系区信息化人员重新登记（未发送的申请仍保存在本机）"
    if status == 401:
        return "http-401", "服务器不认可本终端的令牌（401），请联系信息化人员"
    if status in (502, 503, 504):
        return f"http-{status}", f"服务器暂时不可用（{status}），稍后会自动重试"
    if status >= 500:
        return f"http-{status}", f"服务器内部错误（{status}），稍后会自动重试"
    if status == 429:
        return "http-429", "服务器繁忙，请求过多（429），稍后会自动重试"
    return f"http-{status}", f"服务器拒绝了本次请求（{status}）"


def _kind(exc: BaseException) -> tuple[str, str]:  # noqa: PLR0911 - one sentence per kind
    """The code and the sentence of an exception whose own message is not plain Chinese."""
    code = getattr(exc, "code", None)
    if isinstance(exc, SignatureError):
        code = _code_of(exc, "signature")
        return code, _SIGNATURE.get(code, _SIGNATURE["signature"])
    if isinstance(exc, BlobIntegrityError):
        return "blob-damaged", "附件内容与校验值不符，已丢弃，下次重新下载"
    if isinstance(exc, NetworkError):
        if isinstance(code, str) and code == "tls":
            return "tls", "服务器证书无法验证，请检查证书配置"
        if isinstance(code, str) and code in _NETWORK:
            return code, _NETWORK[code]
        return "network", "与服务器的连接中断，稍后会自动重试"
    if isinstance(exc, ServerError):
        status = _http_status(exc)
        if status is not None:
            return status_sentence(status, code == "revoked")
        return "bad-answer", "服务器回应的格式或字段不合规定，已拒绝"
    if isinstance(exc, StorageError):
        return "storage", "本机数据读写出错，请联系信息化人员"
    if isinstance(exc, ConfigError):
        return "config", "本机同步配置有误，请联系信息化人员"
    if isinstance(exc, KioskError):
        return "error", "同步出错，稍后会自动重试"
    return "internal", "同步程序内部错误，稍后会自动重试"


_SIGNATURE = {
    "signature": "服务器内容未通过签名校验，已拒绝，本机内容保持不变",
    "wrong-key": "服务器内容的签名密钥与本机配置的不一致，已拒绝，请联系信息化人员",
    "revoked-key": "服务器内容由区里已吊销的签名密钥签发，已拒绝，请联系信息化人员",
    "rollback": "服务器内容比本机已接受的旧（疑似回滚），已拒绝",
    "expired": "区里的内容清单已过期，内容可能不是最新，稍后会自动重试",
}
_NETWORK = {
    "offline": "无法连接服务器，请检查网络，稍后会自动重试",
    "timeout": "服务器回应太慢或连接超时，已中止，稍后会自动重试",
    "too-big": "服务器回应超过大小上限，已中止",
    "bad-encoding": "服务器回应的压缩数据不对，已中止",
}


def _code_of(exc: BaseException, fallback: str) -> str:
    """The exception's own short code (``code`` attribute of the sync errors) or the kind's."""
    if isinstance(exc, SignatureError) and getattr(exc, "code", None) is None:
        text = str(exc)
        return "rollback" if "回滚" in text else "expired" if "过期" in text else "signature"
    if isinstance(exc, ServerError) and _http_status(exc) is not None:
        return fallback
    code = getattr(exc, "code", None)
    if isinstance(code, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,23}", code):
        return code
    return fallback


def classify(part: str, exc: BaseException) -> Failure:
    """The failure of ``part`` caused by ``exc``: code and one plain-Chinese line (never raises)."""
    where = PARTS.get(part, "同步")
    cause: BaseException | None = exc
    storage = None
    while cause is not None and storage is None:  # a StorageError wrapping the OSError that says why
        storage = _storage(cause)
        cause = cause.__cause__
    if storage is not None:
        code, sentence = storage
    elif isinstance(exc, KioskError) and is_plain(str(exc)) and str(exc):
        code, sentence = _code_of(exc, _kind(exc)[0]), str(exc)
    else:
        code, sentence = _kind(exc)
        head, sep, _ = str(exc).partition("：") if isinstance(exc, KioskError) else ("", "", "")
        if sep and 0 < len(head) <= 20 and is_plain(head):  # "下载变更：…" keeps the step it names
            sentence = f"{head}：{sentence}"
        code = _code_of(exc, code)
    text = sentence if sentence.startswith(where) else f"{where}失败：{sentence}"
    return Failure(part, code, text[:TEXT_LIMIT])


def describe_failure(part: str, exc: BaseException) -> str:
    """One line in plain Chinese: which part of the run failed, and why."""
    return classify(part, exc).text


def log_detail(exc: BaseException) -> str:
    """The technical detail for the log (never for staff): the exception's class and message, and the
    OS or SQLite error underneath. Sync errors carry no personal data."""
    parts = [f"{type(exc).__name__}: {str(exc)[:300]}"]
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        parts.append(f"caused by {type(cause).__name__}: {str(cause)[:200]}")
    return "; ".join(parts)
