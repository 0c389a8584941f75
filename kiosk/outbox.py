"""The durable outbox: what the terminal owes the district server.

Applications, ratings, usage counters and heartbeats are written here in the same transaction as the
action that made them. The sync client sends each entry with its idempotency key, retries with
exponential backoff and jitter, and marks it acknowledged only after the server said so; a delivered
entry's personal payload is then dropped, leaving a non-personal stub (kind, key, times).
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiosk.db import Base

KINDS = ("application", "rating", "usage", "heartbeat")
BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 1800.0


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class OutboxEntry(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    payload: Mapped[str | None] = mapped_column(Text)  # JSON; NULL once acknowledged (privacy)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))
    acked_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    response: Mapped[str | None] = mapped_column(Text)  # the server's (non-personal) answer, JSON


def enqueue(session: Session, kind: str, payload: dict[str, Any], key: str | None = None) -> OutboxEntry:
    """Add an entry in the caller's transaction; commit together with the action that made it."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    entry = OutboxEntry(
        kind=kind,
        idempotency_key=key or f"{kind}-{uuid.uuid4()}",
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        next_attempt_at=utcnow(),
    )
    session.add(entry)
    return entry


def due(session: Session, now: datetime | None = None, limit: int = 50) -> list[OutboxEntry]:
    """Unacknowledged entries whose next attempt is due, oldest first."""
    now = now or utcnow()
    stmt = (
        select(OutboxEntry)
        .where(OutboxEntry.acked_at.is_(None), OutboxEntry.next_attempt_at <= now)
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def pending_count(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.acked_at.is_(None))
    return int(session.scalar(stmt) or 0)


def oldest_pending(session: Session) -> str | None:
    """When the oldest entry not yet acknowledged was queued (ISO, UTC), or None when all are delivered."""
    first = session.scalar(select(func.min(OutboxEntry.created_at)).where(OutboxEntry.acked_at.is_(None)))
    return first.replace(microsecond=0).isoformat() + "Z" if first is not None else None


def backoff_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [base/2, min(max, base·2^attempts)]."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * (2 ** min(attempts, 20)))
    return rng.uniform(BACKOFF_BASE_S / 2, ceiling)


def mark_failed(entry: OutboxEntry, error: str, now: datetime | None = None) -> None:
    """Record a failed attempt and schedule the next one."""
    now = now or utcnow()
    entry.attempts += 1
    entry.last_error = error[:300]
    entry.next_attempt_at = now + timedelta(seconds=backoff_delay(entry.attempts))


def mark_acked(entry: OutboxEntry, response: dict[str, Any] | None = None, now: datetime | None = None) -> None:
    """The server has it: drop the personal payload, keep a stub and the server's answer."""
    entry.acked_at = now or utcnow()
    entry.payload = None
    entry.last_error = None
    entry.response = json.dumps(response, ensure_ascii=False) if response is not None else None
