"""The district server's own database (SQLite by default, PostgreSQL through the URL).

Tables: the published documents with their signed feed entries (one row per document id, holding the
latest feed entry and its sequence number, so the changes feed is compacted), attachment blobs, zones,
categories, terminals (token hashes and last heartbeat), submissions from terminals (applications,
ratings, usage counters, heartbeats — keyed by terminal and idempotency key), and a small key-value table
for the feed head and the current signed manifest. Workers hold no state of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

log = logging.getLogger("sync.server.db")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ServerBase(DeclarativeBase):
    """Declarative base of the district server's tables (separate from the terminal's)."""


# Modules that add tables of their own (the office's cases and evaluation, ``sync/server/__init__.py``
# imports them) register here what a freshly opened engine needs beyond ``create_all``.
_ENGINE_HOOKS: list[Callable[[Engine], None]] = []
# Tables that must be in the schema before ``open_db`` creates it: one from each module that adds tables.
_REQUIRED_TABLES = (
    "cases",
    "case_events",
    "rating_followups",
    "issued_notices",
    "duty_roster",
    "case_reviews",
    "feed_chain",
    "lost_acks",
)


def on_open(hook: Callable[[Engine], None]) -> None:
    """Run ``hook(engine)`` on every engine :func:`open_db` opens, after the tables exist (idempotent)."""
    if hook not in _ENGINE_HOOKS:
        _ENGINE_HOOKS.append(hook)


class FeedDoc(ServerBase):
    """A document's latest state: its signed feed entry and the sequence number it was published at."""

    __tablename__ = "feed_docs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    zone: Mapped[str | None] = mapped_column(String(32), index=True)  # NULL: district-wide
    # The zone scope before the latest change when it moved ("*": it was district-wide), so terminals that
    # can no longer see the document still receive the change and drop their copy.
    prev_zone: Mapped[str | None] = mapped_column(String(32), index=True)
    op: Mapped[str] = mapped_column(String(8))  # put | delete
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical wire document minus version
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of the feed entry's payload (signed when served)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BlobRow(ServerBase):
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ZoneRow(ServerBase):
    __tablename__ = "zones"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # the zone's wire object, JSON


class CategoryRow(ServerBase):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class Terminal(ServerBase):
    """A kiosk allowed to sync; only the sha256 of its token is stored."""

    __tablename__ = "terminals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    zone: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    app_version: Mapped[str | None] = mapped_column(String(40))
    mirror_seq: Mapped[int | None] = mapped_column(BigInteger)
    mirror_synced_at: Mapped[str | None] = mapped_column(String(40))
    printer_state: Mapped[str | None] = mapped_column(String(200))
    free_disk_mb: Mapped[int | None] = mapped_column(BigInteger)
    pending_outbox: Mapped[int | None] = mapped_column(Integer)
    # Enrolment and the fleet page (sync.server.terminals.enrol, sync.server.pages).
    name: Mapped[str | None] = mapped_column(String(100))  # what IT calls it, e.g. 万宝镇 01 号机
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)
    outbox_oldest: Mapped[str | None] = mapped_column(String(40))  # ISO time of the oldest pending entry
    last_error: Mapped[str | None] = mapped_column(String(300))
    sync_interval_s: Mapped[int | None] = mapped_column(Integer)  # what the terminal reports
    # The terminal's last sync failure as its heartbeat reports it (validated:
    # sync.protocol.requests.SyncFailureReport);
    # all NULL after a successful run. Added after the first release: open_db adds them to an older database.
    failure_part: Mapped[str | None] = mapped_column(String(16))
    failure_code: Mapped[str | None] = mapped_column(String(24))
    failure_text: Mapped[str | None] = mapped_column(String(300))
    failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    failures_in_a_row: Mapped[int | None] = mapped_column(Integer)
    # Requests refused because the terminal is revoked: how many since, and the last (the fleet page shows a
    # stolen terminal that keeps knocking). Reset when a new code is redeemed.
    refused_count: Mapped[int | None] = mapped_column(Integer)
    refused_last_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Software updates as the heartbeat reports them (sync.server.releases): the running release, and the
    # updater's state (downloading, staged, waiting, switched, rolled_back, failed) with its note and time.
    update_state: Mapped[str | None] = mapped_column(String(16))
    update_version: Mapped[str | None] = mapped_column(String(40))
    update_note: Mapped[str | None] = mapped_column(String(300))
    update_at: Mapped[datetime | None] = mapped_column(DateTime)


