"""The holiday arrangements in the office's console (``/admin/office/calendar``): the years terminals count
deadlines by and where each came from, and a form to publish a year's State Council arrangement — the
year, the notice it comes from, each holiday's first and last day, and the make-up working days (调休
上班日), typed into a grid (no JSON) — checked exactly as ``python -m sync.server calendar publish`` checks
a file (:func:`feed.calendar.parse_arrangement`); publishing recounts every open deadline and lists each
that moved. A refused form comes back as typed, with every problem in Chinese.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sync.server import pages
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errors import ArrangementError
from sync.server.feed import calendar as cal
from sync.server.office import lifecycle as lc

router = APIRouter(tags=["office"])
HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
WORKDAY_FIELDS = 10  # make-up working days a year has had at most 8
# How the page names where a year comes from when the office has not published it (the feed's own text
# names the package the arrangement ships in).
SOURCE_WORDS = {cal.PACKAGE_SOURCE: "国务院办公厅节假日安排（随软件提供）"}


def arrangement_of(form: FormData) -> dict[str, Any]:
    """The arrangement the form describes, in the file's shape (``calendar publish``)."""
    year_text = str(form.get("year") or "").strip()
    holidays = []
    for i, name in enumerate(HOLIDAYS):
        start, end = str(form.get(f"from_{i}") or "").strip(), str(form.get(f"to_{i}") or "").strip()
        if start or end:
            holidays.append({"name": name, "from": start, "to": end or start})
    workdays = [str(form.get(f"workday_{i}") or "").strip() for i in range(WORKDAY_FIELDS)]
    return {
        "year": int(year_text) if year_text.isdigit() else year_text,
        "source": str(form.get("source") or ""),
        "holidays": holidays,
        "workdays": [w for w in workdays if w],
    }


def _page(
    request: Request,
    session: Session,
    *,
    message: str = "",
    moved: list[tuple[str, str, str]] | None = None,
    problems: list[str] | None = None,
    typed: FormData | None = None,
    status: int = 200,
) -> Response:
    payload = cal.build_payload(session)
    published = cal.published_years(session)
    years = [  # (year, days off, working weekend days, source, who published it)
        (y, len(e["holidays"]), len(e["workdays"]), SOURCE_WORDS.get(src, src), published.get(int(y)))
        for y, e in payload["years"].items()
        for src in [payload["sources"][y]]
    ]
    values = {k: str(v) for k, v in typed.items() if isinstance(v, str)} if typed is not None else {}
    return pages.render(
        request,
        "calendar.html",
        status,
        years=years,
        message=message,
        moved=moved or [],
        problems=problems or [],
        v=values,
        holidays=list(enumerate(HOLIDAYS)),
        workday_fields=range(WORKDAY_FIELDS),
    )


@router.get("/admin/office/calendar", response_class=HTMLResponse, summary="Office: holiday arrangements")
def calendar_page(request: Request, session: DB, _who: OfficeAccount) -> Response:
    return _page(request, session)


@router.post("/admin/office/calendar", response_class=HTMLResponse, summary="Office: publish a year")
def calendar_publish(request: Request, session: DB, ctx: Ctx, who: OfficeAccount, form: Form) -> Response:
    try:
        year, source, entry = cal.parse_arrangement(arrangement_of(form))
    except ArrangementError as exc:
        return _page(request, session, problems=list(exc.problems), typed=form, status=400)
    with session.begin():
        cal.publish_year(session, year, source, entry, by=who.username)
        reason = f"{year}年节假日安排公布（{source}）"
        moved = lc.recompute_open(session, actor=who.username, reason=reason, today=ctx.settings.today())
    message = f"已发布 {year} 年节假日安排；{len(moved)} 件申请的期限已重新计算"
    return _page(request, session, message=message, moved=[(str(a), str(b), str(c)) for a, b, c in moved])
