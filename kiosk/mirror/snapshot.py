"""A mirror's published content as one SQLite file (整库快照), and installing one into a live mirror.

A terminal's first sync spends most of its time writing: every document through
:func:`kiosk.mirror.store.apply_documents` and its CJK bigram search index. The district can do that once
for everybody: :func:`build_content` writes the documents of one zone scope into a fresh mirror file with
this very code (same migrations, same store, same tokeniser, index merged with ``optimize``), and a
terminal installs the finished tables with :func:`install` instead of re-deriving them.

What a snapshot holds (``CONTENT_TABLES``): ``documents``, ``document_categories``, ``attachments``
(``present`` false: blobs are fetched as usual), ``doc_history``, ``search_docs`` and the FTS5 tables'
shadow tables (``search_title_*``, ``search_text_*``). Zones, categories, the calendar, the outbox,
applications, print jobs, counters and the terminal's key-value state are never in it and never touched
by an install.

Install is one write transaction on a connection that has the snapshot ATTACHed: empty the content
tables, copy the snapshot's rows in, set the feed cursor, commit. A ``kill -9`` at any instant leaves the
old content (with its cursor) or the new one (with the snapshot's cursor), never a mix. The transaction
takes its turn like every other writer (:class:`kiosk.db.WriteTurns`) and declares itself long
(:meth:`~kiosk.db.WriteTurns.hold_long`): an application submit in the same process waits for it however
long the copy takes, up to :data:`INSTALL_PATIENCE_S`, instead of being refused after the 10 s busy timeout
(its length is measured in ``docs/benchmarks.md``). A writer in another process (the command line) still
has only SQLite's busy timeout.

A snapshot is only installed when it was built by the same schema revision and the same search-index
version as the terminal's own (:func:`check_compatible`); anything else is refused and the terminal
takes the feed page by page.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

import kiosk.search.index as search_index
from kiosk import db as kdb
from kiosk.errors import StorageError
from kiosk.mirror.store import DocumentRecord, HistoryRecord, apply_documents, replace_history

# Children first: emptied in this order, filled in the reverse.
CONTENT_TABLES = (
    "search_docs",
    "doc_history",
    "attachments",
    "document_categories",
    "documents",
    "search_title_data",
    "search_title_idx",
    "search_title_docsize",
    "search_title_config",
    "search_text_data",
    "search_text_idx",
    "search_text_config",
)

# How long writers queued behind an install wait for it (it copies the whole mirror in one transaction:
# 1-3 s for the 90 MB corpus, an estimated 15-30 s for 100,000 long documents).
INSTALL_PATIENCE_S = 180.0

Entry = tuple[int, DocumentRecord, list[HistoryRecord]]  # feed sequence number, record, earlier versions


class SnapshotUnusable(StorageError):
    """A snapshot file that this terminal cannot install (other schema or index version, damaged)."""


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot file says about itself."""

    schema_revision: str
    index_version: str
    title_index_version: str
    documents: int


def schema_revision(con: sqlite3.Connection, schema: str = "main") -> str:
    """The Alembic revision of the database (``schema``: main or an attached name)."""
    row = con.execute(f"SELECT version_num FROM {schema}.alembic_version").fetchone()  # noqa: S608 - fixed names
    return str(row[0]) if row else ""


def head_revision() -> str:
    """The newest Alembic revision this program's migrations know (what a fresh mirror is built at)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from kiosk.paths import migrations_dir

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def build_content(path: Path, batches: Iterable[list[Entry]]) -> int:
    """Write a fresh mirror file at ``path`` holding the given documents (in the given order, each batch in
    one transaction), merge its search index and drop everything but the content. Returns the count."""
    if path.exists():
        path.unlink()
    engine = kdb.open_engine(path)
    n = 0
    try:
        with kdb.session_factory(engine)() as session:
            for batch in batches:
                with session.begin():
                    recs = [rec for _seq, rec, _h in batch]
                    apply_documents(session, recs, seqs=[seq for seq, _r, _h in batch], present_blobs=set())
                    for _seq, rec, history in batch:
                        if history:
                            replace_history(session, rec.id, rec.version, history)
                n += len(batch)
            with session.begin():
                search_index.optimize(session.connection())
    finally:
        engine.dispose()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        keep = (search_index.KV_KEY, search_index.TITLE_KV_KEY)
        con.execute("DELETE FROM kv WHERE key NOT IN (?, ?)", keep)
        for table in ("outbox", "applications", "print_jobs", "counters", "zones", "categories"):
            con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("VACUUM")
    finally:
        con.close()
    return n


def inspect(path: Path) -> SnapshotInfo:
    """Read a snapshot file's revision, index versions and document count (SnapshotUnusable if it is not
    a mirror file at all)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            kv = dict(con.execute("SELECT key, value FROM kv").fetchall())
            return SnapshotInfo(
                schema_revision=schema_revision(con),
                index_version=str(kv.get(search_index.KV_KEY, "")),
                title_index_version=str(kv.get(search_index.TITLE_KV_KEY, "")),
                documents=int(con.execute("SELECT count(*) FROM documents").fetchone()[0]),
            )
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise SnapshotUnusable("整库快照文件无法读取") from exc


