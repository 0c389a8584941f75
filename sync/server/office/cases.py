"""The 政务公开 office's console in the browser (``/admin/office/…``), behind the office role's login.

- ``/admin/office/cases`` — every application by zone, stage and due date, overdue ones on top
  (filters: zone, stage);
- ``/admin/office/cases/{no}`` — the case: its dates, the full application as the resident gave it (each
  opening is logged in ``data_views``), the log, the notices as A4 PDFs, and a form for each step the
  law allows now (the same ``sync.server.office.lifecycle`` functions the command line calls; a refused step is
  shown with its reason and changes nothing);
- ``/admin/office/cases/{no}/notice/{kind}.pdf`` — 补正告知书 / 延期答复告知书 / 答复书 (logged too: they
  carry the applicant's name);
- the holiday arrangements page is :mod:`calendar_pages`.

The person acting is the logged-in account (``Account.username``): it is who the log records.
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse as _HTML
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import UploadFile

from sync.server.admin import auth, layout
from sync.server.db import ZoneRow
from sync.server.errors import OfficeError
from sync.server.feed import calendar as cal
from sync.server.office import (
    annual_report,
    case_file,
    departments,
    dept_pages,
    evaluation,
    fees,
    issued,
    notice_pages,
    notices,
    reviews,
    search,
)
from sync.server.office import lifecycle as lc
from sync.server.office.applicant import applicant_facts
from sync.server.office.evaluation_pdf import build_report_pdf
from sync.server.office.form_style import STYLE as _STYLE
from sync.server.office.models import Case, CaseFile, DataView
from sync.server.office.register import channel_label

# The fields each step's form asks for: (name, label, kind, required). kind: text | date | textarea | int
STEP_FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "ask_correction": [("items", "需要补正的事项", "textarea", True), ("within", "补正期限（工作日）", "int", False)],
    "correction_received": [("request", "补正后的申请内容（所需信息的描述）", "textarea", False)],
    "correction_lapsed": [],
    "start_consultation": [("party", "征求意见的第三方或机关", "text", True)],
    "end_consultation": [],
    "extend": [("approver", "批准人（工作机构负责人）", "text", True), ("days", "延长工作日数（≤20）", "int", False)],
    "reply": [
        ("agency", "负责公开的机关及联系方式（非本机关负责时）", "text", False),
        ("detail", "获取方式、途径（已主动公开时）", "text", False),
        ("applicant_class", "申请人类别（年度报告）", "choice", False),
        ("report_row", "办理结果分类（年度报告；不予公开、无法提供、不予处理须选择）", "choice", False),
    ],
    "withdraw": [],
    "close": [],
    "fee_notice": [
        ("method", "计收方式", "choice", True),
        ("count", "本申请的件数（按件）或页数（按量）", "int", True),
        ("served_on", "收费通知送达日期（默认今天）", "date", False),
        ("pay_how", "缴纳方式", "text", False),
    ],
    "fee_paid": [],
    "ask_reasons": [("within", "说明理由的期限", "date", False)],
    "delay": [("delay_to", "延迟答复至", "date", True)],
}
CHOICES = {
    "method": fees.METHODS,
    "applicant_class": {"": "按申请人类型（公民为自然人，组织为其他）", **annual_report.COLUMNS},
    "report_row": {"": "按答复类型", **{k: v for k, v in annual_report.RESULT_ROWS if "." in k}},
}
PAUSED = {"consulting": "暂停计算（征求意见）", "fee": "暂停计算（等待缴费）"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # one attachment to a reply
PAGE_SIZE = 50  # cases per page of the list
FILE_ROLES = {"application": "申请表扫描件", "reply": "答复材料", "draft": "部门草拟答复"}
ALLOWED_FROM = {
    "ask_correction": ("received",),
    "correction_received": ("correction",),
    "correction_lapsed": ("correction",),
    "start_consultation": ("received",),
    "end_consultation": ("consulting",),
    "extend": ("received",),
    "reply": ("received",),
    "withdraw": lc.OPEN_STATES,
    "close": ("replied", "withdrawn"),
    "fee_notice": ("received",),
    "fee_paid": ("fee",),
    "ask_reasons": ("received",),
    "delay": ("received",),
}


def esc(value: Any) -> str:
    import html

    return html.escape("" if value is None else str(value), quote=True)


def zones(session: Session) -> dict[str, str]:
    return {
        code: str(json.loads(data).get("name", code))
        for code, data in session.execute(select(ZoneRow.code, ZoneRow.data))
    }


def register(  # noqa: PLR0915 - routes as closures
    app: FastAPI, make_session: sessionmaker[Session], today: lc.Today = lc.china_today
) -> None:
    """Add the console's routes to ``app`` (after ``auth.install``); ``today`` is the server's clock."""

    Office = Annotated[auth.Account, Depends(auth.require_account("office"))]
    csrf = auth.csrf_input

    def page(title: str, body: str, request: Request) -> str:
        return layout.page(title, body, request)

    def HTMLResponse(content: str, status_code: int = 200) -> Response:
        return auth.admin_headers(_HTML(content, status_code=status_code))

    def lapse(s: Session, no: str | None = None) -> None:
        """Withdraw the cases whose correction period has run out (Art. 30) before they are shown."""
        if lc.lapse_corrections(s, today(), no):
            s.commit()

    def table(head: list[str], rows: list[tuple[str, list[str]]]) -> str:
        th = "".join(f"<th>{esc(h)}</th>" for h in head)
        trs = "".join(f"<tr class='{cls}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cls, cells in rows)
        return f"<div class='scroll'><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>"

    @app.get("/admin/office/cases", response_class=_HTML, summary="Office: the applications")
    def case_list(  # noqa: PLR0917 - the list's filters
        request: Request, who: Office, zone: str = "", state: str = "", q: str = "", dept: str = "", page_no: int = 1
    ) -> Response:
        on = today()
        with make_session() as s:
            lapse(s)
            names = zones(s)
            depts = departments.names(s)
            calendar = cal.work_calendar(s)
            query = select(Case)
            if zone:
                query = query.where(Case.zone == zone)
            if state:
                query = query.where(Case.state == state)
            if dept:
                query = query.where(Case.department == dept)
            cases = [c for c in s.scalars(query) if not q.strip() or search.matches(s, c, q)]
            if q.strip():
                s.add(DataView(actor=who.username, tracking_no="*", what="search"))  # a search by personal data
                s.commit()

        def urgency(c: Case) -> tuple[int, dt.date, str]:
            due = c.correction_due if c.state == "correction" else c.due
            if c.state not in lc.OPEN_STATES:
                return (3, c.received_on, c.tracking_no)
            if due is None:
                return (2, dt.date.max, c.tracking_no)
            return (0 if due < on else 1, due, c.tracking_no)

        rows = []
        ordered = sorted(cases, key=urgency)
        pages = max(1, -(-len(ordered) // PAGE_SIZE))
        page_no = min(max(page_no, 1), pages)
        for c in ordered[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]:
            due = c.correction_due if c.state == "correction" else c.due
            cls, left = "", ""
            if c.state in lc.OPEN_STATES and due is not None:
                n = lc.working_days_between(on, due, calendar)
                if due < on:
                    cls, left = "bad", f"逾期{-n}个工作日"
                else:
                    cls, left = ("warn" if n <= lc.SOON_WORKING_DAYS else ""), f"还剩{n}个工作日"
            stage = lc.STAGE_LABELS[c.state] + ("（已延期）" if c.extension_days and c.state == "received" else "")
            link = f"<a href='/admin/office/cases/{esc(c.tracking_no)}'>{esc(c.tracking_no)}</a>"
            what = "补正期限" if c.state == "correction" else "答复期限"
            rows.append(
                (
                    cls,
                    [
                        link,
                        esc(names.get(c.zone, c.zone)),
                        esc(channel_label(c.channel)),
                        esc(stage),
                        esc(c.received_on),
                        esc(f"{what} {due}" if due else PAUSED.get(c.state, "")),
                        esc(left)
                        + (" <span class='muted'>暂定</span>" if c.due_provisional and c.state == "received" else ""),
                    ],
                )
            )
        zone_opts = "".join(
            f"<option value='{esc(k)}'{' selected' if k == zone else ''}>{esc(v)}</option>"
            for k, v in sorted(names.items())
        )
        state_opts = "".join(
            f"<option value='{k}'{' selected' if k == state else ''}>{esc(v)}</option>"
            for k, v in lc.STAGE_LABELS.items()
        )
        dept_opts = "".join(
            f"<option value='{esc(k)}'{' selected' if k == dept else ''}>{esc(v)}</option>" for k, v in depts.items()
        )
        filters = (
            "<form method='get' class='filters'>"
            f"<label>查找 <input type='search' name='q' value='{esc(q)}' "
            "placeholder='受理编号、姓名或名称、电话'></label> "
            "专区 <select name='zone'><option value=''>全部</option>"
            f"{zone_opts}</select> 阶段 <select name='state'><option value=''>全部</option>{state_opts}</select> "
            f"承办部门 <select name='dept'><option value=''>全部</option>{dept_opts}</select> "
            "<button class='btn' type='submit'>筛选</button></form>"
        )
        keep = urlencode({k: v for k, v in (("q", q), ("zone", zone), ("state", state), ("dept", dept)) if v})
        nav = " ".join(
            f"<a href='?{esc(keep)}&page_no={n}'>{label}</a>"
            for n, label in ((page_no - 1, "上一页"), (page_no + 1, "下一页"))
            if 1 <= n <= pages
        )
        body = (
            "<p><a class='btn' href='/admin/office/register'>登记申请（邮寄、当面、电子邮件、传真、网站）</a> "
            "<a href='/admin/office/settings'>文书设置</a></p>"
            + filters
            + table(["受理编号", "专区", "渠道", "阶段", "收到日期", "期限", "剩余"], rows)
        )
        body += (
            f"<p class='muted'>共 {len(ordered)} 件，第 {page_no}/{pages} 页 {nav}；今天 {on}（北京时间）。"
            "<a href='/admin/office/calendar'>节假日安排</a></p>"
        )
        return HTMLResponse(page("依申请公开办理", body, request))

    def detail(  # noqa: PLR0917 - request, session, who, case, then the error shown
        request: Request, s: Session, who: auth.Account, case: Case, error: str = "", status: int = 200
    ) -> Response:
        app_json = notices.application_of(s, case.tracking_no)
        s.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="application"))
        s.commit()
        names = zones(s)
        st = lc.public_status(case, s)
        facts = [
            ("受理编号", case.tracking_no),
            ("专区", names.get(case.zone, case.zone)),
            ("收到渠道", channel_label(case.channel)),
            ("阶段", st["stage_label"]),
        ]
        facts += [(d["label"], d["date"]) for d in st["dates"] if d["label"] != "答复期限"]
        if case.due and case.state not in ("correction", "consulting", "fee"):  # kept after the reply and 办结
            extended = "（已延长）" if case.extension_days else ""
            facts.append(("答复期限", f"{case.due}{extended}{'（暂定）' if case.due_provisional else ''}"))
            facts.append(("期限计算", case.due_explanation))
        if case.reply_type:
            facts.append(("答复类型", lc.REPLY_TYPES[case.reply_type][0]))
        if case.printed_deadline:
            facts.append(("回执所印答复期限", str(case.printed_deadline)))
        fact_html = "<dl class='facts'>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts) + "</dl>"
        person = applicant_facts(app_json)
        person_html = (
            "<dl class='facts'>"
            + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in person if v)
            + "</dl><p class='muted'>查看申请人信息已记录（查看人、时间）。</p>"
        )
        log_rows = [
            (
                "",
                [
                    esc(e.on),
                    esc(e.actor),
                    esc(lc.ACTION_LABELS.get(e.action, e.action)),
                    esc(e.reason),
                    esc(_data_text(e.data)),
                ],
            )
            for e in lc.events(s, case.tracking_no)
        ]
        notices_html = notice_pages.section(request, s, case)
        reopenable = case.state == "withdrawn" and lc.lapsed_automatically(s, case)
        once = {  # steps the law allows once: not offered again
            "ask_correction": case.correction_asked_on is not None,
            "extend": bool(case.extension_days),
            "fee_notice": case.fee_notice_on is not None,
            "delay": case.delayed_to is not None,
        }
        forms = "".join(
            _step_form(request, csrf, case, step)
            for step, frm in ALLOWED_FROM.items()
            if (case.state in frm and not once.get(step)) or (reopenable and step == "correction_received")
        )
        files = list(s.scalars(select(CaseFile).where(CaseFile.tracking_no == case.tracking_no).order_by(CaseFile.id)))
        files_html = "".join(
            f"<li>{esc(FILE_ROLES.get(f.role or 'reply', f.role))}："
            f"<a href='/admin/office/cases/{esc(case.tracking_no)}/files/{f.id}'>{esc(f.name)}</a> "
            f"<span class='muted'>{len(f.data) // 1024 + 1} KB，{esc(f.actor)} {_beijing(f.at)}</span></li>"
            for f in files
        )
        if case.state in (*lc.OPEN_STATES, "replied"):
            files_html += (
                f"<form class='step' method='post' enctype='multipart/form-data' "
                f"action='/admin/office/cases/{esc(case.tracking_no)}/files'>{csrf(request)}"
                "<b>上传材料</b><label>类别<select name='role'>"
                "<option value='reply'>答复材料（列入答复书附件）</option>"
                "<option value='application'>申请表扫描件（如专区代填、申请人签字的纸质申请表）</option>"
                "</select></label>"
                "<input type='file' name='file' required>"
                "<button class='btn' type='submit'>上传</button></form>"
            )
        err = f"<p class='error'>{esc(error)}</p>" if error else ""
        body = (
            f"{err}<h2>办理情况</h2>{fact_html}<h2>办理</h2>{forms or '<p class=muted>已办结，无可办理的步骤。</p>'}"
            f"<h2>承办</h2>{dept_pages.section(request, s, case, today())}"
            f"<h2>行政复议、行政诉讼</h2>{reviews.section(request, s, case.tracking_no, case.replied_on is not None)}"
            f"<h2>文书</h2>{notices_html}<h2>材料</h2><ul>{files_html}</ul>"
            f"<h2>申请内容</h2>{person_html}"
            f"<h2>办理记录</h2>{table(['日期', '经办人', '步骤', '理由', '内容'], log_rows)}"
            f"<p><a href='/admin/office/cases/{esc(case.tracking_no)}/case-file.pdf'>案卷（一份 PDF，可打印、归档）</a>"
            " · <a href='/admin/office/cases'>返回列表</a></p>"
        )
        return HTMLResponse(page(f"申请 {case.tracking_no}", _STYLE + body, request), status_code=status)

    @app.get("/admin/office/cases/{no}", response_class=_HTML, summary="Office: one application")
    def case_detail(request: Request, who: Office, no: str, error: str = "") -> Response:
        with make_session() as s:
            lapse(s, no.upper())
            case = s.get(Case, no.upper())
            if case is None:
                return HTMLResponse(page("没有这件申请", f"<p>没有受理编号为 {esc(no)} 的申请。</p>", request), 404)
            return detail(request, s, who, case, error)

    @app.post("/admin/office/cases/{no}/step/{step}", summary="Office: take one step of the lifecycle")
    async def case_step(request: Request, who: Office, no: str, step: str) -> Response:
        form = await request.form()
        values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
        with make_session() as s:
            lapse(s, no.upper())
            case = s.get(Case, no.upper())
            if case is None or step not in lc.STEPS:
                return HTMLResponse(page("没有这件申请", "<p>没有这件申请或这个步骤。</p>", request), 404)
            try:
                now = today()
                on = dt.date.fromisoformat(values["on"]) if values.get("on") else now
            except ValueError:
                return detail(request, s, who, case, f"日期“{values.get('on')}”不对（应为 年-月-日）", 400)
            kw: dict[str, Any] = {}
            try:
                if step == "ask_correction" and values.get("within"):
                    kw["within_days"] = int(values["within"])
                if step == "extend" and values.get("days"):
                    kw["days"] = int(values["days"])
                if step == "fee_notice":
                    kw["method"], kw["count"] = values.get("method", ""), int(values.get("count") or 0)
            except ValueError:
                return detail(request, s, who, case, "工作日数应为整数", 400)
            if step == "reply":
                kw["reply_type"] = values.get("reply_type", "")
            names = ("items", "party", "approver", "agency", "detail", "request", "served_on", "pay_how", "within")
            fields = {k: values.get(k, "") for k in (*names, "delay_to", "applicant_class", "report_row")}
            try:
                request_step = lc.Step(who.username, on, values.get("reason", ""), fields, today=now)
                issued.take_step(s, step, case.tracking_no, request_step, **kw)
                s.commit()
            except OfficeError as exc:
                s.rollback()
                case = s.get(Case, no.upper())
                assert case is not None
                return detail(request, s, who, case, f"未办理：{exc}", 400)
        return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)

    @app.get("/admin/office/cases/{no}/case-file.pdf", summary="Office: the case file as one PDF")
    def case_file_pdf(request: Request, who: Office, no: str) -> Response:
        with make_session() as s:
            case = s.get(Case, no.upper())
            if case is None:
                return HTMLResponse(page("没有这件申请", "", request), 404)
            pdf = case_file.build(s, case, _data_text)
            s.add(DataView(actor=who.username, tracking_no=case.tracking_no, what="case_file"))
            s.commit()
        headers = {"Content-Disposition": f"inline; filename={case.tracking_no}-case-file.pdf"}
        return auth.admin_headers(Response(pdf, media_type="application/pdf", headers=headers))

    @app.post("/admin/office/cases/{no}/files", summary="Office: attach a document to the reply")
    async def case_file_add(request: Request, who: Office, no: str) -> Response:
        form = await request.form()
        upload = form.get("file")
        with make_session() as s:
            case = s.get(Case, no.upper())
            if case is None:
                return HTMLResponse(page("没有这件申请", "", request), 404)
            data = await upload.read() if isinstance(upload, UploadFile) else b""
            name = str(getattr(upload, "filename", "") or "").strip()[:200]
            if not data or not name:
                return detail(request, s, who, case, "未上传：请选择一个文件", 400)
            if len(data) > MAX_FILE_BYTES:
                return detail(request, s, who, case, f"未上传：文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB", 400)
            ctype = str(getattr(upload, "content_type", "") or "application/octet-stream")[:100]
            role = "application" if form.get("role") == "application" else "reply"  # a signed walk-in form: its case
            s.add(
                CaseFile(
                    tracking_no=case.tracking_no,
                    name=name,
                    content_type=ctype,
                    role=role,
                    data=data,
                    actor=who.username,
                )
            )
            s.commit()
        return RedirectResponse(f"/admin/office/cases/{no.upper()}", status_code=303)

    @app.get("/admin/office/cases/{no}/files/{fid}", summary="Office: a document attached to the reply")
    def case_file_get(request: Request, who: Office, no: str, fid: int) -> Response:
        with make_session() as s:
            f = s.get(CaseFile, fid)
            if f is None or f.tracking_no != no.upper():
                return HTMLResponse(page("没有这个文件", "", request), 404)
            s.add(DataView(actor=who.username, tracking_no=f.tracking_no, what=f"file:{f.id}"))
            s.commit()
            disposition = f"attachment; filename*=UTF-8''{quote(f.name)}"
            headers = {"Content-Disposition": disposition}
            return auth.admin_headers(Response(f.data, media_type=f.content_type, headers=headers))

    def month_of(value: str) -> str:
        if value:
            evaluation.parse_month(value)  # ValueError on nonsense
            return value
        now = today()
        return f"{now.year:04d}-{now.month:02d}"

    @app.get("/admin/office", response_class=_HTML, summary="Office: the monthly evaluation (一月一评比)")
    def evaluation_page(request: Request, who: Office, month: str = "", msg: str = "") -> Response:
        try:
            m = month_of(month)
        except ValueError:
            return HTMLResponse(
                page("月度评价", f"<p class='error'>月份“{esc(month)}”不对（应为 年-月）</p>", request), 400
            )
        with make_session() as s:
            report = evaluation.build(s, m)
            pending = evaluation.pending_bad_ratings(s)
            names = zones(s)
        head = evaluation.COLUMNS
        body_rows = [("", [esc(v) for v in r]) for r in evaluation.rows(report)]
        prev = evaluation.previous_month(m)
        nav = (
            f"<form method='get'>月份 <input type='month' name='month' value='{esc(m)}'> "
            f"<button class='btn' type='submit'>查看</button> <a href='?month={esc(prev)}'>上月</a> "
            f"<a href='/admin/office/evaluation.csv?month={esc(m)}'>下载 CSV</a> "
            f"<a href='/admin/office/evaluation.pdf?month={esc(m)}'>通报（PDF）</a> "
            f"<a href='/admin/office/year?year={esc(m[:4])}'>年度评比</a></form>"
        )
        queries = "；".join(f"{esc(q)}（{n}）" for q, n in report.popular_queries) or "—"
        follow = "".join(
            f"<tr><td>{sid}</td><td>{esc(names.get(code, code))}</td><td>{esc(_local_time(at))}</td>"
            f"<td>{esc(evaluation.LEVELS[level])}</td>"
            f"<td><form method='post' action='/admin/office/ratings/{sid}/follow-up'>"
            f"{csrf(request)}<input type='text' name='note' required placeholder='回访整改情况'> "
            "<button class='btn' type='submit'>记录整改</button></form></td></tr>"
            for sid, code, at, level in pending
        )
        ok = f"<p class='ok'>{esc(msg)}</p>" if msg else ""
        body = (
            f"{ok}{nav}{table(head, body_rows)}<p class='muted'>{esc(evaluation.formula_text(report.weights))}；"
            "按北京时间统计；无活动的专区也列出。</p>"
            f"<h2>群众检索较多的内容</h2><p>{queries}</p>"
            f"<h2>差评待整改（{len(pending)}）</h2><div class='scroll'><table><thead><tr><th>编号</th><th>专区</th>"
            f"<th>时间</th><th>评价</th><th>整改</th></tr></thead><tbody>{follow}</tbody></table></div>"
        )
        return HTMLResponse(page(f"政务公开专区月度评价 {m}", body, request))

    @app.get("/admin/office/evaluation.csv", summary="Office: the monthly evaluation as CSV")
    def evaluation_csv(request: Request, who: Office, month: str = "") -> Response:
        m = month_of(month)
        with make_session() as s:
            text = evaluation.to_csv(evaluation.build(s, m))
        return auth.admin_headers(
            Response(
                text.encode("utf-8"),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f"attachment; filename=evaluation-{m}.csv"},
            )
        )

    @app.get("/admin/office/evaluation.pdf", summary="Office: the monthly evaluation as an A4 report")
    def evaluation_pdf(request: Request, who: Office, month: str = "") -> Response:
        m = month_of(month)
        with make_session() as s:
            report = evaluation.build(s, m)
            agency = notices.agency_name(s)
        return auth.admin_headers(
            Response(
                build_report_pdf(report, agency),
                media_type="application/pdf",
                headers={"Content-Disposition": f"inline; filename=evaluation-{m}.pdf"},
            )
        )

    @app.post("/admin/office/ratings/{sid}/follow-up", summary="Office: record the follow-up of a 差评")
    async def rating_follow_up(request: Request, who: Office, sid: int) -> Response:
        form = await request.form()
        with make_session() as s:
            try:
                evaluation.follow_up(s, sid, actor=who.username, note=str(form.get("note") or ""))
                s.commit()
            except ValueError as exc:
                return HTMLResponse(page("月度评价", f"<p class='error'>{esc(exc)}</p>", request), 400)
        return RedirectResponse("/admin/office?msg=已记录整改", status_code=303)


def _local_time(text: str) -> str:
    """A rating's time (the terminal's ISO text) as Beijing time, labelled."""
    try:
        t = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=lc.CHINA)
    return f"{t.astimezone(lc.CHINA):%Y-%m-%d %H:%M}（北京时间）"


def _beijing(at: dt.datetime) -> str:
    """A stored UTC instant as Beijing time, labelled."""
    return f"{at.replace(tzinfo=dt.UTC).astimezone(lc.CHINA):%Y-%m-%d %H:%M}（北京时间）"


CODE_LABELS: dict[str, dict[str, str]] = {
    "method": fees.METHODS,
    "report_row": annual_report.ROW_LABELS,
    "applicant_class": annual_report.COLUMNS,
}


def _data_text(data: str) -> str:
    try:
        d = json.loads(data)
    except json.JSONDecodeError:
        return ""
    labels = {
        "items": "补正事项",
        "within_days": "补正期限(工作日)",
        "correction_due": "补正期限",
        "party": "征求意见对象",
        "approver": "批准人",
        "days": "延长",
        "due": "答复期限",
        "previous_due": "原期限",
        "working_days": "工作日",
        "agency": "负责机关",
        "detail": "获取方式",
        "on_time": "按期",
        "printed_deadline": "回执期限",
        "request": "补正后的申请内容",
        "notice": "文书",
        "number": "文号",
        "sha256": "SHA-256",
        "replaces": "替代",
        "method": "计收方式",
        "count": "件数/页数",
        "amount": "金额（元）",
        "fee_due": "缴费期限",
        "served_on": "送达日期",
        "department_name": "承办部门",
        "dept_due": "承办期限",
        "within": "说明理由期限",
        "kind": "类别",
        "body": "复议机关或法院",
        "outcome": "结果",
        "after_review": "复议后起诉",
        "report_row": "年度报告分类",
        "applicant_class": "申请人类别",
    }
    parts = []
    for k, v in d.items():
        if v in (None, "") or k not in labels:
            continue
        if k == "reply_type":
            continue
        shown = {
            "method": fees.METHODS,
            "report_row": annual_report.ROW_LABELS,
            "applicant_class": annual_report.COLUMNS,
        }
        shown = shown[k].get(str(v), v) if k in shown else v
        parts.append(f"{labels[k]}：{'是' if shown is True else '否' if shown is False else shown}")
    if d.get("reply_type") in lc.REPLY_TYPES:
        parts.insert(0, lc.REPLY_TYPES[d["reply_type"]][0])
    return "；".join(parts)


def _step_form(request: Request, csrf: Callable[[Request], str], case: Case, step: str) -> str:
    fields = []
    if step == "reply":
        opts = "".join(f"<option value='{k}'>{esc(v[0])}（{esc(v[1])}）</option>" for k, v in lc.REPLY_TYPES.items())
        fields.append(f"<label>答复类型<select name='reply_type'>{opts}</select></label>")
    for name, label, kind, required in STEP_FORMS[step]:
        req = " required" if required else ""
        if kind == "textarea":
            fields.append(f"<label>{esc(label)}<textarea name='{name}' rows='3'{req}></textarea></label>")
        elif kind == "choice":
            opts = "".join(f"<option value='{k}'>{esc(v)}</option>" for k, v in CHOICES[name].items())
            fields.append(f"<label>{esc(label)}<select name='{name}'>{opts}</select></label>")
        else:
            typ = {"int": "number", "date": "date"}.get(kind, "text")
            fields.append(f"<label>{esc(label)}<input type='{typ}' name='{name}'{req}></label>")
    if step == "correction_received" and case.state == "withdrawn":
        fields.append(
            f"<p class='muted'>补正如在期限（{esc(case.correction_due)}）内已收到、登记晚了：填写收到之日，"
            "恢复办理（系统的视为放弃申请记录保留在办理记录中）。</p>"
        )
    fields.append("<label>理由/说明<input type='text' name='reason'></label>")
    fields.append("<label>日期（默认今天）<input type='date' name='on'></label>")
    return (
        f"<form class='step' method='post' action='/admin/office/cases/{esc(case.tracking_no)}/step/{step}'>"
        f"<b>{esc(lc.ACTION_LABELS[step])}</b>{csrf(request)}{''.join(fields)}"
        f"<button class='btn' type='submit' name='go' value='{step}'>{esc(lc.ACTION_LABELS[step])}</button></form>"
    )
