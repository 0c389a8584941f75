"""Usage events for the district's monthly evaluation (一月一评比), without personal data.

A visit (from the first touch to the idle timeout's wipe) collects events; when it ends,
:func:`end_visit` queues them as one outbox entry of kind ``usage`` that the sync client delivers::

    {"zone": "wanbao", "terminal": "wanbao-01", "visit": "3f9c…", "started_at": "2026-11-30T09:12:03+08:00",
     "events": [{"type": "doc_read", "at": "2026-11-30T09:12:40+08:00", "category": "policy"}, …],
     "counters": {"session": 1, "doc_read": 1, …}}

Event types: ``session`` (the visit itself), ``doc_read`` (a document opened; its category),
``search`` (``hits``: how many results; ``query`` only as below), ``print`` (``what``: receipt |
document | form), ``application`` (submitted), ``rating`` (``level`` 1–5). ``at`` is local time (China,
+08:00), so the server groups by when it happened, not when it arrived.

What a resident typed into search is sent only once at least :data:`QUERY_MIN_VISITS` different visits
on this terminal have typed the same query (after NFKC, case and space folding), and never when it holds
a run of 5+ digits (phone, ID or case numbers) or is longer than 30 characters. The terminal keeps, per
query, only a salted hash of it and of the visits that typed it (``kv``). The visit id is random and
links nothing to a person.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from kiosk import outbox
from kiosk.mirror.store import kv_get, kv_set

CHINA = timezone(timedelta(hours=8))
EVENT_TYPES = ("session", "doc_read", "search", "print", "application", "rating")
QUERY_MIN_VISITS = 3
MAX_EVENTS = 500  # per visit; more are counted but not listed
_CURRENT = "usage.current"
_SALT = "usage.salt"
_DIGITS = re.compile(r"\d{5,}")


def _local(now: datetime | None) -> str:
    t = (now or datetime.now(UTC)).astimezone(CHINA).replace(microsecond=0)
    return t.isoformat()


def _current(session: Session, now: datetime | None) -> dict[str, Any]:
    raw = kv_get(session, _CURRENT)
    if raw:
        try:
            cur = json.loads(raw)
            if isinstance(cur, dict) and isinstance(cur.get("events"), list):
                return cur
        except json.JSONDecodeError:
            pass
    at = _local(now)
    return {
        "visit": secrets.token_hex(8),
        "started_at": at,
        "events": [{"type": "session", "at": at}],
        "counters": {"session": 1},
    }


def normalise_query(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _query_shareable(session: Session, query: str, visit: str) -> bool:
    """Count this visit for ``query``; True once enough different visits typed it (see the docstring)."""
    norm = normalise_query(query)
    if not norm or len(norm) > 30 or _DIGITS.search(norm):
        return False
    salt = kv_get(session, _SALT)
    if salt is None:
        salt = secrets.token_hex(16)
        kv_set(session, _SALT, salt)
    key = "usage.q." + hashlib.sha256(f"{salt}:{norm}".encode()).hexdigest()[:32]
    seen = json.loads(kv_get(session, key) or "[]")
    tag = hashlib.sha256(f"{salt}:{visit}".encode()).hexdigest()[:12]
    if tag not in seen and len(seen) < QUERY_MIN_VISITS:
        seen.append(tag)
        kv_set(session, key, json.dumps(seen))
    return len(seen) >= QUERY_MIN_VISITS


def record(session: Session, kind: str, *, now: datetime | None = None, **facts: Any) -> None:
    """Add one event to the current visit and commit (``facts``: category, hits, query, what, level)."""
    if kind not in EVENT_TYPES or kind == "session":
        raise ValueError(f"unknown usage event {kind!r}")
    with session.begin():
        cur = _current(session, now)
        event: dict[str, Any] = {"type": kind, "at": _local(now)}
        if kind == "doc_read":
            event["category"] = str(facts.get("category") or "")[:48]
        elif kind == "search":
            event["hits"] = int(facts.get("hits") or 0)
            query = str(facts.get("query") or "")
            if query and _query_shareable(session, query, cur["visit"]):
                event["query"] = unicodedata.normalize("NFKC", query).strip()
        elif kind == "print":
            event["what"] = str(facts.get("what") or "document")[:16]
        elif kind == "rating":
            event["level"] = int(facts.get("level") or 0)
        counters = cur["counters"]
        counters[kind] = int(counters.get(kind, 0)) + 1
        if len(cur["events"]) < MAX_EVENTS:
            cur["events"].append(event)
        kv_set(session, _CURRENT, json.dumps(cur, ensure_ascii=False))


def end_visit(session: Session, *, terminal_id: str, zone: str) -> str | None:
    """Queue the visit's events for the server and start afresh; the outbox key, or None if the visit
    recorded nothing beyond being a visit (a wipe with no use is not a session)."""
    with session.begin():
        raw = kv_get(session, _CURRENT)
        if not raw:
            return None
        kv_set(session, _CURRENT, "")
        cur = json.loads(raw)
        if len(cur.get("events", [])) <= 1:
            return None
        payload = {"zone": zone, "terminal": terminal_id, **cur}
        entry = outbox.enqueue(session, "usage", payload, key=f"usage-{cur['visit']}")
        return entry.idempotency_key
