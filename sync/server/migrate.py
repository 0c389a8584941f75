"""The server database's schema revisions (Alembic, ``sync/server/migrations``), beside the terminal's.

:func:`upgrade` brings a database to the newest revision and is what :func:`sync.server.db.open_db` runs:
a new database is built by the revisions, one made before migrations existed (tables but no
``alembic_version``) is first brought to the baseline the old way (missing baseline tables created,
missing nullable baseline columns added), stamped as the baseline, then upgraded. Several workers
starting at once on PostgreSQL take an advisory lock, so one migrates and the others find it done.

Command line (``python -m sync.server db …``): ``current``, ``upgrade [REV]``, ``downgrade REV``,
``history``. A release that changes a table ships a revision with both directions, tested on SQLite
and PostgreSQL (``tests/sync/test_server_migrations.py``).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

log = logging.getLogger("sync.server.migrate")

BASELINE = "s0001"
ADVISORY_LOCK_ID = 0x7A77676B  # "zwgk": one migrator at a time on PostgreSQL

# The tables and columns of the baseline revision, frozen here: a pre-migration database is completed to
# exactly this before it is stamped, so later revisions find what they expect.
BASELINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "admin_accounts": (
        "username",
        "roles",
        "pw_hash",
        "disabled",
        "failed_logins",
        "locked_until",
        "created_at",
        "last_login_at",
    ),
    "admin_sessions": (
        "id_hash",
        "username",
        "csrf",
        "created_at",
        "last_seen_at",
        "expires_at",
    ),
    "blobs": (
        "sha256",
        "size",
        "data",
    ),
    "calendar_years": (
        "year",
        "data",
        "source",
        "published_by",
        "published_at",
    ),
    "case_events": (
        "id",
        "tracking_no",
        "at",
        "on",
        "actor",
        "action",
        "from_state",
        "to_state",
        "reason",
        "data",
    ),
    "case_files": (
        "id",
        "tracking_no",
        "name",
        "content_type",
        "data",
        "at",
        "actor",
    ),
    "cases": (
        "tracking_no",
        "zone",
        "state",
        "received_on",
        "clock_from",
        "paused_days",
        "extension_days",
        "due",
        "due_source",
        "due_provisional",
        "due_explanation",
        "printed_deadline",
        "phone_tail_hash",
        "correction_asked_on",
        "correction_due",
        "correction_received_on",
        "consult_since",
        "extended_on",
        "reply_type",
        "replied_on",
        "closed_on",
        "updated_at",
    ),
    "categories": (
        "code",
        "data",
    ),
    "data_views": (
        "id",
        "at",
        "actor",
        "tracking_no",
        "what",
    ),
    "doc_versions": (
        "id",
        "doc_id",
        "version",
        "payload",
        "replaced_at",
        "replaced_by",
    ),
    "enrolment_codes": (
        "code_hash",
        "terminal_id",
        "created_at",
        "expires_at",
        "used_at",
    ),
    "feed_docs": (
        "id",
        "seq",
        "zone",
        "prev_zone",
        "op",
        "version",
        "content_hash",
        "payload",
        "published_at",
    ),
    "meta": (
        "key",
        "value",
    ),
    "printer_templates": (
        "zone",
        "data",
    ),
    "rating_followups": (
        "submission_id",
        "at",
        "actor",
        "note",
    ),
    "submissions": (
        "id",
        "terminal_id",
        "zone",
        "kind",
        "idem_key",
        "tracking_no",
        "phone_hash",
        "status",
        "deadline",
        "payload",
        "response",
        "received_at",
    ),
    "terminals": (
        "id",
        "zone",
        "token_hash",
        "created_at",
        "last_heartbeat_at",
        "app_version",
        "mirror_seq",
        "mirror_synced_at",
        "printer_state",
        "free_disk_mb",
        "pending_outbox",
        "name",
        "revoked_at",
        "enrolled_at",
        "outbox_oldest",
        "last_error",
        "sync_interval_s",
        "failure_part",
        "failure_code",
        "failure_text",
        "failure_at",
        "failures_in_a_row",
    ),
    "zones": (
        "code",
        "data",
    ),
}


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config_for_scripts()).get_current_head()
    assert head is not None
    return head


def _config_for_scripts() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        return rev


def _complete_legacy(engine: Engine, metadata: MetaData) -> list[str]:
    """Bring a database made before migrations to the baseline: missing baseline tables, then missing
    nullable baseline columns. Returns what was added."""
    added: list[str] = []
    have = inspect(engine)
    existing = set(have.get_table_names())
    baseline = baseline_metadata(metadata)
    missing = [baseline.tables[name] for name in BASELINE_COLUMNS if name not in existing]
    if missing:
        baseline.create_all(engine, tables=missing)
        added += [t.name for t in missing]
    for name, columns in BASELINE_COLUMNS.items():
        if name not in existing:
            continue
        present = {c["name"] for c in have.get_columns(name)}
        table = metadata.tables[name]
        for col in columns:
            if col in present:
                continue
            column = table.columns[col]
            if not column.nullable or column.primary_key:
                raise RuntimeError(f"{name}.{col} is missing and cannot be added as NULL: restore a backup")
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as conn:
                conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN "{col}" {kind}'))
            added.append(f"{name}.{col}")
    return added


def baseline_metadata(metadata: MetaData) -> MetaData:
    """The baseline's tables as the models declare them, cut to the baseline's columns (and the indexes on
    those): what a database made before migrations should hold."""
    from sqlalchemy import Index, Table, UniqueConstraint

    meta = MetaData()
    for name, columns in BASELINE_COLUMNS.items():
        model = metadata.tables[name]
        table = Table(name, meta, *(model.columns[c]._copy() for c in columns))
        for cons in model.constraints:
            if isinstance(cons, UniqueConstraint) and all(c.name in columns for c in cons.columns):
                table.append_constraint(UniqueConstraint(*(c.name for c in cons.columns), name=cons.name))
        for index in model.indexes:
            have = {i.name for i in table.indexes}
            if index.name not in have and all(c.name in columns for c in index.columns):
                Index(index.name, *(table.c[c.name] for c in index.columns), unique=index.unique)
    return meta


def _is_legacy(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return "meta" in names and "alembic_version" not in names


def _with_lock(engine: Engine, work: Any) -> None:
    if engine.dialect.name != "postgresql":
        work()
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_ID})
        conn.commit()
        try:
            work()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_ID})
            conn.commit()


def upgrade(engine: Engine, revision: str = "head", metadata: MetaData | None = None) -> None:
    """Bring the database to ``revision`` (default: the newest); idempotent. ``metadata``: the models'
    (``ServerBase.metadata``), needed only to complete a database made before migrations."""

    def work() -> None:
        if _is_legacy(engine):
            if metadata is None:
                raise RuntimeError("a database made before migrations needs the models' metadata to complete it")
            added = _complete_legacy(engine, metadata)
            log.info("database made before migrations: completed to the baseline (%s) and stamped", added or "-")
            command.stamp(_config(engine), BASELINE)
        if current(engine) != head_revision() or revision != "head":
            command.upgrade(_config(engine), revision)

    _with_lock(engine, work)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database down to ``revision`` (each revision's downgrade in turn)."""
    _with_lock(engine, lambda: command.downgrade(_config(engine), revision))


