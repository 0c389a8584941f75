"""The holiday arrangements in the console (``/admin/office/calendar``, office role): the years terminals
count deadlines by and where each came from, and a form to publish a year's State Council arrangement —
the year, the notice it comes from, each holiday's first and last day, and the make-up working days (调休
上班日) — checked exactly as ``calendar publish`` checks a file (:func:`feed.calendar.parse_arrangement`);
publishing recounts every open deadline and lists each that moved. A refused form comes back as typed,
with every problem in Chinese.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from sync.server.admin import auth, layout
from sync.server.admin.layout import esc
from sync.server.deps import Ctx, OfficeAccount
from sync.server.errors import ArrangementError
from sync.server.feed import calendar as cal
from sync.server.office import lifecycle as lc
from sync.server.office.form_style import STYLE as FORM_STYLE

router = APIRouter()
HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
WORKDAY_FIELDS = 10  # make-up working days a year has had at most 8


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<div class='scroll'><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>"


def _form(request: Request, typed: FormData | None) -> str:
    def v(name: str) -> str:
        return esc(str(typed.get(name) or "")) if typed is not None else ""

    rows = "".join(
        f"<tr><td>{name}</td><td><input type='date' name='from_{i}' value='{v(f'from_{i}')}'></td>"
        f"<td><input type='date' name='to_{i}' value='{v(f'to_{i}')}'></td></tr>"
        for i, name in enumerate(HOLIDAYS)
    )
    workdays = "".join(
        f"<input type='date' name='workday_{i}' value='{v(f'workday_{i}')}' style='width:auto'> "
        for i in range(WORKDAY_FIELDS)
    )
    return (
        f"<form class='step' method='post' action='/admin/office/calendar'>{auth.csrf_input(request)}"
        f"<label>年份<input type='number' name='year' min='2000' max='2100' value='{v('year')}' required></label>"
        f"<label>依据（国务院办公厅通知的名称和文号）<input type='text' name='source' value='{v('source')}' required>"
        "</label><p><b>放假</b>（每个节日放假的第一天和最后一天，含其中的周末）</p>"
        "<div class='scroll'><table><thead><tr><th>节日</th><th>自</th><th>至</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
        f"<p><b>调休上班日</b>（周末上班的日期）</p><p>{workdays}</p>"
        "<button class='btn' type='submit'>发布并重新计算答复期限</button></form>"
    )


def _body(request: Request, ctx: Ctx, message: str = "", error: str = "", typed: FormData | None = None) -> str:
    with ctx.make_session() as s:
        payload = cal.build_payload(s)
        published = cal.published_years(s)
    rows = [
        [
            y,
            str(len(e["holidays"])),
            str(len(e["workdays"])),
            payload["sources"][y],
            published[int(y)].published_by if int(y) in published else "",
        ]
        for y, e in payload["years"].items()
    ]
    return (
        (f"<p class='ok'>{message}</p>" if message else "")
        + (f"<p class='error'>{error}</p>" if error else "")
        + _table(["年份", "放假天数", "调休上班天数", "依据", "发布人"], rows)
        + "<p class='muted'>未列出的年份：按《全国年节及纪念日放假办法》暂定计算（法定节日及周末补假）。</p>"
        + "<h2>发布一年的节假日安排</h2>"
        + _form(request, typed)
    )


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


def _page(request: Request, body: str, status: int = 200) -> Response:
    return auth.admin_headers(HTMLResponse(layout.page("节假日安排", FORM_STYLE + body, request), status_code=status))


@router.get("/admin/office/calendar", summary="Office: holiday arrangements")
def calendar_page(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    return _page(request, _body(request, ctx))


@router.post("/admin/office/calendar", summary="Office: publish a year's arrangement")
async def calendar_publish(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    try:
        year, source, entry = cal.parse_arrangement(arrangement_of(form))
    except ArrangementError as exc:
        errors = "<br>".join(esc(p) for p in exc.problems)
        return _page(request, _body(request, ctx, error="未发布：<br>" + errors, typed=form), 400)
    with ctx.make_session() as s, s.begin():
        cal.publish_year(s, year, source, entry, by=who.username)
        reason = f"{year}年节假日安排公布（{source}）"
        moved = lc.recompute_open(s, actor=who.username, reason=reason, today=ctx.settings.today())
    lines = "".join(f"<br>{esc(no)}：{esc(old)} → {esc(new)}" for no, old, new in moved)
    message = f"已发布 {year} 年节假日安排；{len(moved)} 件申请的期限已重新计算{lines}"
    return _page(request, _body(request, ctx, message=message))
