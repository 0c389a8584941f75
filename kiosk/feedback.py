"""Satisfaction ratings (满意度评价) a resident leaves after a visit, queued for the district server.

A rating is one of five levels, 非常满意 … 非常不满意, with the terminal, the zone and (optionally) the
screen it was given on. It goes into the durable outbox as kind ``"rating"`` in its own transaction;
the sync client delivers it. Nothing personal is asked or stored.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kiosk import outbox


class Rating(enum.IntEnum):
    VERY_SATISFIED = 5  # 非常满意
    SATISFIED = 4  # 满意
    NEUTRAL = 3  # 基本满意
    DISSATISFIED = 2  # 不满意
    VERY_DISSATISFIED = 1  # 非常不满意

    @property
    def label(self) -> str:
        return {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}[int(self)]


def record_rating(
    session: Session, level: int, *, terminal_id: str, zone: str, context: str = "", now: datetime | None = None
) -> str:
    """Queue one rating in the outbox and commit; returns its idempotency key.

    ``level`` must be 1…5 (a :class:`Rating`); anything else is a ``ValueError`` and nothing is written.
    """
    rating = Rating(level)
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    payload = {
        "level": int(rating),
        "label": rating.label,
        "terminal": terminal_id,
        "zone": zone,
        "context": context[:40],
        "at": when.isoformat().replace("+00:00", "Z"),
    }
    with session.begin():
        entry = outbox.enqueue(session, "rating", payload)
        key = entry.idempotency_key
    return key
