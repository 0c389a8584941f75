"""Seeding a fresh terminal: an empty mirror is filled from the terminal's configured content pack.

With ``[terminal] content_pack = "demo"`` (the default) a new data folder gets the bundled demo district
(``assets/demo/*.jsonl``: zones, categories, documents, attachments), so the kiosk opens on real content
with no server and no network. ``content_pack`` may instead name a ``.jsonl`` file or a folder of them
(relative to the configuration file), or be ``""`` for a terminal that only syncs from the server.

A production terminal (one with a server) never seeds the demo district (``kiosk.config`` refuses it);
one that was seeded by mistake — started once with the demo configuration before it was enrolled —
drops every document it did not receive from the server at its first sync
(:func:`remove_demo_content`, called by the sync client once it has accepted a manifest).

Seeding happens once: a ``kv`` marker records it. A mirror that already holds content from the district
server (any document with a server sequence number) is never seeded. An interrupted seed is simply run
again on the next start: importing is idempotent (same id and version changes nothing).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from kiosk.config import Config
from kiosk.contentpack import import_pack
from kiosk.db import open_engine, session_factory
from kiosk.errors import ConfigError
from kiosk.mirror.blobs import BlobStore
from kiosk.mirror.models import Document
from kiosk.mirror.store import delete_document, kv_get, kv_set
from kiosk.paths import demo_dir

log = logging.getLogger(__name__)

MARKER_KEY = "seed.content_pack"
DEMO = "demo"


def pack_files(cfg: Config) -> list[Path]:
    """The pack files ``cfg`` seeds from, in import order (file names sorted); [] for none."""
    name = cfg.terminal.content_pack.strip()
    if not name:
        return []
    where = f"{cfg.path or '<config>'} [terminal]"
    if name == DEMO:
        folder = demo_dir()
        files = sorted(folder.glob("*.jsonl"))
        if not files:
            raise ConfigError(f"{where}：键 'content_pack' 为 \"demo\"，但 {folder} 中没有 .jsonl 内容包")
        return files
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (cfg.path.parent if cfg.path else Path.cwd()) / path
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if files:
            return files
        raise ConfigError(f"{where}：键 'content_pack' 指向的文件夹 {path} 中没有 .jsonl 内容包")
    raise ConfigError(f"{where}：键 'content_pack' 指向的 {path} 不存在")


def _needs_seed(engine: Engine) -> bool:
    with session_factory(engine)() as session:
        if kv_get(session, MARKER_KEY) is not None:
            return False
        synced = session.scalar(select(exists().where(Document.seq > 0)))
        return not synced


def ensure_seeded(cfg: Config, engine: Engine | None = None) -> bool:
    """Seed the terminal's mirror from its content pack if it was never seeded; True if it did.

    ``engine`` is the terminal's open (migrated) engine; without it the mirror at ``cfg.db_path`` is
    opened, migrated and closed here. Raises :class:`ConfigError` for a pack that does not exist and
    :class:`~kiosk.errors.ContentPackError` for a bad one (nothing of that pack is imported).
    """
    files = pack_files(cfg)
    if not files:
        return False
    own = engine is None
    eng = open_engine(cfg.db_path) if engine is None else engine
    try:
        if not _needs_seed(eng):
            return False
        t0 = time.perf_counter()
        blobs = BlobStore(cfg.blob_dir)
        totals: dict[str, int] = {}
        with session_factory(eng)() as session:
            for f in files:
                report = import_pack(session, blobs, f)
                for key, n in report.counts.items():
                    totals[key] = totals.get(key, 0) + n
            with session.begin():
                kv_set(session, MARKER_KEY, cfg.terminal.content_pack.strip())
        log.info(
            "seeded the mirror from content pack %r (%s) in %.2f s: %s",
            cfg.terminal.content_pack,
            ", ".join(f.name for f in files),
            time.perf_counter() - t0,
            ", ".join(f"{k} {v}" for k, v in sorted(totals.items()) if v),
        )
        return True
    finally:
        if own:
            eng.dispose()


def remove_demo_content(cfg: Config, session: Session) -> int:
    """Drop the demo district's documents from a production mirror; returns how many went.

    Runs in the caller's transaction. Only a terminal with a server whose mirror was seeded from the demo
    pack is touched, and only documents the server never sent (``seq`` 0); their attachments become
    unreferenced and are collected by the sync's blob collection.
    """
    if not cfg.server.url or cfg.terminal.content_pack.strip() == DEMO or kv_get(session, MARKER_KEY) != DEMO:
        return 0
    ids = list(session.scalars(select(Document.id).where(Document.seq == 0)))
    for doc_id in ids:
        delete_document(session, doc_id)
    kv_set(session, MARKER_KEY, "demo-removed")
    log.warning("removed %d demo document(s) from a production terminal's mirror", len(ids))
    return len(ids)
