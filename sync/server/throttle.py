"""Failure throttles shared by every worker: the database holds them, so two server processes (or two
machines on one PostgreSQL) count the same failures and a restart forgets nothing.

A throttle is a key (hashed: it may hold a username or an address) with a count of recent failures.
Under a :class:`Policy` the first ``free`` failures cost nothing; each further one makes the key wait
``base_s`` seconds, doubling, up to ``max_s``; failures older than ``window_s`` are forgotten. Used for:

- logins, keyed by (account, source) — or (account, known device) for a browser that logged in before —
  so somebody else's failures never lock a clerk out of her own browser (:mod:`sync.server.admin.auth`);
- enrolment codes, keyed by the source address (:mod:`sync.server.terminals.routes`);
- the public status page's four-digit check, keyed by tracking number and by source address.

The source address is the peer's, or with ``--trust-proxy`` the last address in ``X-Forwarded-For``
(the one the trusted proxy saw), never a header a client can set on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.requests import Request

from sync.server.db import ServerBase, utcnow


class Throttle(ServerBase):
    """Recent failures under one key (the key's sha256, never the key)."""

    __tablename__ = "throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    wait_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


@dataclass(frozen=True)
class Policy:
    """How a throttle grows: ``free`` failures, then ``base_s`` doubling to ``max_s``; forgotten after
    ``window_s`` without a failure."""

    free: int
    base_s: float
    max_s: float
    window_s: float

    def wait_after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.max_s, self.base_s * 2 ** (failures - self.free)))


LOGIN = Policy(free=3, base_s=5, max_s=300, window_s=24 * 3600)  # 5, 10, 20 … 300 s after 3 failures
ENROL = Policy(free=20, base_s=600, max_s=600, window_s=600)
STATUS_NUMBER = Policy(free=5, base_s=900, max_s=900, window_s=900)
STATUS_SOURCE = Policy(free=20, base_s=900, max_s=900, window_s=900)


def key_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def client_address(request: Request, trust_proxy: bool) -> str:
    """The address a request came from: the trusted proxy's view with ``trust_proxy``, else the peer's."""
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return request.client.host if request.client else "?"


def _row(session: Session, key: str, now: dt.datetime, policy: Policy) -> Throttle | None:
    row = session.get(Throttle, key_hash(key), with_for_update=True)
    if row is not None and (now - row.last_at).total_seconds() > policy.window_s:
        row.failures, row.first_at, row.wait_until = 0, now, None
    return row


def wait_s(session: Session, key: str, policy: Policy, now: dt.datetime | None = None) -> float:
    """Seconds ``key`` must still wait before its next try (0: it may try now). Reads only."""
    now = now or utcnow()
    row = session.get(Throttle, key_hash(key))
    if row is None or row.wait_until is None or (now - row.last_at).total_seconds() > policy.window_s:
        return 0.0
    return max(0.0, (row.wait_until - now).total_seconds())


def fail(session: Session, key: str, policy: Policy, now: dt.datetime | None = None) -> float:
    """Book one failure of ``key`` in the caller's transaction; returns the wait it now has."""
    now = now or utcnow()
    row = _row(session, key, now, policy)
    if row is None:
        row = Throttle(key_hash=key_hash(key), failures=0, first_at=now, last_at=now)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # another worker booked the first failure at the same instant
            session.rollback()
            row = _row(session, key, now, policy)
            assert row is not None
    row.failures += 1
    row.last_at = now
    wait = policy.wait_after(row.failures)
    row.wait_until = now + dt.timedelta(seconds=wait) if wait else None
    return wait


def clear(session: Session, key: str) -> None:
    """Forget ``key``'s failures (a success), in the caller's transaction."""
    session.execute(delete(Throttle).where(Throttle.key_hash == key_hash(key)))


def forget_old(session: Session, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Drop throttles with no failure for ``older_than`` (housekeeping); returns how many."""
    result = session.execute(delete(Throttle).where(Throttle.last_at < utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
