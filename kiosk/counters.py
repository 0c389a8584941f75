"""Durable named counters (tracking-number sequences), incremented inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiosk.db import Base


class Counter(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def next_value(session: Session, name: str) -> int:
    """The next value of counter ``name`` (1, 2, …). The write lock is held by BEGIN IMMEDIATE, so two
    writers can never draw the same value; the value is durable once the caller commits."""
    row = session.scalar(select(Counter).where(Counter.name == name))
    if row is None:
        row = Counter(name=name, value=0)
        session.add(row)
    row.value += 1
    session.flush()
    return row.value