def history() -> list[str]:
    """Every revision, newest first, as ``id: message``."""
    script = ScriptDirectory.from_config(_config_for_scripts())
    return [f"{s.revision}: {s.doc}" for s in script.walk_revisions()]


def schema_drift(conn: Connection, metadata: MetaData) -> list[Any]:
    """What differs between the models and the database (empty when the revisions match the models)."""
    from alembic.autogenerate import compare_metadata

    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, metadata))


def add_parser(sub: Any) -> None:
    """The ``db`` command of ``python -m sync.server``."""
    dbp = sub.add_parser("db", help="数据库结构版本：current 查看、upgrade 升级、downgrade 降级、history 历史")
    dbp.add_argument("action", choices=("current", "upgrade", "downgrade", "history"))
    dbp.add_argument("revision", nargs="?", default=None, help="upgrade：默认为最新；downgrade：必须给出")
    dbp.add_argument("--db", help="数据库 URL 或 SQLite 文件路径")


def run_command(args: argparse.Namespace) -> int:
    """``db current|upgrade|downgrade|history``: Alembic revisions of the server database."""
    from sqlalchemy import create_engine

    from kiosk.errors import ConfigError

    if args.action == "history":
        print("\n".join(history()))
        return 0
    if not args.db:
        raise ConfigError("需要 --db")
    engine = create_engine(args.db if "://" in args.db else f"sqlite:///{args.db}")
    try:
        if args.action == "upgrade":
            upgrade(engine, args.revision or "head")
        elif args.action == "downgrade":
            if not args.revision:
                raise ConfigError("downgrade 需要给出要降到的版本（见 'db history'）")
            downgrade(engine, args.revision)
        print(f"数据库结构版本：{current(engine) or '（无）'}；最新版本：{head_revision()}")
    finally:
        engine.dispose()
    return 0
