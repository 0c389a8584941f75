"""A rating is one outbox entry of kind "rating", committed alone; a bad level writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.feedback import Rating, record_rating
from kiosk.outbox import OutboxEntry


def test_rating_is_queued_in_the_outbox(session: Session) -> None:
    key = record_rating(session, 5, terminal_id="t1", zone="wanbao", context="visit")
    entries = list(session.scalars(select(OutboxEntry)))
    assert len(entries) == 1 and entries[0].kind == "rating" and entries[0].idempotency_key == key
    payload = json.loads(entries[0].payload or "{}")
    assert payload["level"] == 5 and payload["label"] == "非常满意" and payload["zone"] == "wanbao"
    assert Rating(1).label == "非常不满意"


def test_bad_level_writes_nothing(session: Session) -> None:
    with pytest.raises(ValueError, match="6"):
        record_rating(session, 6, terminal_id="t1", zone="wanbao")
    assert list(session.scalars(select(OutboxEntry))) == []
