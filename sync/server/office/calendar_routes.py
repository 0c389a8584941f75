"""The holiday arrangements in the office's console (``/admin/office/calendar``): the years published
and where the others come from, and a form to publish a year — the same checks and recount of open cases'
deadlines as ``python -m sync.server calendar publish``."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from sync.server import pages
from sync.server.deps import DB, Ctx, OfficeAccount
from sync.server.errors import ArrangementError
from sync.server.feed import calendar as cal
from sync.server.office import lifecycle as lc

router = APIRouter(tags=["office"])
# How the page names where a year comes from when the office has not published it (the feed's own text
# names the package the arrangement ships in).
SOURCE_WORDS = {cal.PACKAGE_SOURCE: "国务院办公厅节假日安排（随软件提供）"}


def _page(
    request: Request,
    session: Session,
    *,
    message: str = "",
    moved: list[tuple[str, str, str]] | None = None,
    problems: list[str] | None = None,
    text: str = "",
    status: int = 200,
) -> Response:
    payload = cal.build_payload(session)
    published = cal.published_years(session)
    years = [  # (year, days off, working weekend days, source, who published it)
        (y, len(e["holidays"]), len(e["workdays"]), SOURCE_WORDS.get(src, src), published.get(int(y)))
        for y, e in payload["years"].items()
        for src in [payload["sources"][y]]
    ]
    return pages.render(
        request,
        "calendar.html",
        status,
        years=years,
        message=message,
        moved=moved or [],
        problems=problems or [],
        text=text,
    )


@router.get("/admin/office/calendar", response_class=HTMLResponse, summary="Office: holiday arrangements")
def calendar_page(request: Request, session: DB, _who: OfficeAccount) -> Response:
    return _page(request, session)


@router.post("/admin/office/calendar", response_class=HTMLResponse, summary="Office: publish a year")
async def calendar_publish(request: Request, session: DB, ctx: Ctx, who: OfficeAccount) -> Response:
    form = await request.form()
    text = str(form.get("arrangement") or "")
    try:
        year, source, entry = cal.parse_arrangement(json.loads(text))
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        return _page(request, session, problems=[f"不是有效的 JSON（{where}）"], text=text, status=400)
    except ArrangementError as exc:
        return _page(request, session, problems=list(exc.problems), text=text, status=400)
    with session.begin():
        cal.publish_year(session, year, source, entry, by=who.username)
        reason = f"{year}年节假日安排公布（{source}）"
        moved = lc.recompute_open(session, actor=who.username, reason=reason, today=ctx.settings.today())
    message = f"已发布 {year} 年节假日安排；{len(moved)} 件申请的期限已重新计算"
    return _page(request, session, message=message, moved=[(str(a), str(b), str(c)) for a, b, c in moved])
