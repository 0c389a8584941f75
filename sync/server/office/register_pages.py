"""The console's register of applications received by post, at the counter, by e-mail, fax or online
(``/admin/office/register``, office role): one form — channel and the 收到日期 Article 31 gives it, the
zone, the applicant and the request as the paper form says, the scanned form — checked by the same
rules as at a terminal; a refused form comes back with what was typed and every problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from kiosk.applications.model import ApplicantKind, Delivery, IdType, Medium
from sync.server.admin import auth, layout
from sync.server.admin.layout import esc
from sync.server.deps import Ctx, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import register as reg
from sync.server.office.cases import zones
from sync.server.office.form_style import STYLE as FORM_STYLE

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


def _select(name: str, options: list[tuple[str, str]], value: str) -> str:
    opts = "".join(f"<option value='{esc(k)}'{' selected' if k == value else ''}>{esc(v)}</option>" for k, v in options)
    return f"<select name='{name}' id='{name}'>{opts}</select>"


def _checks(name: str, options: list[tuple[str, str]], chosen: list[str]) -> str:
    return "".join(
        f"<label class='inline'><input type='checkbox' name='{name}' value='{esc(k)}'"
        f"{' checked' if k in chosen else ''}> {esc(v)}</label>"
        for k, v in options
    )


def form_html(request: Request, zone_names: dict[str, str], values: dict[str, Any], today: dt.date) -> str:
    """The register form, prefilled with ``values`` (what was typed, after a refusal)."""
    v = {k: str(x) for k, x in values.items() if not isinstance(x, list)}
    rules = "".join(f"<li><b>{esc(c.label)}</b>：{esc(c.rule)}</li>" for c in reg.CHANNELS.values())
    channel = _select("channel", [(k, c.label) for k, c in reg.CHANNELS.items()], v.get("channel", "post"))
    zone = _select("zone", sorted(zone_names.items()), v.get("zone", ""))
    kind = _select("kind", [(k.value, k.label) for k in ApplicantKind], v.get("kind", "citizen"))
    id_type = _select("id_type", [(k.value, k.label) for k in IdType], v.get("id_type", "resident_id"))
    person = "".join(
        f"<label>{esc(label)}{'（必填）' if req else ''}<input type='text' name='{n}' id='{n}' "
        f"value='{esc(v.get(n, ''))}'></label>"
        for n, label, req in APPLICANT_FIELDS
    )
    what = "".join(
        f"<label>{esc(label)}{'（必填）' if req else ''}<textarea name='{n}' id='{n}' rows='2'>"
        f"{esc(v.get(n, ''))}</textarea></label>"
        for n, label, req in REQUEST_FIELDS
    )
    media = _checks("media", [(m.value, m.label) for m in Medium], list(values.get("media") or ["paper"]))
    delivery = _checks("delivery", [(d.value, d.label) for d in Delivery], list(values.get("delivery") or ["post"]))
    return (
        f"<form class='step' method='post' enctype='multipart/form-data' action='/admin/office/register'>"
        f"{auth.csrf_input(request)}<h2>收到申请</h2><label>渠道{channel}</label><label>专区（受理编号前缀）{zone}</label>"
        f"<label>收到申请之日（签收、提交或确认之日）<input type='date' name='received_on' id='received_on' "
        f"value='{esc(v.get('received_on', today.isoformat()))}'></label>"
        "<label>确认方式、备注（平常信函必填）"
        f"<input type='text' name='note' id='note' value='{esc(v.get('note', ''))}'></label>"
        f"<details><summary>《政府信息公开条例》第三十一条：收到申请之日</summary><ul>{rules}</ul></details>"
        f"<h2>申请人</h2><label>申请人类型{kind}</label><label>证件类型{id_type}</label>{person}"
        f"<h2>所需信息</h2>{what}<label>用途（可不填）<input type='text' name='purpose' "
        f"value='{esc(v.get('purpose', ''))}'></label>"
        f"<p>载体形式 {media}</p><p>获取方式 {delivery}</p>"
        "<h2>申请表扫描件</h2><label>申请表（或邮件、传真、网站记录）扫描件，作为本件第一份材料"
        "<input type='file' name='scan' id='scan' required></label>"
        "<button class='btn' type='submit'>登记并受理</button></form>"
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


def _page(request: Request, body: str, status: int = 200) -> Response:
    page = layout.page("登记申请", FORM_STYLE + body, request)
    return auth.admin_headers(HTMLResponse(page, status_code=status))


@router.get("/admin/office/register", summary="Office: register an application received by post, counter, …")
def register_form(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    with ctx.make_session() as s:
        names = zones(s)
    return _page(request, form_html(request, names, {}, ctx.settings.today()))


@router.post("/admin/office/register", summary="Office: register an application")
async def register_post(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    scan = form.get("scan")
    data = await scan.read() if isinstance(scan, UploadFile) else b""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values["media"], values["delivery"] = form.getlist("media"), form.getlist("delivery")
    today = ctx.settings.today()
    with ctx.make_session() as s:
        names = zones(s)
        try:
            received = dt.date.fromisoformat(values.get("received_on", ""))
        except ValueError:
            error = f"日期“{values.get('received_on', '')}”不对（应为 年-月-日）"
            return _page(request, f"<p class='error'>{esc(error)}</p>" + form_html(request, names, values, today), 400)
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
            case = reg.register(s, registration, actor=who.username, today=today)
            s.commit()
        except OfficeError as exc:
            s.rollback()
            problems = "".join(f"<li>{esc(p)}</li>" for p in str(exc).split("；"))
            body = f"<div class='error'>未登记：<ul>{problems}</ul></div>" + form_html(request, names, values, today)
            return _page(request, body, 400)
        no = case.tracking_no
    return RedirectResponse(f"/admin/office/cases/{no}", status_code=303)
