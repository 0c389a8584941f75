"""Plain-Chinese sentences for whatever stops one part of a sync run, for staff and the fleet page.

A run is made of parts (purge, manifest and lists, feed, attachments, outbox, heartbeat); each part that
fails is described by :func:`describe_failure` and recorded in the sync state (``sync.last_error``) while
the other parts go on. The sentence says which part failed and what staff can do; it never carries a
traceback, a file path or personal data. The terminal's own errors (:mod:`kiosk.errors`) already speak
plain Chinese or name the record at fault and are kept as they are.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError

from kiosk.errors import KioskError, SignatureError

PARTS = {
    "purge": "清除已送达申请的个人信息",
    "lists": "更新镇街、分类或工作日历",
    "feed": "下载文件更新",
    "blobs": "下载附件",
    "pull": "下载内容",
    "push_outbox": "上传申请和评价",
    "heartbeat": "发送运行状态",
    "state": "记录同步状态",
}

DISK_FULL = "本机存储空间已满，请联系信息化人员清理磁盘"
DISK_IO = "本机磁盘读写出错（可能是存储设备故障），请联系信息化人员"
DB_BUSY = "本机数据库正忙，稍后会自动重试"


def _storage_sentence(exc: BaseException) -> str | None:  # noqa: PLR0911 - one sentence per cause
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return DISK_FULL
        if exc.errno == errno.EIO:
            return DISK_IO
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "本机数据文件夹无法写入（权限或只读），请联系信息化人员"
        return f"本机文件读写出错（{errno.errorcode.get(exc.errno or 0, '未知')}）"
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        text = str(orig).lower()
        if "full" in text:
            return DISK_FULL
        if "disk i/o" in text or "malformed" in text:
            return DISK_IO
        if "locked" in text or "busy" in text:
            return DB_BUSY
        return "本机数据库出错，稍后会自动重试"
    return None


def describe_failure(part: str, exc: BaseException) -> str:
    """One line in plain Chinese: which part of the run failed, and why."""
    where = PARTS.get(part, "同步")
    cause: BaseException | None = exc
    storage = None
    while cause is not None and storage is None:  # a StorageError wrapping the OSError that says why
        storage = _storage_sentence(cause)
        cause = cause.__cause__
    if storage is not None:
        return f"{where}失败：{storage}"
    if isinstance(exc, SignatureError):
        return f"{where}失败：服务器内容未通过校验，已拒绝（{str(exc)[:160]}）"
    if isinstance(exc, KioskError):
        text = str(exc)[:240]
        return text if text.startswith(where) else f"{where}失败：{text}"
    return f"{where}失败：同步程序内部错误（{type(exc).__name__}），稍后会自动重试"
