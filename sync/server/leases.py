"""Leases in the database: work that one worker of many should do at a time (a snapshot build), taken
by whoever gets the row first and given up when done or when it expires (a worker that died)."""

from __future__ import annotations

import datetime as dt
import os
import secrets

from sqlalchemy import DateTime, Engine, String, delete
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.db import ServerBase, sessions, utcnow


class Lease(ServerBase):
    """Who holds a piece of work (``name``) until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


def new_owner() -> str:
    """An owner id for this worker: its pid and a random tail (pids repeat across machines)."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def take(engine: Engine, name: str, owner: str, ttl: dt.timedelta) -> bool:
    """Take ``name`` for ``owner`` unless another holds it unexpired; True when taken."""
    now = utcnow()
    try:
        with sessions(engine)() as s, s.begin():
            row = s.get(Lease, name, with_for_update=True)
            if row is not None and row.owner != owner and row.expires_at > now:
                return False
            if row is None:
                s.add(Lease(name=name, owner=owner, expires_at=now + ttl))
            else:
                row.owner, row.expires_at = owner, now + ttl
    except (IntegrityError, OperationalError):  # another worker inserted it first (or holds the write lock)
        return False
    return True


def give_up(engine: Engine, name: str, owner: str) -> None:
    with sessions(engine)() as s, s.begin():
        s.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))
