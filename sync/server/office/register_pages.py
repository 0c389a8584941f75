"""The console's register of applications received by post, at the counter, by e-mail, fax or online
(``/admin/office/register``, office role): one form — channel and the 收到日期 Article 31 gives it, the
zone, the applicant and the request as the paper form says, the scanned form — checked by the same
rules as at a terminal; a refused form comes back with what was typed and every problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from kiosk.applications.model import ApplicantKind, Delivery, IdType, Medium
from sync.server import pages
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import register as reg
from sync.server.office.case_views import zones

router = APIRouter()

APPLICANT_FIELDS = [
    ("name", "姓名 / 单位名称", True),
    ("id_type_other", "证件名称（其他证件时）", False),
    ("id_number", "证件号码", True),
    ("employer", "工作单位（公民，可不填）", False),
    ("legal_representative", "法定代表人或者主要负责人（法人或者其他组织）", False),
    ("contact_person", "联系人（法人或者其他组织）", False),
    ("phone", "联系电话", True),
    ("address", "通信地址", True),
    ("postcode", "邮政编码", False),
    ("email", "电子邮箱", False),
    ("fax", "传真", False),
]
REQUEST_FIELDS = [("description", "所需信息的名称、文号或者其他特征性描述", True), ("doc_number", "文号", False)]


def _page(  # noqa: PLR0917 - the form, what was typed, and the problems
    request: Request,
    zone_names: dict[str, str],
    values: dict[str, Any],
    today: dt.date,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    """The register form, prefilled with ``values`` (what was typed, after a refusal) and its problems."""
    v = {k: str(x) for k, x in values.items() if not isinstance(x, list)}
    return pages.render(
        request,
        "register.html",
        status,
        v=v,
        today=today.isoformat(),
        problems=problems or [],
        channels=[(k, c.label) for k, c in reg.CHANNELS.items()],
        rules=[(c.label, c.rule) for c in reg.CHANNELS.values()],
        zones=sorted(zone_names.items()),
        kinds=[(k.value, k.label) for k in ApplicantKind],
        id_types=[(k.value, k.label) for k in IdType],
        person=APPLICANT_FIELDS,
        asked=REQUEST_FIELDS,
        media=[(m.value, m.label) for m in Medium],
        delivery=[(d.value, d.label) for d in Delivery],
        media_chosen=list(values.get("media") or ["paper"]),
        delivery_chosen=list(values.get("delivery") or ["post"]),
    )


def _application(form: FormData) -> dict[str, Any]:
    text = {k: str(v).strip() for k, v in form.multi_items() if isinstance(v, str)}
    applicant = {n: text.get(n, "") for n, _l, _r in APPLICANT_FIELDS}
    applicant.update({"kind": text.get("kind", "citizen"), "id_type": text.get("id_type", "resident_id")})
    return {
        "version": 1,
        "applicant": applicant,
        "request": {
            "description": text.get("description", ""),
            "doc_number": text.get("doc_number", ""),
            "purpose": text.get("purpose", ""),
        },
        "media": [str(x) for x in form.getlist("media")],
        "delivery": [str(x) for x in form.getlist("delivery")],
        "proxy": None,
    }


@router.get("/admin/office/register", summary="Office: register an application received by post, counter, …")
def register_form(request: Request, session: DB, who: OfficeAccount, ctx: Ctx) -> Response:
    names = zones(session)
    return _page(request, names, {}, ctx.settings.today())


@router.post("/admin/office/register", summary="Office: register an application")
def register_post(request: Request, session: DB, who: OfficeAccount, ctx: Ctx, form: Form) -> Response:
    scan = form.get("scan")
    data = scan.file.read() if isinstance(scan, UploadFile) else b""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values["media"], values["delivery"] = form.getlist("media"), form.getlist("delivery")
    today = ctx.settings.today()
    names = zones(session)
    try:
        received = dt.date.fromisoformat(values.get("received_on", ""))
    except ValueError:
        error = f"日期“{values.get('received_on', '')}”不对（应为 年-月-日）"
        return _page(request, names, values, today, [error], 400)
    registration = reg.Registration(
        channel=values.get("channel", ""),
        zone=values.get("zone", ""),
        received_on=received,
        application=_application(form),
        scan_name=str(getattr(scan, "filename", "") or "").strip(),
        scan_type=str(getattr(scan, "content_type", "") or ""),
        scan=data,
        note=values.get("note", ""),
    )
    try:
        case = reg.register(session, registration, actor=who.username, today=today)
        session.commit()
    except OfficeError as exc:
        session.rollback()
        return _page(request, names, values, today, str(exc).split("；"), 400)
    no = case.tracking_no
    return RedirectResponse(f"/admin/office/cases/{no}", status_code=303)
