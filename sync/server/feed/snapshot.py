"""Prebuilt, signed snapshots of the published mirror for a terminal's first sync (整库快照).

For one zone scope (``all``, or ``own`` for one zone: district-wide documents plus that zone's) the server
takes every document the feed holds up to its head, parses each feed entry exactly as a terminal does
(:mod:`sync.protocol.schema`, :func:`sync.protocol.wire.wire_to_record`) and writes them with the terminal's own code
(:func:`kiosk.mirror.snapshot.build_content`: same migrations, store and search index). The file is
gzip-compressed for the wire and described by a signed descriptor (kind ``snapshot``)::

    {"kind": "snapshot", "format": "sqlite3+gzip", "scope": "own", "zone": "wanbao", "head_seq": 2970,
     "epoch": 1, "chain": <the feed's hash chain at head_seq>, "documents": 2970, "size": <bytes of the .gz>,
     "sha256": <of the .gz>, "raw_size": <bytes of the .sqlite>, "schema_revision": "0012_doc_history",
     "index_version": "...", "title_index_version": "...", "created_at": "...Z"}

Files live in one folder: ``<name>-<head>.sqlite.gz`` and ``<name>.json`` (the newest signed descriptor
of that scope, replaced atomically). The two newest bodies of a scope are kept, so a terminal that is
half-way through downloading one can finish it after a rebuild.

Built ahead with ``python -m sync.server snapshot`` (after publishing), or lazily: when a terminal asks
for a scope whose snapshot is missing or behind the feed head (and the feed has at least
:data:`LAZY_MIN_HEAD` sequence numbers), one background build starts and the terminal takes the feed
meanwhile (or the older snapshot, then the feed from its head).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

import kiosk.search.index as search_index
from kiosk.mirror import snapshot as content
from kiosk.mirror.store import HistoryRecord
from sync.protocol import schema
from sync.protocol.signing import Signer
from sync.protocol.wire import wire_to_record
from sync.server import leases
from sync.server.db import FeedDoc, head_seq, sessions, utcnow
from sync.server.feed import chain

log = logging.getLogger("sync.server.feed.snapshot")

FORMAT = "sqlite3+gzip"
BATCH = 500
KEEP_BODIES = 2
LAZY_MIN_HEAD = 1000  # a smaller feed is quicker to take page by page than a snapshot is to build


def scope_name(scope: str, zone: str | None) -> str:
    """The file-name stem of a scope: ``all`` or ``own-<zone>``."""
    return "all" if scope == "all" else f"own-{zone}"


def _entries(engine: Engine, scope: str, zone: str | None, head: int) -> Iterator[list[content.Entry]]:
    """The feed's documents in scope up to ``head``, parsed as a terminal parses them, in batches.

    Each batch is read in its own short transaction (the server's SQLite transactions take the write lock).
    A document changed meanwhile moves above ``head`` and reaches the terminal through the feed."""
    last = 0
    make = sessions(engine)
    while True:
        cond = [FeedDoc.seq > last, FeedDoc.seq <= head, FeedDoc.op == "put"]
        if scope == "own":
            cond.append(FeedDoc.zone.is_(None) | (FeedDoc.zone == zone))
        with make() as session:
            rows = session.execute(
                select(FeedDoc.seq, FeedDoc.payload).where(*cond).order_by(FeedDoc.seq).limit(BATCH)
            ).all()
        if not rows:
            return
        batch: list[content.Entry] = []
        for seq, payload in rows:
            p = schema.check(schema.DocumentPayload, json.loads(payload), "快照")
            doc = schema.check(schema.WireDocument, p.doc, "快照").model_dump(exclude_unset=True)
            history = [HistoryRecord(**h.model_dump()) for h in p.history]
            batch.append((seq, wire_to_record(doc), history))
        last = rows[-1][0]
        yield batch


def build(engine: Engine, signer: Signer, out_dir: Path, scope: str, zone: str | None) -> dict[str, Any]:
    """Build the snapshot of ``scope`` at the feed's current head; returns its signed descriptor."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with sessions(engine)() as session:
        head = head_seq(session)
        epoch, chain_value = chain.epoch(session), chain.chain_at(session, head)
    name = scope_name(scope, zone)
    work = out_dir / f".{name}-{head}.sqlite"
    body = out_dir / f"{name}-{head}.sqlite.gz"
    part = out_dir / f".{name}-{head}.sqlite.gz.part"
    try:
        count = content.build_content(work, _entries(engine, scope, zone, head))
        info = content.inspect(work)
        digest = hashlib.sha256()
        with (
            work.open("rb") as src,
            part.open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz,
        ):
            shutil.copyfileobj(src, gz, 1 << 20)
        with part.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        raw_size = work.stat().st_size
        os.replace(part, body)
    finally:
        work.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    payload = {
        "kind": "snapshot",
        "format": FORMAT,
        "scope": scope,
        "zone": zone if scope == "own" else None,
        "head_seq": head,
        "epoch": epoch,
        "chain": chain_value,
        "documents": count,
        "size": body.stat().st_size,
        "sha256": digest.hexdigest(),
        "raw_size": raw_size,
        "schema_revision": info.schema_revision,
        "index_version": search_index.INDEX_VERSION,
        "title_index_version": search_index.TITLE_INDEX_VERSION,
        "created_at": utcnow().replace(microsecond=0).isoformat() + "Z",
    }
    envelope = signer.sign(payload)
    tmp = out_dir / f".{name}.json.tmp"
    tmp.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out_dir / f"{name}.json")
    _prune(out_dir, name)
    log.info("snapshot %s at head %s: %s documents, %s bytes", name, head, count, payload["size"])
    return envelope


