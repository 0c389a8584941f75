"""A terminal's first sync from the district's prebuilt, signed snapshot (整库快照) instead of the feed.

When (:func:`wanted`): the mirror has taken nothing from the feed yet (cursor 0: a new terminal, or a
mirror rebuilt from scratch), or it is at least :data:`FAR_BEHIND` sequence numbers behind the manifest's
head (a terminal switched off for a long time). Otherwise the feed is always cheaper.

How (:func:`first_sync`):

1. ``GET /v1/snapshot?scope=own|all``: a signed descriptor (kind ``snapshot``, see
   :mod:`sync.server.feed.snapshot`). It must verify with the pinned district key, name this terminal's scope
   and zone, lie above the cursor and not above the manifest's head, and name this program's schema
   revision and search-index version. A 404 means the server has none (yet): the feed is used, silently.
2. ``GET /v1/snapshot/<sha256>`` into ``<data>/snapshot/<sha256>.gz`` with the usual caps, deadlines and
   minimum pace of :mod:`sync.http`; an interrupted download resumes from where it stopped (Range) on the
   next run, as long as the server still offers the same snapshot.
3. The file's size and sha256 must be the descriptor's; it is decompressed (never past the signed
   ``raw_size``), checked again (revision, index version, document count) and installed in one
   transaction with the snapshot's head as the new cursor (:func:`kiosk.mirror.snapshot.install`). The
   feed then continues from there, so whatever was published after the snapshot still arrives.

Every failure raises (:class:`~kiosk.errors.SignatureError` for a forged, altered or foreign snapshot,
:class:`~kiosk.mirror.snapshot.SnapshotUnusable` for another version, :class:`~kiosk.errors.NetworkError`
for a download that did not finish); the client records it in plain Chinese and takes the feed page by
page. Nothing of a refused snapshot is ever installed.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import Engine

import kiosk.search.index as search_index
from kiosk.db import private_dir
from kiosk.errors import SignatureError, StorageError
from kiosk.mirror import snapshot as content
from sync.http import ServerClient, StatusError
from sync.protocol import schema
from sync.protocol.signing import Verifies

FAR_BEHIND = 20_000  # sequence numbers behind the head from which a snapshot beats the feed
MAX_SNAPSHOT_BYTES = 4 * 1024**3  # compressed, on the wire
MAX_RAW_BYTES = 16 * 1024**3  # decompressed SQLite file
CHUNK = 1 << 20


class SnapshotPayload(schema.Strict):
    """The signed descriptor of a snapshot (``GET /v1/snapshot``)."""

    kind: Literal["snapshot"]
    format: Literal["sqlite3+gzip"]
    scope: Literal["own", "all"]
    zone: schema.Code | None = None
    head_seq: schema.Count
    epoch: schema.Version
    chain: schema.Sha256
    documents: schema.Count
    size: Annotated[int, Field(ge=1, le=MAX_SNAPSHOT_BYTES)]
    sha256: schema.Sha256
    raw_size: Annotated[int, Field(ge=1, le=MAX_RAW_BYTES)]
    schema_revision: schema.Text64
    index_version: schema.Text200
    title_index_version: schema.Text200
    created_at: schema.IsoTime


@dataclass(frozen=True)
class Installed:
    """What a snapshot install did."""

    head_seq: int
    documents: int
    wire_bytes: int
    install_s: float  # seconds the mirror's write lock was held


def wanted(cursor: int, head: int) -> bool:
    """Whether a run should try a snapshot before the feed (see the module's description)."""
    return head > cursor and (cursor == 0 or head - cursor >= FAR_BEHIND)


def folder(data_dir: Path) -> Path:
    return data_dir / "snapshot"


def discard(data_dir: Path, keep: str | None = None) -> None:
    """Remove downloaded snapshot files, except those of the snapshot ``keep`` (a sha256)."""
    d = folder(data_dir)
    if not d.is_dir():
        return
    for path in d.iterdir():
        if keep is None or not path.name.startswith(keep):
            path.unlink(missing_ok=True)


def fetch_descriptor(
    client: ServerClient, verifier: Verifies, *, scope: str, zone: str | None
) -> SnapshotPayload | None:
    """The server's verified descriptor for this terminal's scope; None when it offers none."""
    what = "下载整库快照说明"
    try:
        envelope = client.request("GET", "/v1/snapshot", what, params={"scope": scope}, cap=64 * 1024)
    except StatusError as exc:
        if exc.status == 404:
            return None
        raise
    d = schema.check(SnapshotPayload, verifier.verify(envelope, "snapshot"), what)
    if (d.scope, d.zone) != (scope, zone if scope == "own" else None):
        raise SignatureError("整库快照属于另一个镇街或范围，已拒绝")
    return d


def check_versions(d: SnapshotPayload, revision: str) -> None:
    if d.schema_revision != revision:
        raise content.SnapshotUnusable("整库快照的数据库版本与本机不同（本机或服务器需要升级）")
    if (d.index_version, d.title_index_version) != (search_index.INDEX_VERSION, search_index.TITLE_INDEX_VERSION):
        raise content.SnapshotUnusable("整库快照的检索索引版本与本机不同")


class _Unpacker:
    """The download's sink: appends the body to the partial file and, as the bytes arrive, hashes them and
    decompresses them into the SQLite file (so unpacking overlaps the download instead of following it).
    A partial file from an earlier run is read back through the same path first."""

    def __init__(self, part: Path, raw_size: int) -> None:
        self.part, self.out, self.raw_size = part, part.with_suffix(".sqlite"), raw_size
        self.f = part.open("ab+")
        self._restart()
        self.f.seek(0)
        for chunk in iter(lambda: self.f.read(CHUNK), b""):
            self._take(chunk)
        self.f.seek(0, 2)

    def _restart(self) -> None:
        self.digest = hashlib.sha256()
        self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.total = 0
        self.dst = self.out.open("wb")

    def _take(self, data: bytes) -> None:
        self.digest.update(data)
        try:
            while data:
                piece = self.z.decompress(data, self.raw_size - self.total + 1)
                self.total += len(piece)
                if self.total > self.raw_size:
                    raise SignatureError("整库快照解压后超过签名的大小，已拒绝")
                self.dst.write(piece)
                data = self.z.unconsumed_tail
                if self.z.eof:
                    break
        except zlib.error:
            raise SignatureError("整库快照的压缩数据已损坏，已拒绝") from None

    # the file-like calls ServerClient.download makes
    def tell(self) -> int:
        return self.f.tell()

    def write(self, data: bytes) -> int:
        self.f.write(data)
        self._take(data)
        return len(data)

    def seek(self, pos: int) -> int:  # the server ignored Range and sends the whole body again
        self.dst.close()
        self._restart()
        return self.f.seek(pos)

    def truncate(self) -> int:
        return self.f.truncate()

    def close(self) -> None:
        self.f.close()
        self.dst.close()


def download(client: ServerClient, d: SnapshotPayload, data_dir: Path) -> Path:
    """The snapshot's SQLite file, from a compressed body matching the descriptor's size and sha256 and
    decompressed to exactly its ``raw_size``. SignatureError (and nothing kept) when it does not match."""
    private_dir(folder(data_dir))
    discard(data_dir, keep=d.sha256)  # an earlier, different snapshot's partial download
    part = folder(data_dir) / f"{d.sha256}.gz"
    have = part.stat().st_size if part.exists() else 0
    if shutil.disk_usage(folder(data_dir)).free < (d.size - have) + 2 * d.raw_size:
        raise StorageError("本机存储空间不足以下载整库快照") from OSError(errno.ENOSPC, "No space left on device")
    sink = _Unpacker(part, d.raw_size)
    try:
        if sink.tell() < d.size:
            client.download(f"/v1/snapshot/{d.sha256}", sink, sink.tell(), d.size, "下载整库快照")  # type: ignore[arg-type]
        complete = sink.tell() == d.size and sink.digest.hexdigest() == d.sha256
        unpacked = sink.z.eof and sink.total == d.raw_size
    except SignatureError:
        sink.close()
        part.unlink(missing_ok=True)
        sink.out.unlink(missing_ok=True)
        raise
    except BaseException:
        sink.close()
        sink.out.unlink(missing_ok=True)  # the partial .gz stays: the next run resumes it
        raise
    sink.close()
    if not complete or not unpacked:
        part.unlink(missing_ok=True)  # damaged: the next attempt starts afresh
        sink.out.unlink(missing_ok=True)
        raise SignatureError("整库快照的内容与签名不符（被改动或不完整），已拒绝")
    return sink.out


def first_sync(
    client: ServerClient,
    verifier: Verifies,
    engine: Engine,
    data_dir: Path,
    *,
    scope: str,
    zone: str | None,
    cursor: int,
    head: int,
    epoch: int | None = None,
    kv: dict[str, str] | None = None,
) -> Installed | None:
    """Install the server's snapshot if it helps (None: the server has none, or none of the manifest's
    ``epoch`` ahead of ``cursor`` and within ``head``); raises on anything refused (the caller then takes the
    feed). The install also writes ``kv`` and the snapshot's epoch and chain value (the fork check's)."""
    d = fetch_descriptor(client, verifier, scope=scope, zone=zone)
    if d is None or not cursor < d.head_seq <= head or (epoch is not None and d.epoch != epoch):
        return None
    revision = content.head_revision()
    check_versions(d, revision)
    before = client.received_bytes
    db = download(client, d, data_dir)
    try:
        info = content.inspect(db)
        content.check_compatible(info, revision)
        if info.documents != d.documents:
            raise SignatureError("整库快照的文件数与签名不符，已拒绝")
        rows = {**(kv or {}), "sync.behind": str(head - d.head_seq), "sync.epoch": str(d.epoch), "sync.chain": d.chain}
        seconds = content.install(engine, db, cursor=d.head_seq, kv=rows)
    finally:
        db.unlink(missing_ok=True)
    discard(data_dir)
    return Installed(d.head_seq, d.documents, client.received_bytes - before, seconds)
