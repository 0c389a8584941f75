"""The terminal's SQLite database: engine set-up for a machine that loses power, and migrations.

Every connection gets WAL journaling (the UI keeps reading while sync writes), ``synchronous=FULL``
(residents' applications and the outbox live here: a commit that returned survives power loss),
foreign keys, and a busy timeout. pysqlite's own transaction handling is switched off and each
transaction starts with ``BEGIN IMMEDIATE`` so a writer takes the write lock up front instead of
failing half-way with "database is locked" (SQLAlchemy's documented recipe for pysqlite), and writers in
one process take turns in the order they asked (:class:`WriteTurns`), so a long run of short sync
transactions never starves an application submit.

The schema is managed by Alembic (``kiosk/migrations``); :func:`open_engine` upgrades a mirror to
the newest revision, so a terminal upgraded in the field migrates and keeps its outbox.
"""

from __future__ import annotations

import collections
import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

from kiosk.errors import StorageError
from kiosk.paths import migrations_dir

BUSY_TIMEOUT_MS = 10_000


class Base(DeclarativeBase):
    """Declarative base of every table in the terminal's database."""


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event below.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-32000")  # 32 MB page cache per connection
    cur.close()


class WriteTurns:
    """Writers of one database file in this process take turns in the order they asked (FIFO).

    SQLite's own busy handler makes a waiting writer sleep and retry; a writer that commits and begins
    again at once (the sync applying page after page) can win every retry and starve the others (an
    application submit refused with "database is locked"). Here the next writer in line gets the lock
    as soon as the current transaction ends. Re-entrant per thread; a writer that waits longer than the
    busy timeout goes ahead and lets SQLite decide (another process may hold the lock).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._owner: int | None = None
        self._depth = 0
        self._long_until = 0.0  # monotonic time up to which the holder said it may keep the lock

    def acquire(self, timeout: float) -> bool:
        """Wait for this thread's turn: up to ``timeout`` seconds, or for as long as a holder that declared
        a long transaction (:meth:`hold_long`) said it may take. False when the wait ran out."""
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            deadline = time.monotonic() + timeout
            while not (self._owner is None and self._queue[0] is ticket):
                now = time.monotonic()
                until = max(deadline, self._long_until if self._owner is not None else 0.0)
                if now >= until:
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return False
                self._cond.wait(until - now)
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def hold_long(self, seconds: float) -> None:
        """The current holder (this thread) will keep the lock for up to ``seconds`` (a snapshot install
        copying a whole mirror): writers waiting meanwhile wait for it instead of giving up after the busy
        timeout and being refused by SQLite. Cleared when the turn ends."""
        with self._cond:
            if self._owner == threading.get_ident():
                self._long_until = time.monotonic() + seconds
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                return
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._long_until = 0.0
                self._cond.notify_all()


WRITE_TURNS = True  # the writers benchmark turns it off for its baseline
_turns: dict[str, WriteTurns] = {}
_turns_lock = threading.Lock()


def write_turns(path: Path) -> WriteTurns:
    """The one :class:`WriteTurns` of the database file at ``path`` in this process."""
    key = str(path.resolve())
    with _turns_lock:
        return _turns.setdefault(key, WriteTurns())


def _listen_for_turns(engine: Engine, turns: WriteTurns) -> None:
    held: dict[int, bool] = {}  # per connection: did its BEGIN take a turn?

    def on_begin(conn: Any) -> None:
        took = turns.acquire(BUSY_TIMEOUT_MS / 1000)
        held[id(conn)] = took
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if held.pop(id(conn), False):
                turns.release()
            raise

    def on_end(conn: Any) -> None:
        if held.pop(id(conn), False):
            turns.release()

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)


def private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) and make it 0700: the data folder holds applicants' data.

    A shared folder with the sticky bit (``/tmp``, ``/var/tmp``: a database put there by hand or by a
    test) is left as it is: making it 0700 would lock every other user and service out of it.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.lstat().st_mode & stat.S_ISVTX:
            return
    except OSError:
        return
    _chmod(path, 0o700)


def private_file(path: Path) -> None:
    """Create ``path`` if missing as 0600 and make an existing one 0600 (SQLite gives its -wal and -shm
    files the database file's mode)."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    _chmod(path, 0o600)
    for side in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + side)
        if extra.exists():
            _chmod(extra, 0o600)


def _chmod(path: Path, mode: int) -> None:
    """Tighten ``path`` to ``mode`` where this user owns it (a folder given by IT and owned by root stays)."""
    try:
        st = path.lstat()
        if st.st_uid == os.geteuid() and (st.st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError:
        pass


def make_engine(path: Path | str, *, read_only: bool = False) -> Engine:
    """An engine on the SQLite file at ``path`` with the terminal's pragmas (no migration)."""
    path = Path(path)
    if read_only:
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        private_dir(path.parent)
        private_file(path)
        url = f"sqlite:///{path}"
    engine = create_engine(
        url,
        poolclass=NullPool if read_only else None,
        connect_args={
            "check_same_thread": False,
        },
    )
    event.listen(engine, "connect", _on_connect)
    if not read_only:
        if WRITE_TURNS:
            _listen_for_turns(engine, write_turns(path))
        else:
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


_upgrade_lock = threading.Lock()

# alembic's lines on every command that opens a database, migrating or not: which plugins it set up, and
# two facts about SQLite ("Context impl SQLiteImpl.", "Will assume non-transactional DDL."). What IT reads
# on a console and in the journal is the migrations themselves ("Running upgrade a -> b").
_ALEMBIC_CHATTER = ("Context impl ", "Will assume ")


class _AlembicChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_ALEMBIC_CHATTER)


def quiet_alembic() -> None:
    """Keep alembic's every-start chatter off the console and the journal (idempotent); its migration
    lines stay. Command lines call it unless asked to be verbose."""
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, _AlembicChatter) for f in migration.filters):
        migration.addFilter(_AlembicChatter())


def newer_revision(engine: Engine, known: set[str]) -> str | None:
    """The mirror's stamped revision when this program does not know it (a newer release migrated the
    mirror and was then rolled back), else None."""
    from sqlalchemy import inspect, text

    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        stamped = [str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    unknown = [r for r in stamped if r not in known]
    return unknown[0] if unknown else None


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema revision (idempotent).

    A mirror already at a revision this program does not know was migrated by a newer release that has
    since been rolled back: it is used as it is. Releases migrate additively (new tables, new nullable
    columns, never a rename or a drop in the release that stops using something), so the older program
    still reads and writes it; the newer release, when it comes back, finds it at its own revision."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    with _upgrade_lock:
        known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
        try:
            ahead = newer_revision(engine, known)
            if ahead is not None:
                logging.getLogger("kiosk.db").warning(
                    "the mirror is at schema revision %s, newer than this program knows: used as it is", ahead
                )
                return
            command.upgrade(cfg, "head")
        except Exception as exc:  # alembic wraps sqlite errors in many ways
            raise StorageError(f"无法升级内容镜像数据库：{exc}") from exc


def open_engine(path: Path | str) -> Engine:
    """Open (creating if needed) the terminal database at ``path`` and migrate it to the newest schema."""
    engine = make_engine(path)
    upgrade(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
