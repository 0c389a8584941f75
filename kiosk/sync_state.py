"""What the screens show about sync, read from the mirror's key-value table (no network, no Qt).

The sync client (``sync/``) writes these keys in the same transactions as the work they describe; the UI
polls :func:`read_status` (cheap: a handful of key lookups and one count) from any thread with its own
session. Keys (all text):

    sync.cursor               last feed sequence applied (a page boundary)
    sync.manifest_version     highest manifest version accepted (rollback guard)
    sync.manifest_expires_at  that manifest's expiry, ISO UTC; past it the mirror is "frozen"
    sync.manifest_head        the feed head that manifest announced
    sync.behind               feed entries known but not yet applied
    sync.page_size            feed entries per page this link carries (adapted by the client)
    sync.last_success_at      ISO UTC of the last complete sync
    sync.last_attempt_at      ISO UTC of the last attempt
    sync.last_error           the last run's failures in plain Chinese ("" after a success)
    sync.last_failure         the last run's first failure as JSON {part, code, text, at} ("" after a success)
    sync.failures_in_a_row    runs in a row that ended with a failure (0 after a success)
    terminal.revoked_at       ISO UTC when the server last refused this terminal as revoked (absent once a
                              manifest is accepted again): the terminal then takes no applications
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.mirror.models import KeyValue
from kiosk.mirror.store import kv_set
from kiosk.outbox import pending_count

STALE_WARNING = "内容可能不是最新"
STALE_AFTER = timedelta(hours=24)


REVOKED_KEY = "terminal.revoked_at"
REVOKED_TEXT = (
    "本机已被区里停用，暂不能受理新的申请。请到窗口办理，或联系工作人员；已提交的申请仍保存在本机，会继续送达。"
)


def revoked_since(session: Session) -> str | None:
    """When the server refused this terminal as revoked (ISO UTC), or None while it is in good standing."""
    row = session.get(KeyValue, REVOKED_KEY)
    return row.value if row is not None and row.value else None


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso(t: datetime) -> str:
    return t.replace(microsecond=0).isoformat() + "Z"


def parse_iso(value: object) -> datetime | None:
    """A naive UTC datetime from an ISO string; None for anything else (never raises)."""
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t
    except (ValueError, OverflowError):
        return None


def _count(value: object) -> int:
    """A stored counter; 0 for anything that is not a plain non-negative whole number of at most 18 digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else 0
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return 0


def _text(value: object, limit: int = 300) -> str | None:
    return value[:limit] or None if isinstance(value, str) else None


_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,23}")
_PART = re.compile(r"[a-z_]{1,16}")


@dataclass(frozen=True)
class SyncFailure:
    """The first failure of the last run: which part, a short code, the plain-Chinese line, when."""

    part: str
    code: str
    text: str
    at: datetime

    def dump(self) -> str:
        d = {"part": self.part, "code": self.code, "text": self.text, "at": iso(self.at)}
        return json.dumps(d, ensure_ascii=False)

    @classmethod
    def load(cls, raw: object) -> SyncFailure | None:
        """The stored failure, or None for anything that is not one (never raises)."""
        if not isinstance(raw, str) or not raw or len(raw) > 2000:
            return None
        try:
            d = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(d, dict):
            return None
        part, code, text, at = d.get("part"), d.get("code"), d.get("text"), parse_iso(d.get("at"))
        if not (isinstance(part, str) and _PART.fullmatch(part) and isinstance(code, str) and _CODE.fullmatch(code)):
            return None
        if not isinstance(text, str) or not text or at is None:
            return None
        return cls(part, code, text[:300], at)


@dataclass(frozen=True)
class SyncStatus:
    """The sync state for the screens and the staff page."""

    last_success_at: datetime | None
    last_attempt_at: datetime | None
    behind: int  # feed entries announced by the server and not yet applied
    frozen: bool  # the manifest expired (or none was ever accepted): content may be out of date
    stale: bool  # frozen, or no successful sync for STALE_AFTER
    warning: str | None  # "内容可能不是最新" when stale, else None
    last_error: str | None  # plain Chinese, None after a success
    pending_outbox: int  # applications, ratings, … not yet acknowledged by the server
    manifest_version: int
    cursor: int
    last_failure: SyncFailure | None = None  # the last run's first failure, None after a success
    failures_in_a_row: int = 0  # runs in a row that failed (0 after a success)


def read_status(session: Session, now: datetime | None = None) -> SyncStatus:
    """The current sync state (read-only). Call it inside ``with session.begin():`` or on a short-lived
    session, so the caller's read transaction ends and never pins an old WAL snapshot.

    Whatever is stored (a hostile server's numbers, a half-written or hand-edited row) never makes it
    raise: an unreadable counter reads 0, an unreadable time reads "never" (so the mirror shows stale)."""
    now = now or now_utc()
    rows = session.execute(select(KeyValue.key, KeyValue.value).where(KeyValue.key.like("sync.%")))
    values: dict[str, object] = {k: v for k, v in rows}
    last_ok = parse_iso(values.get("sync.last_success_at"))
    expires = parse_iso(values.get("sync.manifest_expires_at"))
    frozen = expires is None or expires <= now
    stale = frozen or last_ok is None or now - last_ok > STALE_AFTER
    return SyncStatus(
        last_success_at=last_ok,
        last_attempt_at=parse_iso(values.get("sync.last_attempt_at")),
        behind=_count(values.get("sync.behind")),
        frozen=frozen,
        stale=stale,
        warning=STALE_WARNING if stale else None,
        last_error=_text(values.get("sync.last_error")),
        pending_outbox=pending_count(session),
        manifest_version=_count(values.get("sync.manifest_version")),
        cursor=_count(values.get("sync.cursor")),
        last_failure=SyncFailure.load(values.get("sync.last_failure")),
        failures_in_a_row=_count(values.get("sync.failures_in_a_row")),
    )


def read_status_at(db_path: Path, now: datetime | None = None) -> SyncStatus:
    """The sync state of the mirror file at ``db_path``, read on a read-only engine (``mode=ro``): the
    read takes no write lock and no writer's turn, so a staff screen or ``kiosk sync --status`` never
    queues behind (or holds up) a sync or an application submit."""
    from kiosk.db import make_engine, session_factory

    engine = make_engine(db_path, read_only=True)
    try:
        with session_factory(engine)() as session, session.begin():
            return read_status(session, now)
    finally:
        engine.dispose()


def failures_in_a_row(session: Session) -> int:
    """Runs in a row that failed, as stored (0 when absent or unreadable)."""
    return _count(session.scalar(select(KeyValue.value).where(KeyValue.key == "sync.failures_in_a_row")))


def record_attempt(
    session: Session, *, error: str | None, now: datetime | None = None, failure: SyncFailure | None = None
) -> None:
    """Record the end of a sync attempt in the caller's transaction (success when ``error`` is None);
    ``failure`` is the run's first failure (part, code, text) for the staff page and the heartbeat."""
    now = now or now_utc()
    kv_set(session, "sync.last_attempt_at", iso(now))
    kv_set(session, "sync.last_error", error or "")
    if error is None:
        kv_set(session, "sync.last_success_at", iso(now))
        kv_set(session, "sync.last_failure", "")
        kv_set(session, "sync.failures_in_a_row", "0")
        return
    kv_set(session, "sync.last_failure", (failure or SyncFailure("pull", "error", error[:300], now)).dump())
    kv_set(session, "sync.failures_in_a_row", str(min(failures_in_a_row(session) + 1, 10**9)))
