"""Backup, restore and what a restore must not hide (``python -m sync.server backup|restore|lost``).

- **The last signed state, outside the database.** Every time the server signs a new manifest it records
  ``{epoch, manifest_version, head_seq, chain}`` in a small state file beside its signing key
  (``feed-state.json``). ``serve`` refuses to start on a database whose feed is older than that (a
  database copied back from a backup by hand, a disk swapped under it): manifest versions would go
  backwards and sequence numbers would be reused for other documents.
- **Backup** (:func:`backup_sqlite`): SQLite's online backup API, consistent while the server runs,
  written beside the target and renamed into place. PostgreSQL: ``pg_dump`` (docs/deploy.md).
- **Restore** (:func:`restore`): copies the backup into the database (SQLite; PostgreSQL is restored
  with ``pg_restore`` first), then raises the feed's *epoch* and keeps the manifest version at the highest
  ever signed, so the next manifest is newer than anything a terminal accepted and says, signed, that the
  feed restarted. Terminals that see it reconcile their mirrors with the server (:mod:`sync.fork`). Old
  snapshots (another epoch) are removed.
- **What the restored server no longer has** (:class:`LostApplication`): terminals that reconcile report
  the tracking numbers the server once acknowledged to them (they keep a stub without personal data); those
  the restored database lacks are listed for the office (fleet page, ``lost`` command), since the
  applicants' details left the terminal after the acknowledgement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import DateTime, Engine, Integer, String, UniqueConstraint, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import (
    Meta,
    ServerBase,
    Submission,
    head_seq,
    meta_get,
    meta_set,
    normalize_url,
    open_db,
    sessions,
    utcnow,
)
from sync.server.errors import ServerRefusal

log = logging.getLogger("sync.server.recovery")

STATE_NAME = "feed-state.json"


class RecoveryError(ServerRefusal):
    """A backup or restore that cannot be done, or a database the server must not serve."""


class LostApplication(ServerBase):
    """An application a terminal says the server acknowledged, which the (restored) server does not have."""

    __tablename__ = "lost_acks"
    __table_args__ = (UniqueConstraint("terminal_id", "tracking_no", name="uq_lost_ack"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    zone: Mapped[str] = mapped_column(String(32))
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    acked_at: Mapped[str | None] = mapped_column(String(40))  # when the terminal got the acknowledgement (UTC)
    epoch: Mapped[int] = mapped_column(Integer)  # the epoch the terminal reported it in
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


@dataclass(frozen=True)
class SignedState:
    """What the server last signed: the feed's epoch, the manifest version, the head and its chain value."""

    epoch: int
    manifest_version: int
    head_seq: int
    chain: str


def state_path(key_dir: Path) -> Path:
    return (key_dir if key_dir.is_dir() else key_dir.parent) / STATE_NAME


