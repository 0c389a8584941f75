"""The year's pages in the console (office role): the 政府信息公开工作年度报告
(``/admin/office/annual-report`` with ``.pdf`` and ``.docx``; :mod:`annual_report`, :mod:`annual_report_out`),
and the evaluation: ``/admin/office/year?year=YYYY`` — each zone's twelve
monthly scores, the mean and the shared rank, the proposed 年度优秀政务公开专区, the duty roster the office
keeps (a form to add a period) and each person's figures for 优秀个人 (:mod:`annual_eval`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.server import pages
from sync.server.admin import auth
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import annual_eval as ae
from sync.server.office import annual_report as ar
from sync.server.office import annual_report_out as out
from sync.server.office import evaluation
from sync.server.office.case_views import zones
from sync.server.office.notices import agency_name

router = APIRouter()


@router.get("/admin/office/year", summary="Office: the year's evaluation (年度优秀专区、优秀个人)")
def year_page(  # noqa: PLR0917 - the route's query parameters
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, year: int = 0, msg: str = "", error: str = ""
) -> Response:
    y = year or ctx.settings.today().year
    zone_rows = ae.zones_of_year(session, y)
    staff = ae.staff_of_year(session, y)
    names = zones(session)
    roster = list(session.scalars(select(ae.DutyRoster).order_by(ae.DutyRoster.zone, ae.DutyRoster.start)))
    formula = evaluation.formula_text(evaluation.weights(session))
    return pages.render(
        request,
        "annual_eval.html",
        title=f"{y}年度评比",
        year=y,
        zones=zone_rows,
        staff=staff,
        roster=roster,
        zone_names=names,
        zone_options=sorted(names.items()),
        excellent=ae.DEFAULT_EXCELLENT,
        formula=formula,
        msg=msg[:200],
        error=error[:300],
    )


@router.post("/admin/office/year/duty", summary="Office: record who was on duty where")
def duty_add(session: DB, who: OfficeAccount, form: Form) -> Response:
    year = str(form.get("year") or "")
    try:
        start = dt.date.fromisoformat(str(form.get("start") or ""))
        end = dt.date.fromisoformat(str(form.get("end") or ""))
    except ValueError:
        return RedirectResponse(f"/admin/office/year?year={year}&error={quote('日期不对')}", status_code=303)
    try:
        ae.add_duty(
            session,
            str(form.get("name") or ""),
            str(form.get("zone") or ""),
            start,
            end,
            str(form.get("account") or ""),
            who.username,
        )
        session.commit()
    except OfficeError as exc:
        return RedirectResponse(f"/admin/office/year?year={year}&error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/year?year={year}&msg={quote('已登记')}", status_code=303)


def _report(session: Session, year: int) -> tuple[ar.Report, str]:
    report = ar.build(session, year, agency_name(session))
    fees = out.fee_text(session, year)
    return report, fees


@router.get("/admin/office/annual-report", summary="Office: the 政府信息公开工作年度报告 of a year")
def annual_report_page(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, year: int = 0, msg: str = ""
) -> Response:
    y = year or ctx.settings.today().year - (ctx.settings.today().month == 1)
    report, fees = _report(session, y)
    return pages.render(
        request,
        "annual_report.html",
        title=out.title(report),
        year=y,
        manual=[(k, label, report.manual.get(k, "")) for k, label in ar.MANUAL_FIELDS.items()],
        sections=out.sections(report, fees),
        for_the_office=out.FOR_THE_OFFICE,
        msg=msg[:200],
    )


@router.post("/admin/office/annual-report/manual", summary="Office: the report's figures not in this system")
def annual_report_manual(session: DB, who: OfficeAccount, form: Form) -> Response:
    year = int(str(form.get("year") or "0") or 0)
    try:
        ar.set_manual(session, year, {k: str(v) for k, v in form.items() if isinstance(v, str)})
        session.commit()
    except OfficeError as exc:
        return RedirectResponse(f"/admin/office/annual-report?year={year}&msg={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/annual-report?year={year}&msg={quote('已保存')}", status_code=303)


@router.get("/admin/office/annual-report.pdf", summary="Office: the annual report as A4 PDF")
def annual_report_pdf(request: Request, session: DB, who: OfficeAccount, year: int) -> Response:
    report, fees = _report(session, year)
    headers = {"Content-Disposition": f"inline; filename=annual-report-{year}.pdf"}
    return auth.admin_headers(Response(out.pdf(report, fees), media_type="application/pdf", headers=headers))


@router.get("/admin/office/annual-report.docx", summary="Office: the annual report as an editable .docx")
def annual_report_docx(request: Request, session: DB, who: OfficeAccount, year: int) -> Response:
    report, fees = _report(session, year)
    headers = {"Content-Disposition": f"attachment; filename=annual-report-{year}.docx"}
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return auth.admin_headers(Response(out.docx(report, fees), media_type=mime, headers=headers))
