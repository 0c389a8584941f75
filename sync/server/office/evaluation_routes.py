"""The monthly evaluation (一月一评比) in the office's console: the page (``/admin/office``), the same
table as CSV and as an A4 report, and the follow-up of a 差评 (:mod:`.evaluation` counts and scores)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync.server import pages
from sync.server.admin import auth
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errorpages import refusal_page
from sync.server.office import evaluation, notices
from sync.server.office.case_views import zones
from sync.server.office.evaluation_pdf import build_report_pdf

router = APIRouter(tags=["office"])
DONE = {"follow-up": "已记录整改"}  # ?done=… after a form: what the page confirms


def month_of(value: str, today: dt.date) -> str:
    """``value`` (``YYYY-MM``; ValueError on nonsense) or this month."""
    if value:
        evaluation.parse_month(value)
        return value
    return f"{today.year:04d}-{today.month:02d}"


def local_time(text: str) -> str:
    """A terminal's ISO time (``…Z`` or with an offset) as Beijing time; as given if it does not parse."""
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return pages.beijing(t.replace(tzinfo=t.tzinfo or pages.BEIJING))


@router.get("/admin/office", response_class=HTMLResponse, summary="Office: the monthly evaluation (一月一评比)")
def evaluation_page(
    request: Request, session: DB, ctx: Ctx, _who: OfficeAccount, month: str = "", done: str = ""
) -> Response:
    try:
        m = month_of(month, ctx.settings.today())
    except ValueError:
        detail = f"月份“{month}”不对，应写成 年-月（例如 2026-11）。"
        return refusal_page(request, 400, "月度评价", "无法显示这个月份。", detail=detail, back="/admin/office")
    report = evaluation.build(session, m)
    names = zones(session)
    pending = [
        (sid, names.get(code, code), local_time(at), evaluation.LEVELS[level])
        for sid, code, at, level in evaluation.pending_bad_ratings(session)
    ]
    return pages.render(
        request,
        "evaluation.html",
        month=m,
        previous=evaluation.previous_month(m),
        head=evaluation.COLUMNS,
        rows=evaluation.rows(report),
        formula=evaluation.formula_text(report.weights),
        queries=report.popular_queries,
        pending=pending,
        message=DONE.get(done, ""),
    )


@router.get("/admin/office/evaluation.csv", summary="Office: the monthly evaluation as CSV")
def evaluation_csv(session: DB, ctx: Ctx, _who: OfficeAccount, month: str = "") -> Response:
    m = month_of(month, ctx.settings.today())
    text = evaluation.to_csv(evaluation.build(session, m))
    headers = {"Content-Disposition": f"attachment; filename=evaluation-{m}.csv"}
    return auth.admin_headers(Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers))


@router.get("/admin/office/evaluation.pdf", summary="Office: the monthly evaluation as an A4 report")
def evaluation_pdf(session: DB, ctx: Ctx, _who: OfficeAccount, month: str = "") -> Response:
    m = month_of(month, ctx.settings.today())
    pdf = build_report_pdf(evaluation.build(session, m), notices.agency_name(session))
    headers = {"Content-Disposition": f"inline; filename=evaluation-{m}.pdf"}
    return auth.admin_headers(Response(pdf, media_type="application/pdf", headers=headers))


@router.post("/admin/office/ratings/{sid}/follow-up", summary="Office: record the follow-up of a 差评")
def rating_follow_up(request: Request, session: DB, who: OfficeAccount, sid: int, form: Form) -> Response:
    try:
        evaluation.follow_up(session, sid, actor=who.username, note=str(form.get("note") or ""))
        session.commit()
    except ValueError as exc:
        session.rollback()
        return refusal_page(request, 400, "月度评价", f"未记录：{exc}", back="/admin/office")
    return RedirectResponse("/admin/office?done=follow-up", status_code=303)
