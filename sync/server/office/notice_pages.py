"""The console's pages for notices as issued and the district's notice settings (office role):

- ``/admin/office/cases/{no}/notice/{kind}.pdf`` — the case's notice of that kind in force, as issued;
- ``/admin/office/notices/{id}.pdf`` — any issued notice (a withdrawn one too), its stored bytes;
- ``POST /admin/office/notices/{id}/withdraw`` — withdraw a wrong notice and reissue it under a new
  number (a confirmation box must be ticked);
- ``/admin/office/settings`` — 文号 prefix, contact person, telephone, address, 复议机关, court.

Every download is logged in ``data_views`` (a notice carries the applicant's name).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from sync.server.admin import auth, layout
from sync.server.admin.layout import esc
from sync.server.deps import Ctx, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import issued, notices, settings
from sync.server.office.form_style import STYLE as FORM_STYLE
from sync.server.office.models import Case, DataView, IssuedNotice

router = APIRouter()


def _page(request: Request, title: str, body: str, status: int = 200) -> Response:
    return auth.admin_headers(HTMLResponse(layout.page(title, FORM_STYLE + body, request), status_code=status))


def _pdf(row: IssuedNotice) -> Response:
    name = f"{row.tracking_no}-{row.kind}-{row.year}-{row.seq}.pdf"
    headers = {"Content-Disposition": f"inline; filename={name}", "X-Notice-SHA256": row.sha256}
    return auth.admin_headers(Response(row.pdf, media_type="application/pdf", headers=headers))


def section(request: Request, s: Session, case: Case) -> str:
    """The case page's list of issued notices: number, date, hash, state, download, withdraw."""
    rows = issued.of_case(s, case.tracking_no)
    if not rows:
        return "<p class='muted'>暂无（告知补正、延期、答复时自动出具并编号）。</p>"
    items = []
    for n in rows:
        why = f"{n.withdrawn_on}，{n.withdrawn_by}：{n.withdrawn_reason}"
        state = f"<span class='bad'>已撤回（{esc(why)}）</span>" if n.withdrawn_on else "<span class='ok'>有效</span>"
        form = ""
        if n.withdrawn_on is None:
            form = (
                f"<details><summary>撤回并重新出具</summary><form class='step' method='post' "
                f"action='/admin/office/notices/{n.id}/withdraw'>{auth.csrf_input(request)}"
                "<label>撤回理由（文书有何错误）<input type='text' name='reason' required></label>"
                "<label><input type='checkbox' name='confirm' value='yes' required style='width:auto'> "
                "确认撤回此文书：原文书保留并标为已撤回，以新文号重新出具</label>"
                "<button class='btn' type='submit'>撤回并重新出具</button></form></details>"
            )
        items.append(
            f"<li><a href='/admin/office/notices/{n.id}.pdf'>{esc(notices.KINDS[n.kind])} {esc(n.number)}（PDF）</a> "
            f"<span class='muted'>{esc(n.issued_on)} 出具，{esc(n.actor)}；SHA-256 {esc(n.sha256[:16])}…</span> "
            f"{state}{form}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


@router.get("/admin/office/cases/{no}/notice/{kind}.pdf", summary="Office: the case's notice in force, as issued")
def case_notice(request: Request, who: OfficeAccount, ctx: Ctx, no: str, kind: str) -> Response:
    with ctx.make_session() as s:
        row = issued.current(s, no.strip().upper(), kind)
        if row is None:
            return _page(request, "没有这份文书", "<p>本申请没有已出具的这种文书。</p>", 404)
        s.add(DataView(actor=who.username, tracking_no=row.tracking_no, what=f"notice:{row.id}"))
        s.commit()
        return _pdf(row)


@router.get("/admin/office/notices/{nid}.pdf", summary="Office: an issued notice, its stored bytes")
def notice_pdf(request: Request, who: OfficeAccount, ctx: Ctx, nid: int) -> Response:
    with ctx.make_session() as s:
        row = s.get(IssuedNotice, nid)
        if row is None:
            return _page(request, "没有这份文书", "<p>没有这份文书。</p>", 404)
        s.add(DataView(actor=who.username, tracking_no=row.tracking_no, what=f"notice:{row.id}"))
        s.commit()
        return _pdf(row)


@router.post("/admin/office/notices/{nid}/withdraw", summary="Office: withdraw a notice and reissue it")
async def notice_withdraw(request: Request, who: OfficeAccount, ctx: Ctx, nid: int) -> Response:
    form = await request.form()
    with ctx.make_session() as s:
        row = s.get(IssuedNotice, nid)
        if row is None:
            return _page(request, "没有这份文书", "<p>没有这份文书。</p>", 404)
        no = row.tracking_no
        back = f"<p><a href='/admin/office/cases/{esc(no)}'>返回申请</a></p>"
        if form.get("confirm") != "yes":
            return _page(request, "未撤回", f"<p class='error'>未撤回：请勾选确认。</p>{back}", 400)
        try:
            issued.withdraw_and_reissue(
                s, nid, actor=who.username, reason=str(form.get("reason") or ""), on=ctx.settings.today()
            )
            s.commit()
        except OfficeError as exc:
            s.rollback()
            return _page(request, "未撤回", f"<p class='error'>未撤回：{esc(exc)}</p>{back}", 400)
    return RedirectResponse(f"/admin/office/cases/{no}", status_code=303)


def _settings_form(  # noqa: PLR0917 - the form, what it shows, and its messages
    request: Request, current: settings.OfficeSettings, year: int, error: str = "", ok: str = "", agency: str = ""
) -> str:
    fields = [
        f"<label>发文机关名称（文书落款，最长{notices.MAX_AGENCY_CHARS}字）"
        f"<input type='text' name='agency_name' value='{esc(agency)}'></label>"
    ]
    for name, label in settings.LABELS.items():
        value = getattr(current, name)
        typ = "number" if isinstance(value, int) else "text"
        fields.append(f"<label>{esc(label)}<input type='{typ}' name='{name}' value='{esc(value)}'></label>")
    missing = current.missing()
    note = f"<p class='error'>尚未填写：{esc('、'.join(missing))}（未填写前不能出具文书）</p>" if missing else ""
    return (
        (f"<p class='error'>{esc(error)}</p>" if error else "")
        + (f"<p class='ok'>{esc(ok)}</p>" if ok else "")
        + note
        + "<form class='step' method='post' action='/admin/office/settings'>"
        + auth.csrf_input(request)
        + "".join(fields)
        + "<p class='muted'>文号示例："
        + esc(issued.format_number(current.number_prefix or "（前缀）", year, 1))
        + "；每年从第1号起编排。已出具的文书不因修改设置而改变。</p>"
        + "<button class='btn' type='submit'>保存</button></form>"
    )


@router.get("/admin/office/settings", summary="Office: the notice settings")
def settings_page(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    with ctx.make_session() as s:
        current = settings.load(s)
        agency = notices.agency_name(s)
    return _page(request, "文书设置", _settings_form(request, current, ctx.settings.today().year, agency=agency))


@router.post("/admin/office/settings", summary="Office: save the notice settings")
async def settings_save(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    with ctx.make_session() as s:
        try:
            saved = settings.save(s, values)
            if values.get("agency_name", "").strip():
                notices.set_agency_name(s, values["agency_name"])
            s.commit()
        except (OfficeError, ValueError) as exc:
            defaults = settings.OfficeSettings()
            kept: dict[str, Any] = {
                k: values.get(k, "") if isinstance(getattr(defaults, k), str) else getattr(defaults, k)
                for k in settings.LABELS
            }
            typed = settings.OfficeSettings(**kept)
            year = ctx.settings.today().year
            typed_agency = values.get("agency_name", "")
            form_html = _settings_form(request, typed, year, error=f"未保存：{exc}", agency=typed_agency)
            return _page(request, "文书设置", form_html, 400)
        agency = notices.agency_name(s)
    form_html = _settings_form(request, saved, ctx.settings.today().year, ok="已保存", agency=agency)
    return _page(request, "文书设置", form_html)
