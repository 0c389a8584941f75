"""Pages for departments (:mod:`departments`):

office role —
- ``/admin/office/departments``: the departments, each with its overdue and nearly-due drafts; forms to
  add a department and to bind a ``department`` account to it;
- ``POST /admin/office/cases/{no}/assign`` (交办/改派 with a due date) and ``…/return`` (退回修改);
- :func:`section`: the case page's 承办 part (who holds it, since when, the forms);

department role (only the cases its department holds or held; anything else is 404) —
- ``/admin/dept``: its cases, overdue and nearly due on top;
- ``/admin/dept/cases/{no}``: what is asked for, the deadlines, the files; upload a draft reply or a
  material (``…/files``), hand the draft back to the office (``…/submit``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sync.server.admin import auth, layout
from sync.server.admin.layout import esc
from sync.server.deps import Ctx, DeptAccount, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.feed.calendar import work_calendar
from sync.server.office import departments as dp
from sync.server.office import lifecycle as lc
from sync.server.office import notices
from sync.server.office.form_style import STYLE as FORM_STYLE
from sync.server.office.models import Case, CaseFile, DataView

router = APIRouter()
MAX_FILE_BYTES = 20 * 1024 * 1024
DEPT_ROLES = {"draft": "答复草稿", "reply": "提供的政府信息（答复材料）"}


def _page(request: Request, title: str, body: str, status: int = 200) -> Response:
    return auth.admin_headers(HTMLResponse(layout.page(title, FORM_STYLE + body, request), status_code=status))


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<div class='scroll'><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>"


def section(request: Request, s: Session, case: Case, today: dt.date) -> str:
    """The case page's 承办 part: the holder now, the custody so far, and the office's forms."""
    depts = dp.names(s)
    rows = [
        [
            esc(h.holder),
            esc(h.since),
            esc(h.until or "至今"),
            esc(lc.working_days_between(h.since, h.until or today, work_calendar(s))),
        ]
        for h in dp.holders(s, case)
    ]
    now = ""
    if case.department:
        state = f"已于 {case.dept_submitted_on} 报送草稿" if case.dept_submitted_on else "办理中"
        held_by = esc(depts.get(case.department, case.department))
        now = f"<p>承办部门：<b>{held_by}</b>，承办期限 {esc(case.dept_due)}，{state}</p>"
    forms = ""
    if case.state in lc.OPEN_STATES and depts:
        opts = "".join(f"<option value='{esc(k)}'>{esc(v)}</option>" for k, v in depts.items())
        verb = "改派" if case.department else "交办"
        forms += (
            f"<form class='step' method='post' action='/admin/office/cases/{esc(case.tracking_no)}/assign'>"
            f"<b>{verb}承办部门</b>{auth.csrf_input(request)}<label>承办部门<select name='department'>{opts}</select>"
            f"</label><label>承办期限（不晚于答复期限 {esc(case.due or '')}）<input type='date' name='due' required>"
            f"</label><button class='btn' type='submit'>{verb}</button></form>"
        )
    if case.state in lc.OPEN_STATES and case.dept_submitted_on is not None:
        forms += (
            f"<form class='step' method='post' action='/admin/office/cases/{esc(case.tracking_no)}/return'>"
            f"<b>退回承办部门修改</b>{auth.csrf_input(request)}<label>退回理由<input type='text' name='reason' "
            "required></label><button class='btn' type='submit'>退回修改</button></form>"
            "<p class='muted'>审核通过：在上方“答复”中作出答复即出具答复书（记录为审核通过）。</p>"
        )
    custody = _table(["承办", "自", "至", "工作日"], rows)
    return f"{now}{custody}{forms}"


@router.get("/admin/office/departments", summary="Office: departments and their overdue drafts")
def departments_page(request: Request, who: OfficeAccount, ctx: Ctx, msg: str = "", error: str = "") -> Response:
    today = ctx.settings.today()
    with ctx.make_session() as s:
        depts = dp.names(s)
        lists = dp.due_lists(s, today, work_calendar(s))
    parts = []
    for code, name in depts.items():
        over, near = lists.get(code, ([], []))

        def line(x: dp.DueLine) -> str:
            left = (
                f"逾期{-x.working_days_left}个工作日"
                if x.working_days_left < 0
                else f"还剩{x.working_days_left}个工作日"
            )
            link = f"<a href='/admin/office/cases/{esc(x.tracking_no)}'>{esc(x.tracking_no)}</a>"
            return f"<li>{link} 承办期限 {esc(x.dept_due)}（{left}）</li>"

        parts.append(
            f"<h2>{esc(name)} <span class='muted'>{esc(code)}</span></h2>"
            f"<p class='bad'>逾期未报送 {len(over)} 件</p><ul>{''.join(line(x) for x in over)}</ul>"
            f"<p class='warn'>{dp.SOON_WORKING_DAYS}个工作日内到期 {len(near)} 件</p>"
            f"<ul>{''.join(line(x) for x in near)}</ul>"
        )
    csrf = auth.csrf_input(request)
    body = (
        (f"<p class='ok'>{esc(msg)}</p>" if msg else "")
        + (f"<p class='error'>{esc(error)}</p>" if error else "")
        + ("".join(parts) or "<p class='muted'>尚未添加承办部门。</p>")
        + f"<form class='step' method='post' action='/admin/office/departments'>{csrf}<b>添加承办部门</b>"
        "<label>部门代码（字母、数字）<input type='text' name='code' required></label>"
        "<label>部门名称<input type='text' name='name' required></label>"
        "<button class='btn' type='submit'>添加</button></form>"
        f"<form class='step' method='post' action='/admin/office/departments/members'>{csrf}<b>部门账号</b>"
        "<label>账号（先用 account add NAME --role department 创建）"
        "<input type='text' name='username' required></label>"
        "<label>部门代码<input type='text' name='department' required></label>"
        "<button class='btn' type='submit'>绑定</button></form>"
    )
    return _page(request, "承办部门", body)


@router.post("/admin/office/departments", summary="Office: add a department")
async def department_add(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    with ctx.make_session() as s:
        try:
            d = dp.add_department(s, str(form.get("code") or ""), str(form.get("name") or ""))
            s.commit()
        except OfficeError as exc:
            return RedirectResponse(f"/admin/office/departments?error={quote(str(exc))}", status_code=303)
        return RedirectResponse(f"/admin/office/departments?msg={quote('已添加 ' + d.name)}", status_code=303)


@router.post("/admin/office/departments/members", summary="Office: bind a department account")
async def department_member(request: Request, who: OfficeAccount, ctx: Ctx) -> Response:
    form = await request.form()
    with ctx.make_session() as s:
        try:
            dp.add_member(s, str(form.get("username") or "").strip(), str(form.get("department") or "").strip())
            s.commit()
        except OfficeError as exc:
            return RedirectResponse(f"/admin/office/departments?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/admin/office/departments?msg={quote('已绑定')}", status_code=303)


def _refused(request: Request, no: str, exc: Exception) -> Response:
    back = f"<p><a href='/admin/office/cases/{esc(no)}'>返回申请</a></p>"
    return _page(request, "未办理", f"<p class='error'>未办理：{esc(exc)}</p>{back}", 400)


@router.post("/admin/office/cases/{no}/assign", summary="Office: assign the case to a department")
async def case_assign(request: Request, who: OfficeAccount, ctx: Ctx, no: str) -> Response:
    form = await request.form()
    today = ctx.settings.today()
    with ctx.make_session() as s:
        try:
            due = dt.date.fromisoformat(str(form.get("due") or ""))
        except ValueError:
            return _refused(request, no, OfficeError("请填写承办期限（年-月-日）"))
        try:
            dp.assign(s, no.upper(), str(form.get("department") or ""), due, who.username, today, today)
            s.commit()
        except OfficeError as exc:
            return _refused(request, no, exc)
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.post("/admin/office/cases/{no}/return", summary="Office: return the draft to the department")
async def case_return(request: Request, who: OfficeAccount, ctx: Ctx, no: str) -> Response:
    form = await request.form()
    today = ctx.settings.today()
    with ctx.make_session() as s:
        try:
            dp.return_draft(s, no.upper(), who.username, today, today=today, reason=str(form.get("reason") or ""))
            s.commit()
        except OfficeError as exc:
            return _refused(request, no, exc)
    return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)


@router.get("/admin/dept", summary="Department: its cases")
def dept_list(request: Request, who: DeptAccount, ctx: Ctx) -> Response:
    today = ctx.settings.today()
    with ctx.make_session() as s:
        dept = dp.department_of(s, who.username)
        if dept is None:
            return _page(request, "本部门承办件", "<p class='error'>您的账号尚未绑定部门，请联系政务公开办。</p>", 403)
        cal = work_calendar(s)
        rows = []
        for c in dp.cases_of(s, dept):
            mine = c.department == dept and c.state in lc.OPEN_STATES
            if mine and c.dept_submitted_on is None and c.dept_due is not None:
                n = lc.working_days_between(today, c.dept_due, cal)
                left = f"<span class='bad'>逾期{-n}个工作日</span>" if c.dept_due < today else f"还剩{n}个工作日"
            elif mine:
                left = f"已于 {esc(c.dept_submitted_on)} 报送"
            else:
                left = "已不由本部门承办" if c.state in lc.OPEN_STATES else esc(lc.STAGE_LABELS[c.state])
            link = f"<a href='/admin/dept/cases/{esc(c.tracking_no)}'>{esc(c.tracking_no)}</a>"
            rows.append([link, esc(c.dept_due if mine else ""), left, esc(c.due or "")])
        name = dp.names(s).get(dept, dept)
    body = _table(["受理编号", "承办期限", "情况", "答复期限"], rows) if rows else "<p class='muted'>暂无承办件。</p>"
    return _page(request, f"{name} · 承办件", body)


def _dept_case(s: Session, who: str, no: str) -> Case | None:
    case = s.get(Case, no.strip().upper())
    return case if case is not None and dp.may_see(s, who, case) else None


@router.get("/admin/dept/cases/{no}", summary="Department: one case it holds")
def dept_case(request: Request, who: DeptAccount, ctx: Ctx, no: str, error: str = "") -> Response:
    with ctx.make_session() as s:
        case = _dept_case(s, who.username, no)
        if case is None:
            return _page(request, "没有这件申请", "<p>没有这件申请，或本件不由您的部门承办。</p>", 404)
        what, corrected = notices.requested_text(s, case)
        s.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="request"))
        s.commit()
        files = list(
            s.scalars(
                select(CaseFile)
                .where(CaseFile.tracking_no == case.tracking_no, CaseFile.role.in_(tuple(DEPT_ROLES)))
                .order_by(CaseFile.id)
            )
        )
        mine = case.department == dp.department_of(s, who.username) and case.state in lc.OPEN_STATES
        csrf = auth.csrf_input(request)
        items = "".join(
            f"<li>{esc(DEPT_ROLES[f.role or 'reply'])}："
            f"<a href='/admin/dept/cases/{esc(case.tracking_no)}/files/{f.id}'>"
            f"{esc(f.name)}</a> <span class='muted'>{esc(f.actor)}</span></li>"
            for f in files
        )
        forms = ""
        if mine and case.dept_submitted_on is None:
            roles = "".join(f"<option value='{k}'>{esc(v)}</option>" for k, v in DEPT_ROLES.items())
            forms = (
                f"<form class='step' method='post' enctype='multipart/form-data' "
                f"action='/admin/dept/cases/{esc(case.tracking_no)}/files'>{csrf}<b>上传</b>"
                f"<label>类别<select name='role'>{roles}</select></label><input type='file' name='file' required>"
                "<button class='btn' type='submit'>上传</button></form>"
                f"<form class='step' method='post' action='/admin/dept/cases/{esc(case.tracking_no)}/submit'>{csrf}"
                "<b>报送政务公开办</b><label>说明<input type='text' name='note'></label>"
                "<button class='btn' type='submit'>报送答复草稿</button></form>"
            )
        body = (
            (f"<p class='error'>{esc(error)}</p>" if error else "")
            + f"<dl class='facts'><dt>受理编号</dt><dd>{esc(case.tracking_no)}</dd><dt>申请内容</dt>"
            f"<dd>{esc(what)}{'（经补正）' if corrected else ''}</dd><dt>承办期限</dt><dd>{esc(case.dept_due)}</dd>"
            f"<dt>答复期限</dt><dd>{esc(case.due or '')}</dd>"
            f"<dt>阶段</dt><dd>{esc(lc.STAGE_LABELS[case.state])}</dd></dl>"
            f"<h2>材料</h2><ul>{items or '<li class=muted>暂无</li>'}</ul>{forms}"
            "<p><a href='/admin/dept'>返回列表</a></p>"
        )
    return _page(request, f"承办件 {case.tracking_no}", body)


@router.post("/admin/dept/cases/{no}/files", summary="Department: upload a draft reply or a material")
async def dept_upload(request: Request, who: DeptAccount, ctx: Ctx, no: str) -> Response:
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    role = str(form.get("role") or "draft")
    with ctx.make_session() as s:
        case = _dept_case(s, who.username, no)
        if case is None or case.department != dp.department_of(s, who.username):
            return _page(request, "没有这件申请", "<p>本件不由您的部门承办。</p>", 404)
        name = str(getattr(upload, "filename", "") or "").strip()[:200]
        if not data or not name or role not in DEPT_ROLES or len(data) > MAX_FILE_BYTES:
            why = "未上传：请选择一个不超过 20 MB 的文件和类别"
            return RedirectResponse(f"/admin/dept/cases/{case.tracking_no}?error={quote(why)}", status_code=303)
        ctype = str(getattr(upload, "content_type", "") or "application/octet-stream")[:100]
        s.add(
            CaseFile(
                tracking_no=case.tracking_no, name=name, content_type=ctype, role=role, data=data, actor=who.username
            )
        )
        s.commit()
        return RedirectResponse(f"/admin/dept/cases/{case.tracking_no}", status_code=303)


@router.post("/admin/dept/cases/{no}/submit", summary="Department: hand the draft reply to the office")
async def dept_submit(request: Request, who: DeptAccount, ctx: Ctx, no: str) -> Response:
    form = await request.form()
    today = ctx.settings.today()
    with ctx.make_session() as s:
        case = _dept_case(s, who.username, no)
        if case is None:
            return _page(request, "没有这件申请", "<p>本件不由您的部门承办。</p>", 404)
        try:
            dp.submit_draft(s, case.tracking_no, who.username, today, today=today, note=str(form.get("note") or ""))
            s.commit()
        except OfficeError as exc:
            s.rollback()
            return RedirectResponse(
                f"/admin/dept/cases/{no.upper()}?error={quote('未报送：' + str(exc))}", status_code=303
            )
    return RedirectResponse(f"/admin/dept/cases/{no.upper()}", status_code=303)


@router.get("/admin/dept/cases/{no}/files/{fid}", summary="Department: a file of its case")
def dept_file(request: Request, who: DeptAccount, ctx: Ctx, no: str, fid: int) -> Response:
    with ctx.make_session() as s:
        case = _dept_case(s, who.username, no)
        f = s.get(CaseFile, fid)
        if case is None or f is None or f.tracking_no != case.tracking_no or f.role not in DEPT_ROLES:
            return _page(request, "没有这个文件", "", 404)
        s.add(DataView(actor=who.username, tracking_no=f.tracking_no, what=f"file:{f.id}"))
        s.commit()
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.name)}"}
        return auth.admin_headers(Response(f.data, media_type=f.content_type, headers=headers))
