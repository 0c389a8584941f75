"""The year's pages in the console (office role): the 政府信息公开工作年度报告
(``/admin/office/annual-report`` with ``.pdf`` and ``.docx``; :mod:`annual_report`, :mod:`annual_report_out`),
and the evaluation: ``/admin/office/year?year=YYYY`` — each zone's twelve
monthly scores, the mean and the shared rank, the proposed 年度优秀政务公开专区, the duty roster the office
keeps (a form to add a period) and each person's figures for 优秀个人 (:mod:`annual_eval`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from sync.server.admin import auth, layout
from sync.server.admin.layout import esc
from sync.server.deps import Ctx, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import annual_eval as ae
from sync.server.office import annual_report as ar
from sync.server.office import annual_report_out as out
from sync.server.office import evaluation
from sync.server.office.cases import zones
from sync.server.office.form_style import STYLE as FORM_STYLE
from sync.server.office.notices import agency_name

router = APIRouter()


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<div class='scroll'><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>"


@router.get("/admin/office/year", summary="Office: the year's evaluation (年度优秀专区、优秀个人)")
def year_page(  # noqa: PLR0917 - the route's query parameters
    request: Request, who: OfficeAccount, ctx: Ctx, year: int = 0, msg: str = "", error: str = ""
) -> Response:
    y = year or ctx.settings.today().year
    with ctx.make_session() as s:
        zone_rows = ae.zones_of_year(s, y)
        staff = ae.staff_of_year(s, y)
        names = zones(s)
        roster = list(s.scalars(select(ae.DutyRoster).order_by(ae.DutyRoster.zone, ae.DutyRoster.start)))
        formula = evaluation.formula_text(evaluation.weights(s))
    zt = _table(
        ["名次", "专区", *(f"{m}月" for m in range(1, 13)), "全年平均", "月度第一", "年度优秀"],
        [
            [
                esc(z.rank),
                esc(z.name),
                *(f"{v:.1f}" for v in z.monthly),
                f"<b>{z.mean:.1f}</b>",
                esc(z.firsts),
                "★" if z.excellent else "",
            ]
            for z in zone_rows
        ],
    )
    st = _table(
        ["工作人员", "专区", "在岗天数", "评价数", "满意度", "差评", "受理申请", "经办申请"],
        [
            [
                esc(p.name),
                esc(names.get(p.zone, p.zone)),
                esc(p.duty_days),
                esc(p.ratings),
                "—" if p.satisfaction is None else f"{100 * p.satisfaction:.0f}%",
                esc(p.bad),
                esc(p.applications),
                esc(p.handled),
            ]
            for p in staff
        ],
    )
    rt = _table(
        ["姓名", "专区", "自", "至", "账号"],
        [[esc(r.name), esc(names.get(r.zone, r.zone)), esc(r.start), esc(r.end), esc(r.account)] for r in roster],
    )
    zone_opts = "".join(f"<option value='{esc(k)}'>{esc(v)}</option>" for k, v in sorted(names.items()))
    form = (
        f"<form class='step' method='post' action='/admin/office/year/duty'>{auth.csrf_input(request)}"
        f"<b>登记在岗人员</b><input type='hidden' name='year' value='{y}'>"
        "<label>姓名<input type='text' name='name' required></label>"
        f"<label>专区<select name='zone'>{zone_opts}</select></label>"
        "<label>自<input type='date' name='start' required></label><label>至<input type='date' name='end' required>"
        "</label><label>管理页面账号（可不填）<input type='text' name='account'></label>"
        "<button class='btn' type='submit'>登记</button></form>"
    )
    body = (
        (f"<p class='ok'>{esc(msg)}</p>" if msg else "")
        + (f"<p class='error'>{esc(error)}</p>" if error else "")
        + f"<form method='get'>年份 <input type='number' name='year' value='{y}'> <button class='btn'>查看</button> "
        f"<a href='/admin/office'>月度评价</a></form><h2>年度优秀政务公开专区</h2>{zt}"
        f"<p class='muted'>全年平均 = 12个月月度得分的平均（无数据的月份按当月得分0计）；名次按全年平均，"
        f"相同者并列；前{ae.DEFAULT_EXCELLENT}名（并列者同列）为年度优秀。月度得分：{esc(formula)}</p>"
        f"<h2>优秀个人：在岗人员的数据</h2>{st}"
        "<p class='muted'>按政务公开办登记的在岗时段统计该专区的评价和受理的申请；"
        "“经办申请”为该账号在本年办理过步骤的申请件数。不使用群众的个人信息。</p>"
        f"<h2>在岗登记</h2>{rt}{form}"
    )
    return auth.admin_headers(HTMLResponse(layout.page(f"{y}年度评比", FORM_STYLE + body, request)))


@router.post("/admin/office/year/duty", summary="Office: record who was on duty where")
async def duty_add(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    year = str(form.get("year") or "")
    with ctx.make_session() as s:
        try:
            start = dt.date.fromisoformat(str(form.get("start") or ""))
            end = dt.date.fromisoformat(str(form.get("end") or ""))
        except ValueError:
            return RedirectResponse(f"/admin/office/year?year={year}&error={quote('日期不对')}", status_code=303)
        try:
            ae.add_duty(
                s,
                str(form.get("name") or ""),
                str(form.get("zone") or ""),
                start,
                end,
                str(form.get("account") or ""),
                who.username,
            )
            s.commit()
        except OfficeError as exc:
            return RedirectResponse(f"/admin/office/year?year={year}&error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/year?year={year}&msg={quote('已登记')}", status_code=303)


def _report(ctx: Ctx, year: int) -> tuple[ar.Report, str]:
    with ctx.make_session() as s:
        report = ar.build(s, year, agency_name(s))
        fees = out.fee_text(s, year)
    return report, fees


@router.get("/admin/office/annual-report", summary="Office: the 政府信息公开工作年度报告 of a year")
def annual_report_page(request: Request, who: OfficeAccount, ctx: Ctx, year: int = 0, msg: str = "") -> Response:
    y = year or ctx.settings.today().year - (ctx.settings.today().month == 1)
    report, fees = _report(ctx, y)
    fields = "".join(
        f"<label>{esc(label)}<input type='text' name='{k}' value='{esc(report.manual.get(k, ''))}'></label>"
        for k, label in ar.MANUAL_FIELDS.items()
    )
    body = (
        (f"<p class='ok'>{esc(msg)}</p>" if msg else "")
        + f"<form method='get'>年度 <input type='number' name='year' value='{y}'> <button class='btn'>查看</button> "
        f"<a href='/admin/office/annual-report.pdf?year={y}'>PDF</a> "
        f"<a href='/admin/office/annual-report.docx?year={y}'>Word（.docx，可编辑）</a></form>"
        f"<p class='muted'>{y}年度报告应于{y + 1}年1月31日前公布。表中数据由系统按申请、答复和复议诉讼记录统计；"
        "第二十条第（五）（六）（八）项由政务公开办填写：</p>"
        f"<form class='step' method='post' action='/admin/office/annual-report/manual'>{auth.csrf_input(request)}"
        f"<input type='hidden' name='year' value='{y}'>{fields}<button class='btn' type='submit'>保存</button></form>"
        + out.html_section(report, fees)
    )
    return auth.admin_headers(HTMLResponse(layout.page(out.title(report), FORM_STYLE + body, request)))


@router.post("/admin/office/annual-report/manual", summary="Office: the report's figures not in this system")
async def annual_report_manual(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    year = int(str(form.get("year") or "0") or 0)
    with ctx.make_session() as s:
        try:
            ar.set_manual(s, year, {k: str(v) for k, v in form.items() if isinstance(v, str)})
            s.commit()
        except OfficeError as exc:
            return RedirectResponse(f"/admin/office/annual-report?year={year}&msg={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/annual-report?year={year}&msg={quote('已保存')}", status_code=303)


@router.get("/admin/office/annual-report.pdf", summary="Office: the annual report as A4 PDF")
def annual_report_pdf(request: Request, who: OfficeAccount, ctx: Ctx, year: int) -> Response:
    report, fees = _report(ctx, year)
    headers = {"Content-Disposition": f"inline; filename=annual-report-{year}.pdf"}
    return auth.admin_headers(Response(out.pdf(report, fees), media_type="application/pdf", headers=headers))


@router.get("/admin/office/annual-report.docx", summary="Office: the annual report as an editable .docx")
def annual_report_docx(request: Request, who: OfficeAccount, ctx: Ctx, year: int) -> Response:
    report, fees = _report(ctx, year)
    headers = {"Content-Disposition": f"attachment; filename=annual-report-{year}.docx"}
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return auth.admin_headers(Response(out.docx(report, fees), media_type=mime, headers=headers))
