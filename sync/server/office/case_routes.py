"""The office's applications in the browser (``/admin/office/cases…``), behind the office role's login:

- ``/admin/office/cases`` — every application by zone, stage and due date, overdue ones on top
  (filters: zone, stage, department; a search by number, name or phone, logged; 50 a page);
- ``/admin/office/cases/{no}`` — the case: its dates, the full application as the resident gave it (each
  opening is logged in ``data_views``), the log, the notices as A4 PDFs, and a form for each step the
  law allows now (the same :mod:`sync.server.office.lifecycle` functions the command line calls; a refused
  step is shown with its reason and changes nothing);
- ``…/files`` — the scanned application, the reply's materials; ``…/case-file.pdf`` — the case file as one
  PDF (cover, log, the notices as issued); the notices themselves are served by :mod:`.notice_pages`.

The person acting is the logged-in account (``Account.username``): it is who the log records. What the
pages show is built in :mod:`.case_views`; the markup is ``templates/case_*.html``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sync.server import pages
from sync.server.admin import auth
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errorpages import refusal_page
from sync.server.errors import OfficeError
from sync.server.office import case_file, departments, issued
from sync.server.office import case_views as views
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseFile, DataView

router = APIRouter(tags=["office"])
MAX_FILE_BYTES = 20 * 1024 * 1024  # one attachment to a reply


def _missing(request: Request, what: str = "没有这件申请", detail: str = "") -> Response:
    return refusal_page(
        request, 404, what, what + "。", detail=detail, back="/admin/office/cases", back_label="返回列表"
    )


@router.get("/admin/office/cases", response_class=HTMLResponse, summary="Office: the applications")
def case_list(  # noqa: PLR0917 - the list's filters
    request: Request,
    session: DB,
    ctx: Ctx,
    who: OfficeAccount,
    zone: str = "",
    state: str = "",
    q: str = "",
    dept: str = "",
    page_no: int = 1,
) -> Response:
    on = ctx.settings.today()
    views.lapse(session, on)
    listing = views.list_page(session, on, zone, state, q, dept, page_no)
    if q.strip():
        session.add(DataView(actor=who.username, tracking_no="*", what="search"))  # a search by personal data
        session.commit()
    keep = urlencode({k: v for k, v in (("q", q), ("zone", zone), ("state", state), ("dept", dept)) if v})
    return pages.render(
        request,
        "case_list.html",
        listing=listing,
        zone_options=sorted(views.zones(session).items()),
        state_options=list(lc.STAGE_LABELS.items()),
        dept_options=list(departments.names(session).items()),
        zone=zone,
        state=state,
        q=q,
        dept=dept,
        keep=keep + "&" if keep else "",
        today=on,
    )


def detail(
    request: Request, s: Session, who: auth.Account, case: Case, error: str = "", *, status: int = 200
) -> Response:
    """The case's page (its opening logged: it shows the applicant's personal data)."""
    context = views.detail_context(s, case, request.app.state.server.settings.today())
    s.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="application"))
    s.commit()
    return pages.render(request, "case_detail.html", status, error=error, **context)


@router.get("/admin/office/cases/{no}", response_class=HTMLResponse, summary="Office: one application")
def case_detail(  # noqa: PLR0917 - the request, what it needs, the case and an error to show
    request: Request, session: DB, ctx: Ctx, who: OfficeAccount, no: str, error: str = ""
) -> Response:
    views.lapse(session, ctx.settings.today(), no.upper())
    case = session.get(Case, no.upper())
    if case is None:
        return _missing(request, detail=f"没有受理编号为 {no} 的申请，请核对编号。")
    return detail(request, session, who, case, error[:300])


def _step_arguments(step: str, values: dict[str, str]) -> dict[str, Any]:
    """The keyword arguments of the lifecycle function from the form (ValueError: not a whole number)."""
    kw: dict[str, Any] = {}
    if step == "ask_correction" and values.get("within"):
        kw["within_days"] = int(values["within"])
    if step == "extend" and values.get("days"):
        kw["days"] = int(values["days"])
    if step == "reply":
        kw["reply_type"] = values.get("reply_type", "")
    if step == "fee_notice":
        kw["method"], kw["count"] = values.get("method", ""), int(values.get("count") or 0)
    return kw


@router.post("/admin/office/cases/{no}/step/{step}", summary="Office: take one step of the lifecycle")
def case_step(  # noqa: PLR0917 - the request, what it needs, the case and the step
    request: Request, session: DB, ctx: Ctx, who: OfficeAccount, no: str, step: str, form: Form
) -> Response:
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    now = ctx.settings.today()
    views.lapse(session, now, no.upper())
    case = session.get(Case, no.upper())
    if case is None or step not in lc.STEPS:
        return _missing(request, "没有这件申请或这个步骤")
    try:
        on = dt.date.fromisoformat(values["on"]) if values.get("on") else now
    except ValueError:
        return detail(request, session, who, case, f"日期“{values.get('on')}”不对（应为 年-月-日）", status=400)
    try:
        kw = _step_arguments(step, values)
    except ValueError:
        return detail(request, session, who, case, "工作日数应为整数", status=400)
    names = ("items", "party", "approver", "agency", "detail", "request", "served_on", "pay_how", "within")
    fields = {k: values.get(k, "") for k in (*names, "delay_to", "applicant_class", "report_row")}
    try:
        request_step = lc.Step(who.username, on, values.get("reason", ""), fields, today=now)
        issued.take_step(session, step, case.tracking_no, request_step, **kw)
        session.commit()
    except OfficeError as exc:
        session.rollback()
        case = session.get(Case, no.upper())
        assert case is not None
        return detail(request, session, who, case, f"未办理：{exc}", status=400)
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.get("/admin/office/cases/{no}/case-file.pdf", summary="Office: the case file as one PDF")
def case_file_pdf(request: Request, session: DB, who: OfficeAccount, no: str) -> Response:
    case = session.get(Case, no.upper())
    if case is None:
        return _missing(request)
    pdf = case_file.build(session, case, views.data_text)
    session.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="case_file"))
    session.commit()
    headers = {"Content-Disposition": f"inline; filename={case.tracking_no}-case-file.pdf"}
    return auth.admin_headers(Response(pdf, media_type="application/pdf", headers=headers))


@router.post("/admin/office/cases/{no}/files", summary="Office: attach a document to the reply")
def case_file_add(request: Request, session: DB, who: OfficeAccount, no: str, form: Form) -> Response:
    upload = form.get("file")
    case = session.get(Case, no.upper())
    if case is None:
        return _missing(request)
    data = upload.file.read() if isinstance(upload, UploadFile) else b""
    name = str(getattr(upload, "filename", "") or "").strip()[:200]
    if not data or not name:
        return detail(request, session, who, case, "未上传：请选择一个文件", status=400)
    if len(data) > MAX_FILE_BYTES:
        return detail(request, session, who, case, f"未上传：文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB", status=400)
    ctype = str(getattr(upload, "content_type", "") or "application/octet-stream")[:100]
    role = "application" if form.get("role") == "application" else "reply"  # a signed walk-in form: its case
    session.add(
        CaseFile(tracking_no=case.tracking_no, name=name, content_type=ctype, role=role, data=data, actor=who.username)
    )
    session.commit()
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.get("/admin/office/cases/{no}/files/{fid}", summary="Office: a document attached to the reply")
def case_file_get(request: Request, session: DB, who: OfficeAccount, no: str, fid: int) -> Response:
    f = session.get(CaseFile, fid)
    if f is None or f.tracking_no != no.upper():
        return _missing(request, "没有这个文件")
    session.add(DataView(actor=who.username, tracking_no=f.tracking_no, what=f"file:{f.id}"))
    session.commit()
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.name)}"}
    return auth.admin_headers(Response(f.data, media_type=f.content_type, headers=headers))