def read_state(path: Path) -> SignedState | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return SignedState(int(raw["epoch"]), int(raw["manifest_version"]), int(raw["head_seq"]), str(raw["chain"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RecoveryError(f"{path}: 服务器的签发记录无法读取（{exc}）；请从备份恢复该文件或运行 restore") from None


def write_state(path: Path, state: SignedState, *, only_forward: bool = True) -> None:
    """Record ``state`` (atomically; with ``only_forward`` never over a newer one another worker wrote)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if only_forward:
            old = read_state(path)
            if old is not None and (old.epoch, old.manifest_version) >= (state.epoch, state.manifest_version):
                return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(state), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def db_state(session: Session) -> SignedState:
    """The database's own idea of what was signed last."""
    from sync.server.feed import chain

    raw = meta_get(session, "manifest_version", "0") or "0"
    return SignedState(chain.epoch(session), int(raw), head_seq(session), chain.head(session))


def check_not_older(engine: Engine, path: Path) -> SignedState:
    """Refuse (RecoveryError) a database whose feed is older than what this server last signed; record the
    database's state when no state file exists yet (the first start)."""
    from sync.server.feed import chain

    state = read_state(path)
    with sessions(engine)() as session:
        have = db_state(session)
        chain_there = chain.chain_at(session, state.head_seq) if state is not None else ""
    if state is None:
        write_state(path, have)
        return have
    older = have.epoch < state.epoch or (
        have.epoch == state.epoch
        and (
            have.manifest_version < state.manifest_version
            or have.head_seq < state.head_seq
            or chain_there != state.chain
        )
    )
    if older:
        raise RecoveryError(
            f"数据库的发布记录比本服务器最后签发的旧（数据库：纪元 {have.epoch}、清单 v{have.manifest_version}、"
            f"序号 {have.head_seq}；已签发：纪元 {state.epoch}、清单 v{state.manifest_version}、"
            f"序号 {state.head_seq}）。"
            "这像是从备份恢复或换过的数据库：直接启动会让终端悄悄分叉。请用 "
            "`python -m sync.server restore` 恢复（它会开启新的发布纪元，终端据此自动核对）。"
        )
    return have


def _sqlite_path(url: str) -> Path | None:
    u = make_url(normalize_url(url))
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def backup_sqlite(url: str, out: Path) -> Path:
    """A consistent copy of a live SQLite server database (the online backup API), renamed into place."""
    src_path = _sqlite_path(url)
    if src_path is None:
        raise RecoveryError("backup 只用于 SQLite 数据库；PostgreSQL 请用 pg_dump（见 docs/deploy.md）")
    if not src_path.is_file():
        raise RecoveryError(f"{src_path}: 数据库文件不存在")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.execute("PRAGMA busy_timeout=10000")
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)
    return out


def _copy_into(backup: Path, target: Path) -> None:
    """Overwrite the SQLite database ``target`` with the backup file's content (server stopped)."""
    try:
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if ok is None or ok[0] != "ok" or not {"feed_docs", "meta", "terminals"} <= tables:
                raise RecoveryError(f"{backup}: 不是完好的区级服务器数据库备份，未做任何改动")
            dst = sqlite3.connect(target)
            try:
                dst.execute("PRAGMA busy_timeout=10000")
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise RecoveryError(f"{backup}: 无法读取备份（{exc}），未做任何改动") from None


def restore(url: str, backup: Path | None, state_file: Path, snapshot_dir: Path | None) -> SignedState:
    """Put the backup in place (SQLite; for PostgreSQL ``backup`` is None: restored with pg_restore before),
    raise the feed epoch and keep the manifest version at the highest ever signed; returns the new state."""
    from sync.server.feed import chain

    if backup is not None:
        target = _sqlite_path(url)
        if target is None:
            raise RecoveryError("--from 只用于 SQLite；PostgreSQL 先用 pg_restore 恢复，再不带 --from 运行 restore")
        _copy_into(backup, target)
    signed = read_state(state_file)
    engine = open_db(url)
    try:
        with sessions(engine)() as session, session.begin():
            have = db_state(session)
            new_epoch = max(have.epoch, signed.epoch if signed else 0) + 1
            version = max(have.manifest_version, signed.manifest_version if signed else 0)
            meta_set(session, "feed_epoch", str(new_epoch))
            meta_set(session, "manifest_version", str(version))
            meta_set(session, "restored_at", utcnow().replace(microsecond=0).isoformat() + "Z")
            if signed is not None:
                meta_set(session, "restored_over_head", str(signed.head_seq))
            stored = session.get(Meta, "manifest")  # the next request signs a new one (version + 1)
            if stored is not None:
                session.delete(stored)
            state = SignedState(new_epoch, version, have.head_seq, chain.head(session))
    finally:
        engine.dispose()
    write_state(state_file, state, only_forward=False)
    if snapshot_dir is not None and snapshot_dir.is_dir():
        for p in snapshot_dir.iterdir():  # another epoch's content: terminals would refuse them anyway
            with contextlib.suppress(OSError):
                p.unlink()
    log.info("restored: epoch %s, manifest version kept at %s, head %s", new_epoch, version, state.head_seq)
    return state


# -- acknowledged applications the restored server does not have ------------------------------------------
def report_acked(session: Session, terminal_id: str, zone: str, epoch: int, items: list[tuple[str, str | None]]) -> int:
    """Record which of the terminal's acknowledged tracking numbers (with their ack time) this server lacks;
    returns how many it lacks (in the caller's transaction)."""
    numbers = [tn for tn, _ in items]
    have: set[str] = set()
    for i in range(0, len(numbers), 500):
        chunk = numbers[i : i + 500]
        have |= set(session.scalars(select(Submission.tracking_no).where(Submission.tracking_no.in_(chunk))))
        have |= set(
            session.scalars(
                select(LostApplication.tracking_no).where(
                    LostApplication.terminal_id == terminal_id, LostApplication.tracking_no.in_(chunk)
                )
            )
        )
    missing = 0
    for tn, acked_at in items:
        if tn in have:
            continue
        have.add(tn)
        session.add(LostApplication(terminal_id=terminal_id, zone=zone, tracking_no=tn, acked_at=acked_at, epoch=epoch))
        missing += 1
    if missing:
        log.warning(
            "terminal %s reports %s acknowledged application(s) this server does not have", terminal_id, missing
        )
    return missing


def lost_applications(session: Session, *, open_only: bool = True) -> list[LostApplication]:
    query = select(LostApplication).order_by(LostApplication.zone, LostApplication.tracking_no)
    if open_only:
        query = query.where(LostApplication.resolved_at.is_(None))
    return list(session.scalars(query))
