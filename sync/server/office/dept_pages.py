"""Pages for departments (:mod:`departments`):

office role —
- ``/admin/office/departments``: the departments, each with its overdue and nearly-due drafts; forms to
  add a department and to bind a ``department`` account to it;
- ``POST /admin/office/cases/{no}/assign`` (交办/改派 with a due date) and ``…/return`` (退回修改);
- the case page's 承办 part (who holds it, since when, the forms) is in ``case_detail.html``;

department role (only the cases its department holds or held; anything else is 404) —
- ``/admin/dept``: its cases, overdue and nearly due on top;
- ``/admin/dept/cases/{no}``: what is asked for, the deadlines, the files; upload a draft reply or a
  material (``…/files``), hand the draft back to the office (``…/submit``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sync.server import pages
from sync.server.admin import auth
from sync.server.deps import DB, Ctx, DeptAccount, Form, OfficeAccount
from sync.server.errorpages import refusal_page
from sync.server.errors import OfficeError
from sync.server.feed.calendar import work_calendar
from sync.server.office import departments as dp
from sync.server.office import lifecycle as lc
from sync.server.office import notices
from sync.server.office.models import Case, CaseFile, DataView

router = APIRouter()
MAX_FILE_BYTES = 20 * 1024 * 1024
DEPT_ROLES = {"draft": "答复草稿", "reply": "提供的政府信息（答复材料）"}


def _missing(request: Request, detail: str, title: str = "没有这件申请") -> Response:
    return refusal_page(request, 404, title, title + "。", detail=detail, back="/admin/dept")


def _left(days: int) -> str:
    return f"逾期{-days}个工作日" if days < 0 else f"还剩{days}个工作日"


@router.get("/admin/office/departments", summary="Office: departments and their overdue drafts")
def departments_page(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, msg: str = "", error: str = ""
) -> Response:
    today = ctx.settings.today()
    depts = dp.names(session)
    lists = dp.due_lists(session, today, work_calendar(session))
    shown = []
    for code, name in depts.items():
        over, near = lists.get(code, ([], []))
        shown.append(
            (
                code,
                name,
                [(x.tracking_no, x.dept_due, _left(x.working_days_left)) for x in over],
                [(x.tracking_no, x.dept_due, _left(x.working_days_left)) for x in near],
            )
        )
    return pages.render(
        request, "departments.html", departments=shown, soon=dp.SOON_WORKING_DAYS, msg=msg[:200], error=error[:300]
    )


@router.post("/admin/office/departments", summary="Office: add a department")
def department_add(session: DB, who: OfficeAccount, form: Form) -> Response:
    try:
        d = dp.add_department(session, str(form.get("code") or ""), str(form.get("name") or ""))
        session.commit()
    except OfficeError as exc:
        return RedirectResponse(f"/admin/office/departments?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/departments?msg={quote('已添加 ' + d.name)}", status_code=303)


@router.post("/admin/office/departments/members", summary="Office: bind a department account")
def department_member(session: DB, who: OfficeAccount, form: Form) -> Response:
    try:
        dp.add_member(session, str(form.get("username") or "").strip(), str(form.get("department") or "").strip())
        session.commit()
    except OfficeError as exc:
        return RedirectResponse(f"/admin/office/departments?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/departments?msg={quote('已绑定')}", status_code=303)


def _refused(request: Request, no: str, exc: Exception) -> Response:
    back = f"/admin/office/cases/{no.upper()}"
    return refusal_page(request, 400, "未办理", f"未办理：{exc}", back=back, back_label="返回申请")


@router.post("/admin/office/cases/{no}/assign", summary="Office: assign the case to a department")
def case_assign(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, no: str, form: Form
) -> Response:
    today = ctx.settings.today()
    try:
        due = dt.date.fromisoformat(str(form.get("due") or ""))
    except ValueError:
        return _refused(request, no, OfficeError("请填写承办期限（年-月-日）"))
    try:
        dp.assign(session, no.upper(), str(form.get("department") or ""), due, who.username, today, today)
        session.commit()
    except OfficeError as exc:
        return _refused(request, no, exc)
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.post("/admin/office/cases/{no}/return", summary="Office: return the draft to the department")
def case_return(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: OfficeAccount, ctx: Ctx, no: str, form: Form
) -> Response:
    today = ctx.settings.today()
    try:
        dp.return_draft(session, no.upper(), who.username, today, today=today, reason=str(form.get("reason") or ""))
        session.commit()
    except OfficeError as exc:
        return _refused(request, no, exc)
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.get("/admin/dept", summary="Department: its cases")
def dept_list(request: Request, session: DB, who: DeptAccount, ctx: Ctx) -> Response:
    today = ctx.settings.today()
    dept = dp.department_of(session, who.username)
    if dept is None:
        return refusal_page(
            request, 403, "本部门承办件", "您的账号尚未绑定部门，请联系政务公开办。", back="/admin/login"
        )
    cal = work_calendar(session)
    rows = []
    for c in dp.cases_of(session, dept):
        mine = c.department == dept and c.state in lc.OPEN_STATES
        late = False
        if mine and c.dept_submitted_on is None and c.dept_due is not None:
            late = c.dept_due < today
            left = _left(lc.working_days_between(today, c.dept_due, cal))
        elif mine:
            left = f"已于 {c.dept_submitted_on} 报送"
        else:
            left = "已不由本部门承办" if c.state in lc.OPEN_STATES else lc.STAGE_LABELS[c.state]
        rows.append((c.tracking_no, c.dept_due if mine else "", left, late, c.due or ""))
    name = dp.names(session).get(dept, dept)
    return pages.render(request, "dept_list.html", title=f"{name} · 承办件", rows=rows)


def _dept_case(s: Session, who: str, no: str) -> Case | None:
    case = s.get(Case, no.strip().upper())
    return case if case is not None and dp.may_see(s, who, case) else None


@router.get("/admin/dept/cases/{no}", summary="Department: one case it holds")
def dept_case(request: Request, session: DB, who: DeptAccount, no: str, error: str = "") -> Response:
    case = _dept_case(session, who.username, no)
    if case is None:
        return _missing(request, "没有这件申请，或本件不由您的部门承办。")
    what, corrected = notices.requested_text(session, case)
    session.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="request"))
    session.commit()
    files = list(
        session.scalars(
            select(CaseFile)
            .where(CaseFile.tracking_no == case.tracking_no, CaseFile.role.in_(tuple(DEPT_ROLES)))
            .order_by(CaseFile.id)
        )
    )
    mine = case.department == dp.department_of(session, who.username) and case.state in lc.OPEN_STATES
    return pages.render(
        request,
        "dept_case.html",
        case=case,
        what=what,
        corrected=corrected,
        stage=lc.STAGE_LABELS[case.state],
        files=[(f, DEPT_ROLES[f.role or "reply"]) for f in files],
        roles=list(DEPT_ROLES.items()),
        can_act=mine and case.dept_submitted_on is None,
        error=error[:300],
    )


@router.post("/admin/dept/cases/{no}/files", summary="Department: upload a draft reply or a material")
def dept_upload(request: Request, session: DB, who: DeptAccount, no: str, form: Form) -> Response:
    upload = form.get("file")
    data = upload.file.read() if isinstance(upload, UploadFile) else b""
    role = str(form.get("role") or "draft")
    case = _dept_case(session, who.username, no)
    if case is None or case.department != dp.department_of(session, who.username):
        return _missing(request, "本件不由您的部门承办。")
    name = str(getattr(upload, "filename", "") or "").strip()[:200]
    if not data or not name or role not in DEPT_ROLES or len(data) > MAX_FILE_BYTES:
        why = "未上传：请选择一个不超过 20 MB 的文件和类别"
        return RedirectResponse(f"/admin/dept/cases/{case.tracking_no}?error={quote(why)}", status_code=303)
    ctype = str(getattr(upload, "content_type", "") or "application/octet-stream")[:100]
    session.add(
        CaseFile(tracking_no=case.tracking_no, name=name, content_type=ctype, role=role, data=data, actor=who.username)
    )
    session.commit()
    return RedirectResponse(f"/admin/dept/cases/{case.tracking_no}", status_code=303)


@router.post("/admin/dept/cases/{no}/submit", summary="Department: hand the draft reply to the office")
def dept_submit(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    request: Request, session: DB, who: DeptAccount, ctx: Ctx, no: str, form: Form
) -> Response:
    today = ctx.settings.today()
    case = _dept_case(session, who.username, no)
    if case is None:
        return _missing(request, "本件不由您的部门承办。")
    try:
        dp.submit_draft(session, case.tracking_no, who.username, today, today=today, note=str(form.get("note") or ""))
        session.commit()
    except OfficeError as exc:
        session.rollback()
        return RedirectResponse(f"/admin/dept/cases/{no.upper()}?error={quote('未报送：' + str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/dept/cases/{no.upper()}", status_code=303)


@router.get("/admin/dept/cases/{no}/files/{fid}", summary="Department: a file of its case")
def dept_file(request: Request, session: DB, who: DeptAccount, no: str, fid: int) -> Response:
    case = _dept_case(session, who.username, no)
    f = session.get(CaseFile, fid)
    if case is None or f is None or f.tracking_no != case.tracking_no or f.role not in DEPT_ROLES:
        return _missing(request, "没有这个文件，或本件不由您的部门承办。", "没有这个文件")
    session.add(DataView(actor=who.username, tracking_no=f.tracking_no, what=f"file:{f.id}"))
    session.commit()
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.name)}"}
    return auth.admin_headers(Response(f.data, media_type=f.content_type, headers=headers))