def _prune(out_dir: Path, name: str) -> None:
    pattern = re.compile(rf"{re.escape(name)}-(\d+)\.sqlite\.gz")
    bodies = sorted((int(m.group(1)), p) for p in out_dir.iterdir() if (m := pattern.fullmatch(p.name)) is not None)
    for _head, path in bodies[:-KEEP_BODIES]:
        path.unlink(missing_ok=True)


def descriptor(out_dir: Path, scope: str, zone: str | None) -> dict[str, Any] | None:
    """The newest signed descriptor of ``scope`` built in ``out_dir`` (None if there is none)."""
    path = out_dir / f"{scope_name(scope, zone)}.json"
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return envelope if isinstance(envelope, dict) else None


def body_path(out_dir: Path, sha256: str) -> Path | None:
    """The snapshot body whose sha256 is ``sha256``, if one of the kept ones is."""
    for path in out_dir.glob("*.json"):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))["payload"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if payload.get("sha256") == sha256:
            body = out_dir / f"{scope_name(payload['scope'], payload.get('zone'))}-{payload['head_seq']}.sqlite.gz"
            if body.is_file():
                return body
    return None


class Builder:
    """Lazy builds: at most one at a time in this process (a background thread), and at most one of each
    scope across every worker on the database (a lease, :mod:`sync.server.leases`)."""

    LEASE = dt.timedelta(minutes=30)  # longer than any build; a worker that died frees it then

    def __init__(self, engine: Engine, signer: Signer, out_dir: Path) -> None:
        self.engine, self.signer, self.out_dir = engine, signer, out_dir
        self._lock = threading.Lock()
        self._running: threading.Thread | None = None
        self.owner = leases.new_owner()
        self.built: list[str] = []  # the scopes this worker built (tests and logs read it)

    def want(self, scope: str, zone: str | None, current_head: int) -> None:
        """Start a build of ``scope`` if its snapshot is missing or behind ``current_head`` and none runs
        here or in another worker (never for a feed under :data:`LAZY_MIN_HEAD`)."""
        if current_head < LAZY_MIN_HEAD:
            return
        env = descriptor(self.out_dir, scope, zone)
        if env is not None and env.get("payload", {}).get("head_seq") == current_head:
            return
        with self._lock:
            if self._running is not None and self._running.is_alive():
                return
            lease = f"snapshot:{scope_name(scope, zone)}"
            if not leases.take(self.engine, lease, self.owner, self.LEASE):
                return
            env = descriptor(self.out_dir, scope, zone)  # another worker may have finished it meanwhile
            if env is not None and env.get("payload", {}).get("head_seq") == current_head:
                leases.give_up(self.engine, lease, self.owner)
                return
            self._running = threading.Thread(
                target=self._build, args=(scope, zone, lease), name="snapshot-build", daemon=True
            )
            self._running.start()

    def _build(self, scope: str, zone: str | None, lease: str) -> None:
        try:
            build(self.engine, self.signer, self.out_dir, scope, zone)
            self.built.append(scope_name(scope, zone))
        except Exception:
            log.exception("snapshot build of %s failed", scope_name(scope, zone))
        finally:
            leases.give_up(self.engine, lease, self.owner)