class EnrolmentCode(ServerBase):
    """A one-time code that hands a registered terminal its configuration (only its sha256 is kept)."""

    __tablename__ = "enrolment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class PrinterTemplate(ServerBase):
    """The printers a new terminal of a zone is given (``*``: every zone without its own), as JSON."""

    __tablename__ = "printer_templates"

    zone: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # JSON list of [[printers]] tables (kiosk.config.PrinterConfig)


class Submission(ServerBase):
    """Something a terminal sent: an application (依申请公开申请), a rating, usage counters or a heartbeat."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("terminal_id", "idem_key", name="uq_submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    zone: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    idem_key: Mapped[str] = mapped_column(String(80))
    tracking_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="received")
    deadline: Mapped[str | None] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AdminAccount(ServerBase):
    """A person who may use the admin pages: district IT (``it``), the 政务公开 office (``office``) or both.

    ``roles`` is a comma-separated list; ``pw_hash`` is ``scrypt$N$r$p$salt$hash`` (``sync.server.admin.auth``).
    """

    __tablename__ = "admin_accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    roles: Mapped[str] = mapped_column(String(64))
    pw_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)  # no longer set: logins are throttled
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; set: a 动态验证码 is required
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # the last code's time step (no reuse)


class AdminSession(ServerBase):
    """A logged-in browser: the sha256 of its cookie value, its CSRF token and when it ends."""

    __tablename__ = "admin_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Meta(ServerBase):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions begin in _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA secure_delete=ON")  # what is overwritten (a re-sealed application) leaves no trace
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


READ_ONLY = "zwgk_read_only"  # execution option: this transaction only reads (:func:`begin_read`)


def _sqlite_begin(conn: Any) -> None:
    """Every transaction takes the write lock up front (``BEGIN IMMEDIATE``), so a read-then-write
    transaction never fails half-way; one begun by :func:`begin_read` does not (``BEGIN DEFERRED``): under
    WAL a reader sees the last committed state and never waits for a writer."""
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def begin_read(session: Session) -> None:
    """Begin ``session``'s next transaction as a reader: on SQLite it does not wait for the write lock,
    so a request that only reads (a terminal's token, the manifest, the feed) answers while a long write
    (a publish, a backup) holds it. The transaction must not write: end it (``rollback``) first; a write in
    it could be refused with "database is locked" instead of waiting its turn. PostgreSQL: no difference."""
    if session.in_transaction():
        raise RuntimeError("begin_read: the session is already in a transaction")
    session.connection(execution_options={READ_ONLY: True})


def normalize_url(url: str) -> str:
    """Accept a bare file path for SQLite as well as an SQLAlchemy URL."""
    return url if "://" in url else f"sqlite:///{url}"


def open_db(url: str) -> Engine:
    """Open the server database at ``url``, creating or migrating its schema to the newest revision
    (:mod:`sync.server.migrate`)."""
    url = normalize_url(url)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        # One writer at a time, taken up front: a read-then-write transaction never fails half-way.
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    missing = [t for t in _REQUIRED_TABLES if t not in ServerBase.metadata.tables]
    if missing:  # a module with tables of its own was not imported: never create half a schema
        raise RuntimeError(f"server tables not registered: {', '.join(missing)} (sync/server/__init__.py)")
    from sync.server import migrate, pii

    migrate.upgrade(engine, metadata=ServerBase.metadata)
    pii.attach(engine, holds_sealed=pii.database_holds_sealed(engine))
    for hook in _ENGINE_HOOKS:
        hook(engine)
    return engine


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def meta_get(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Meta, key)
    return row.value if row is not None else default


def meta_set(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def head_seq(session: Session) -> int:
    return int(meta_get(session, "head_seq", "0") or 0)


def lock_head(session: Session) -> int:
    """Read the feed head, locking its row (PostgreSQL) so concurrent publishers serialise."""
    row = session.scalar(select(Meta).where(Meta.key == "head_seq").with_for_update())
    if row is None:
        session.add(Meta(key="head_seq", value="0"))
        session.flush()
        return 0
    return int(row.value)
