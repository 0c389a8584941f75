"""The errors a terminal can meet, in one hierarchy so callers can be as broad or as narrow as they need.

    KioskError
    ├── ConfigError            a terminal configuration file is missing, malformed, or has a bad key
    ├── StorageError           the mirror database or blob store cannot be read or written
    │   └── BlobIntegrityError a blob's bytes do not match its sha256
    ├── ContentPackError       a content-pack line is malformed (carries line numbers and reasons)
    ├── SyncError              (sync/) talking to the district server failed
    │   ├── NetworkError       timeout, refused or reset connection, oversized response
    │   ├── ServerError        the server answered with an error status
    │   └── SignatureError     a record or manifest failed verification, or was rolled back / expired
    ├── ValidationError        a resident's or staff member's input is not acceptable (per field)
    └── PrinterError           (printing/) a printer is offline, out of paper, or refused a job

Messages are plain sentences fit for a log line or a staff screen, Chinese where a person reads them; none carries
personal data (names, ID numbers, phone numbers).
"""

from __future__ import annotations

import errno


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """A terminal configuration problem; the message names the file and the key."""


class StorageError(KioskError):
    """The mirror or the blob store could not be read or written."""


class BlobIntegrityError(StorageError):
    """A blob's content does not hash to the name it was stored or requested under."""


class ContentPackError(KioskError):
    """A content pack had bad lines; ``problems`` lists (line number, reason)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        first = "；".join(f"第 {n} 行：{why}" if n else why for n, why in problems[:5])
        more = f"（另有 {len(problems) - 5} 处）" if len(problems) > 5 else ""
        super().__init__(f"内容包有 {len(problems)} 处错误：{first}{more}")


class SyncError(KioskError):
    """Talking to the district server failed."""


class NetworkError(SyncError):
    """The network failed: timeout, refused, reset, or a response over its size cap."""


class ServerError(SyncError):
    """The server answered with an error status."""


class SignatureError(SyncError):
    """Content failed verification: forged, wrong key, rolled back or expired."""


class SubmitRefused(KioskError):
    """The terminal will not take an application now (revoked by the district, disk full); the message is
    one plain-Chinese sentence for the resident's screen. Nothing was written."""


class ValidationError(KioskError):
    """Input was not acceptable; ``errors`` maps a field name to a plain-Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class PrinterError(KioskError):
    """A printer could not print: ``reason`` is a short code (paper_out, offline, cover_open, error)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


_OS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EEXIST: "已有同名文件",
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "磁盘是只读的",
    errno.EIO: "磁盘读写出错",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese where the cause is a common one (the system's
    own words otherwise)."""
    return _OS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
