"""The year's evaluation in the console (office role): ``/admin/office/year?year=YYYY`` — each zone's twelve
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
from sync.server.office import evaluation
from sync.server.office.cases import zones

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
    return auth.admin_headers(HTMLResponse(layout.page(f"{y}年度评比", body, request)))


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
