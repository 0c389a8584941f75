"""Opening the terminal's mirror at start-up: migrated to the newest schema and seeded from the content
pack on first start, and a fast path that skips both (and their imports) when there is nothing to do.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from kiosk.config import Config
from kiosk.paths import migrations_dir

SEED_MARKER_KEY = "seed.content_pack"  # kiosk.seed.MARKER_KEY (tests check they agree)
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([^'\"\s]+)['\"]?", re.M)


def schema_heads() -> set[str]:
    """The newest Alembic revision(s), read from the migration files without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            parents.add(found["down_revision"])
    return revisions - parents


def mirror_ready(cfg: Config) -> bool:
    """True when the mirror exists, is at the newest schema and was seeded (or synced): then start-up
    skips Alembic and the content-pack importer, which cost a second of imports on a terminal."""
    if not cfg.db_path.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{cfg.db_path}?mode=ro", uri=True, timeout=5)
        try:
            versions = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
            seeded = con.execute("SELECT 1 FROM kv WHERE key = ?", (SEED_MARKER_KEY,)).fetchone() is not None
            synced = con.execute("SELECT 1 FROM documents WHERE seq > 0 LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        return False
    wants_seed = bool(cfg.terminal.content_pack.strip())
    return versions == schema_heads() and (seeded or synced or not wants_seed)


def open_mirror(cfg: Config) -> Path:
    """Migrate the terminal's mirror and seed it from the content pack on first start; returns its path."""
    if mirror_ready(cfg):
        return cfg.db_path
    from kiosk.db import open_engine
    from kiosk.seed import ensure_seeded

    engine = open_engine(cfg.db_path)
    try:
        ensure_seeded(cfg, engine)
    finally:
        engine.dispose()
    return cfg.db_path
