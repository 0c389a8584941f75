"""Content-addressed blob store for attachments: ``blobs/ab/abcdef…`` named by sha256.

A blob becomes visible only after its bytes were hashed and matched its name: writes go to a
temporary file in the same folder, are fsync'd, verified, then renamed into place (atomic on POSIX
and Windows), so a crash never leaves a half-written blob under a real name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from kiosk.errors import BlobIntegrityError, StorageError, os_reason

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 16


def _check_name(sha256: str) -> str:
    if not _HEX64.match(sha256):
        raise BlobIntegrityError(f"附件名应为 64 位 SHA-256 校验值，不是 {sha256[:80]!r}")
    return sha256


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        _check_name(sha256)
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes, expect_sha256: str | None = None) -> str:
        """Store ``data``; if ``expect_sha256`` is given the bytes must hash to it. Returns the name."""
        digest = hashlib.sha256(data).hexdigest()
        if expect_sha256 is not None and digest != _check_name(expect_sha256):
            raise BlobIntegrityError(f"附件内容的校验值是 {digest[:12]}…，应为 {expect_sha256[:12]}…")
        return self._commit(iter([data]), digest)

    def put_stream(self, chunks: Iterable[bytes], expect_sha256: str) -> str:
        """Store a stream of chunks that must hash to ``expect_sha256`` (verified before it is visible)."""
        return self._commit(iter(chunks), _check_name(expect_sha256))

    def _commit(self, chunks: Iterator[bytes], sha256: str) -> str:
        final = self.path(sha256)
        if final.is_file():
            return sha256
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=final.parent)
        except OSError as exc:
            raise StorageError(f"无法写入附件 {sha256[:12]}…：{os_reason(exc)}") from exc
        tmp = Path(tmp_name)
        try:
            h = hashlib.sha256()
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    h.update(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            if h.hexdigest() != sha256:
                raise BlobIntegrityError(f"附件内容的校验值是 {h.hexdigest()[:12]}…，应为 {sha256[:12]}…")
            os.replace(tmp, final)
        except OSError as exc:
            raise StorageError(f"无法写入附件 {sha256[:12]}…：{os_reason(exc)}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return sha256

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise StorageError(f"本机附件库中没有附件 {sha256[:12]}…") from None

    def read_verified(self, sha256: str) -> bytes:
        """The blob's bytes, re-hashed: a blob damaged on disk raises instead of being shown."""
        with self.open(sha256) as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobIntegrityError(f"附件 {sha256[:12]}… 在磁盘上已损坏")
        return data

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for f in sub.iterdir():
                    if _HEX64.match(f.name):
                        yield f.name

    def collect(self, referenced: set[str]) -> int:
        """Delete blobs no document references (and stale temporary files). Returns how many went."""
        removed = 0
        for name in list(self.names()):
            if name not in referenced:
                self.path(name).unlink(missing_ok=True)
                removed += 1
        if self.root.is_dir():
            for tmp in self.root.glob("*/.tmp-*"):
                tmp.unlink(missing_ok=True)
        return removed
