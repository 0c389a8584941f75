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
from fastapi.responses import RedirectResponse, Response

from sync.server import pages
from sync.server.admin import auth
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errorpages import refusal_page
from sync.server.errors import OfficeError
from sync.server.office import issued, notices, settings
from sync.server.office.models import DataView, IssuedNotice

router = APIRouter()


def _missing(request: Request, detail: str = "没有这份文书。", back: str = "/admin/office/cases") -> Response:
    return refusal_page(request, 404, "没有这份文书", "没有这份文书。", detail=detail, back=back)


def _pdf(row: IssuedNotice) -> Response:
    name = f"{row.tracking_no}-{row.kind}-{row.year}-{row.seq}.pdf"
    headers = {"Content-Disposition": f"inline; filename={name}", "X-Notice-SHA256": row.sha256}
    return auth.admin_headers(Response(row.pdf, media_type="application/pdf", headers=headers))


@router.get("/admin/office/cases/{no}/notice/{kind}.pdf", summary="Office: the case's notice in force, as issued")
def case_notice(request: Request, session: DB, who: OfficeAccount, no: str, kind: str) -> Response:
    row = issued.current(session, no.strip().upper(), kind)
    if row is None:
        return _missing(request, "本申请没有已出具的这种文书。", f"/admin/office/cases/{no.strip().upper()}")
    session.add(DataView(actor=who.username, tracking_no=row.tracking_no, what=f"notice:{row.id}"))
    session.commit()
    return _pdf(row)


@router.get("/admin/office/notices/{nid}.pdf", summary="Office: an issued notice, its stored bytes")
def notice_pdf(request: Request, session: DB, who: OfficeAccount, nid: int) -> Response:
    row = session.get(IssuedNotice, nid)
    if row is None:
        return _missing(request)
    session.add(DataView(actor=who.username, tracking_no=row.tracking_no, what=f"notice:{row.id}"))
    session.commit()
    return _pdf(row)


@router.post("/admin/office/notices/{nid}/withdraw", summary="Office: withdraw a notice and reissue it")
def notice_withdraw(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, nid: int, form: Form
) -> Response:
    row = session.get(IssuedNotice, nid)
    if row is None:
        return _missing(request)
    no = row.tracking_no
    back = f"/admin/office/cases/{no}"
    if form.get("confirm") != "yes":
        return refusal_page(request, 400, "未撤回", "未撤回：请勾选确认。", back=back, back_label="返回申请")
    try:
        issued.withdraw_and_reissue(
            session, nid, actor=who.username, reason=str(form.get("reason") or ""), on=ctx.settings.today()
        )
        session.commit()
    except OfficeError as exc:
        session.rollback()
        return refusal_page(request, 400, "未撤回", f"未撤回：{exc}", back=back, back_label="返回申请")
    return RedirectResponse(f"/admin/office/cases/{no}", status_code=303)


def _settings_page(  # noqa: PLR0917 - the form, what it shows, and its messages
    request: Request,
    current: settings.OfficeSettings,
    year: int,
    error: str = "",
    ok: str = "",
    agency: str = "",
    status: int = 200,
) -> Response:
    fields = [
        (name, label, getattr(current, name), "number" if isinstance(getattr(current, name), int) else "text")
        for name, label in settings.LABELS.items()
    ]
    return pages.render(
        request,
        "office_settings.html",
        status,
        fields=fields,
        agency=agency,
        max_agency=notices.MAX_AGENCY_CHARS,
        missing="、".join(current.missing()),
        example=issued.format_number(current.number_prefix or "（前缀）", year, 1),
        error=error,
        ok=ok,
    )


@router.get("/admin/office/settings", summary="Office: the notice settings")
def settings_page(request: Request, session: DB, who: OfficeAccount, ctx: Ctx) -> Response:
    current = settings.load(session)
    agency = notices.agency_name(session)
    return _settings_page(request, current, ctx.settings.today().year, agency=agency)


@router.post("/admin/office/settings", summary="Office: save the notice settings")
def settings_save(request: Request, session: DB, who: OfficeAccount, ctx: Ctx, form: Form) -> Response:
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        saved = settings.save(session, values)
        if values.get("agency_name", "").strip():
            notices.set_agency_name(session, values["agency_name"])
        session.commit()
    except (OfficeError, ValueError) as exc:
        defaults = settings.OfficeSettings()
        kept: dict[str, Any] = {
            k: values.get(k, "") if isinstance(getattr(defaults, k), str) else getattr(defaults, k)
            for k in settings.LABELS
        }
        typed = settings.OfficeSettings(**kept)
        year = ctx.settings.today().year
        typed_agency = values.get("agency_name", "")
        return _settings_page(request, typed, year, error=f"未保存：{exc}", agency=typed_agency, status=400)
    agency = notices.agency_name(session)
    return _settings_page(request, saved, ctx.settings.today().year, ok="已保存", agency=agency)