def check_compatible(info: SnapshotInfo, revision: str) -> None:
    """Refuse a snapshot built by another schema revision or search-index version than this terminal's."""
    if info.schema_revision != revision:
        raise SnapshotUnusable("整库快照的数据库版本与本机不同（本机或服务器需要升级）")
    if (info.index_version, info.title_index_version) != (
        search_index.INDEX_VERSION,
        search_index.TITLE_INDEX_VERSION,
    ):
        raise SnapshotUnusable("整库快照的检索索引版本与本机不同")


def _columns(con: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [str(r[1]) for r in con.execute(f"PRAGMA {schema}.table_info({table})")]


def install(engine: Engine, snap: Path, *, cursor: int, kv: dict[str, str] | None = None) -> float:
    """Replace the mirror's content with the snapshot at ``snap`` and set the feed cursor to ``cursor``
    (plus any other ``kv`` entries), all in one transaction. Returns the seconds the write lock was held.

    The caller has checked the snapshot (signature, hash, :func:`check_compatible`)."""
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        assert isinstance(con, sqlite3.Connection)
        # The file is the district's (signed), but its schema is still not allowed to run functions with
        # side effects from views or triggers while it is attached (defence in depth).
        con.execute("PRAGMA trusted_schema=OFF")
        con.execute("ATTACH DATABASE ? AS snap", (f"file:{snap}?mode=ro",))
        try:
            if schema_revision(con, "snap") != schema_revision(con):
                raise SnapshotUnusable("整库快照的数据库版本与本机不同（本机或服务器需要升级）")
            plan: list[tuple[str, str]] = []
            for table in CONTENT_TABLES:
                cols = _columns(con, "main", table)
                if cols != _columns(con, "snap", table):
                    raise SnapshotUnusable("整库快照的表结构与本机不同")
                plan.append((table, ", ".join(f'"{c}"' for c in cols)))
            return _copy(engine, con, plan, cursor, kv or {})
        finally:
            con.execute("DETACH DATABASE snap")
            con.execute("PRAGMA trusted_schema=ON")
    finally:
        raw.close()


def _copy(
    engine: Engine, con: sqlite3.Connection, plan: list[tuple[str, str]], cursor: int, kv: dict[str, str]
) -> float:
    """The install transaction itself, taking its turn among this process's writers."""
    turns = kdb.write_turns(Path(str(engine.url.database))) if kdb.WRITE_TURNS else None
    took = turns.acquire(kdb.BUSY_TIMEOUT_MS / 1000) if turns is not None else False
    if took and turns is not None:
        # the copy may outlast the busy timeout (a large mirror on a slow disk): writers queued behind it
        # (an application submit) wait for it instead of being refused after 10 s
        turns.hold_long(INSTALL_PATIENCE_S)
    try:
        con.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        try:
            for table, _cols in plan:
                con.execute(f"DELETE FROM main.{table}")  # noqa: S608 - fixed names
            for table, cols in reversed(plan):
                select = cols.replace('"present"', "0") if table == "attachments" else cols
                con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {select} FROM snap.{table}")  # noqa: S608
            rows = {"sync.cursor": str(cursor), **kv}
            con.executemany("INSERT OR REPLACE INTO main.kv(key, value) VALUES (?, ?)", list(rows.items()))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return time.monotonic() - started
    finally:
        if took and turns is not None:
            turns.release()
