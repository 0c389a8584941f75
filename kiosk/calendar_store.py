"""The working-day calendar the district server publishes, as synced onto this terminal.

The sync client (``sync/``) verifies the server's signed calendar and stores it here with
:func:`save_calendar`; :func:`load_calendar` hands it to ``kiosk.workdays.load_calendar``. Shape::

    {"2026": {"holidays": ["2026-01-01", …], "workdays": ["2026-01-04", …]}, …}

``holidays`` lists every day off inside each official holiday period (weekend days included);
``workdays`` the make-up working days (调休上班日). Years are strings (JSON keys). No network here.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from kiosk.mirror.store import kv_get, kv_set

KEY = "calendar.published"


def load_calendar(session: Session) -> dict[str, Any] | None:
    """The synced calendar ``{year: {"holidays": [...], "workdays": [...]}}``, or None if never synced."""
    raw = kv_get(session, KEY)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def save_calendar(session: Session, years: dict[str, Any]) -> None:
    """Store a verified calendar in the caller's transaction (sync only)."""
    kv_set(session, KEY, json.dumps(years, ensure_ascii=False, sort_keys=True))
