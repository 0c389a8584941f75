"""``/admin/audit``: the login audit, for IT and the office — who logged in or tried to, from where,
when (Beijing time) and how it ended, newest first; a name typed on the form narrows it to that name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sync.server import pages
from sync.server.admin import login as signin
from sync.server.admin.auth import Account, require_account
from sync.server.deps import DB

router = APIRouter(include_in_schema=False)
PAGE = 200
Reader = Annotated[Account, Depends(require_account("it", "office"))]


@router.get("/admin/audit")
def audit_page(request: Request, session: DB, _a: Reader, name: str = "") -> Response:
    name = name.strip()[:64]
    events = signin.recent_events(session, PAGE, name)
    rows = [
        {
            "at": pages.beijing(e.at),
            "username": e.username,
            "source": e.source,
            "outcome": signin.OUTCOME_LABELS.get(e.outcome, "其他"),
            "bad": e.outcome in ("wrong", "throttled"),
            "device": "是" if e.known_device else "否",
        }
        for e in events
    ]
    session.rollback()
    return pages.render(request, "audit.html", rows=rows, who=name, limit=PAGE)
