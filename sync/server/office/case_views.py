"""What the console's case pages show, as plain values for the templates (``case_list.html``,
``case_detail.html``): the list's rows in order of urgency, a case's facts, the application as the
resident gave it, its log in words, the notices ready to print and the forms of the steps the law allows
now. No HTML here; the routes are in :mod:`.case_routes`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.server.db import ZoneRow
from sync.server.feed import calendar as cal
from sync.server.office import annual_report, case_status, departments, fees, issued, notices, reviews, search
from sync.server.office import lifecycle as lc
from sync.server.office.applicant import applicant_facts
from sync.server.office.models import Case, CaseFile, IssuedNotice
from sync.server.office.register import channel_label
from sync.server.office.reviews import CaseReview

# The fields each step's form asks for: (name, label, kind, required). kind: text | date | textarea | int | choice
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
CHOICES: dict[str, dict[str, str]] = {
    "method": fees.METHODS,
    "applicant_class": {"": "按申请人类型（公民为自然人，组织为其他）", **annual_report.COLUMNS},
    "report_row": {"": "按答复类型", **{k: v for k, v in annual_report.RESULT_ROWS if "." in k}},
}
PAUSED = {"consulting": "暂停计算（征求意见）", "fee": "暂停计算（等待缴费）"}
PAGE_SIZE = 50  # cases per page of the list
FILE_ROLES = {"application": "申请表扫描件", "reply": "答复材料", "draft": "部门草拟答复"}
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
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
DATA_LABELS = {
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
# Codes a log entry's data carries, in words.
CODE_LABELS: dict[str, dict[str, str]] = {
    "method": fees.METHODS,
    "report_row": annual_report.ROW_LABELS,
    "applicant_class": annual_report.COLUMNS,
}


def zones(session: Session) -> dict[str, str]:
    """Zone code → name."""
    return {
        code: str(json.loads(data).get("name", code))
        for code, data in session.execute(select(ZoneRow.code, ZoneRow.data))
    }


def lapse(session: Session, today: dt.date, no: str | None = None) -> None:
    """Withdraw the cases whose correction period has run out (Art. 30) before they are shown."""
    if lc.lapse_corrections(session, today, no):
        session.commit()


@dataclass
class ListRow:
    no: str
    zone: str
    channel: str
    stage: str
    received_on: dt.date
    deadline: str
    left: str
    provisional: bool
    tone: str
    date_flagged: bool = False  # 收到日期待核实 (Case.received_flag)


@dataclass
class ListPage:
    """One page of the list: its rows, how many cases matched, the page number and the page count."""

    rows: list[ListRow]
    total: int
    page_no: int
    pages: int


def _urgency(c: Case, on: dt.date) -> tuple[int, dt.date, str]:
    due = c.correction_due if c.state == "correction" else c.due
    if c.state not in lc.OPEN_STATES:
        return (3, c.received_on, c.tracking_no)
    if due is None:
        return (2, dt.date.max, c.tracking_no)
    return (0 if due < on else 1, due, c.tracking_no)


def _row(c: Case, on: dt.date, names: dict[str, str], calendar: Any) -> ListRow:
    due = c.correction_due if c.state == "correction" else c.due
    tone, left = "", ""
    if c.state in lc.OPEN_STATES and due is not None:
        n = lc.working_days_between(on, due, calendar)
        if due < on:
            tone, left = "bad", f"逾期{-n}个工作日"
        else:
            tone, left = ("warn" if n <= lc.SOON_WORKING_DAYS else ""), f"还剩{n}个工作日"
    stage = lc.STAGE_LABELS[c.state] + ("（已延期）" if c.extension_days and c.state == "received" else "")
    what = "补正期限" if c.state == "correction" else "答复期限"
    deadline = f"{what} {due}" if due else PAUSED.get(c.state, "")
    provisional = bool(c.due_provisional) and c.state == "received"
    zone, channel = names.get(c.zone, c.zone), channel_label(c.channel)
    flagged = bool(c.received_flag)
    return ListRow(c.tracking_no, zone, channel, stage, c.received_on, deadline, left, provisional, tone, flagged)


def list_page(  # noqa: PLR0917 - the list's filters
    session: Session, on: dt.date, zone: str = "", state: str = "", q: str = "", dept: str = "", page_no: int = 1
) -> ListPage:
    """The cases (filtered by zone, stage, department and a search by number, name or phone), overdue
    first, then by due date, closed ones last; one page of :data:`PAGE_SIZE`."""
    names = zones(session)
    calendar = cal.work_calendar(session)
    query = select(Case)
    if zone:
        query = query.where(Case.zone == zone)
    if state:
        query = query.where(Case.state == state)
    if dept:
        query = query.where(Case.department == dept)
    found = [c for c in session.scalars(query) if not q.strip() or search.matches(session, c, q)]
    ordered = sorted(found, key=lambda c: _urgency(c, on))
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page_no = min(max(page_no, 1), pages)
    shown = ordered[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
    return ListPage([_row(c, on, names, calendar) for c in shown], len(ordered), page_no, pages)


def data_text(data: str) -> str:
    """A log entry's data in words (补正事项：…；答复期限：…)."""
    try:
        d = json.loads(data)
    except json.JSONDecodeError:
        return ""
    parts = []
    for k, v in d.items():
        if v in (None, "") or k not in DATA_LABELS:
            continue
        shown = CODE_LABELS[k].get(str(v), v) if k in CODE_LABELS else v
        parts.append(f"{DATA_LABELS[k]}：{'是' if shown is True else '否' if shown is False else shown}")
    if d.get("reply_type") in lc.REPLY_TYPES:
        parts.insert(0, lc.REPLY_TYPES[d["reply_type"]][0])
    return "；".join(parts)


def actor_words(actor: str) -> str:
    """Who a log entry names, in words: an account's name as it is, a terminal as 终端 and its id."""
    if actor.startswith("terminal:"):
        return f"终端 {actor.removeprefix('terminal:')}"
    return actor


@dataclass
class StepForm:
    """One step's form: its name, label, fields (name, label, kind, required) and a note if any."""

    step: str
    label: str
    fields: list[tuple[str, str, str, bool]]
    note: str = ""
    reply_types: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)


def step_forms(s: Session, case: Case) -> list[StepForm]:
    """The steps the law allows from the case's stage (and reopening a case the system let lapse)."""
    reopenable = case.state == "withdrawn" and lc.lapsed_automatically(s, case)
    once = {  # steps the law allows once: not offered again
        "ask_correction": case.correction_asked_on is not None,
        "extend": bool(case.extension_days),
        "fee_notice": case.fee_notice_on is not None,
        "delay": case.delayed_to is not None,
    }
    out = []
    for step, frm in ALLOWED_FROM.items():
        if not ((case.state in frm and not once.get(step)) or (reopenable and step == "correction_received")):
            continue
        form = StepForm(step, lc.ACTION_LABELS[step], STEP_FORMS[step], choices=CHOICES)
        if step == "reply":
            form.reply_types = [(k, f"{v[0]}（{v[1]}）") for k, v in lc.REPLY_TYPES.items()]
        if step == "correction_received" and case.state == "withdrawn":
            form.note = (
                f"补正如在期限（{case.correction_due}）内已收到、登记晚了：填写收到之日，"
                "恢复办理（系统的视为放弃申请记录保留在办理记录中）。"
            )
        out.append(form)
    return out


def _facts(s: Session, case: Case) -> list[tuple[str, Any]]:
    st = case_status.public_status(case, s)
    facts: list[tuple[str, Any]] = [
        ("受理编号", case.tracking_no),
        ("专区", zones(s).get(case.zone, case.zone)),
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
    if case.received_flag:  # the terminal's clock disagreed with the server's (sync.server.terminals.dating)
        facts.append(("收到日期待核实", case.received_flag))
    return facts


@dataclass
class Custody:
    """The case page's 承办 part: the department now, who held the case when, and the office's forms."""

    holder: str
    dept_due: dt.date | None
    submitted_on: dt.date | None
    history: list[tuple[str, dt.date, str, int]]
    departments: list[tuple[str, str]]
    can_assign: bool
    can_return: bool


def custody(s: Session, case: Case, today: dt.date) -> Custody:
    """Who holds ``case`` now and held it when (working days each), and which of the office's forms apply."""
    depts = departments.names(s)
    calendar = cal.work_calendar(s)
    history = [
        (h.holder, h.since, str(h.until or "至今"), lc.working_days_between(h.since, h.until or today, calendar))
        for h in departments.holders(s, case)
    ]
    open_case = case.state in lc.OPEN_STATES
    return Custody(
        holder=depts.get(case.department, case.department) if case.department else "",
        dept_due=case.dept_due,
        submitted_on=case.dept_submitted_on,
        history=history,
        departments=list(depts.items()),
        can_assign=open_case and bool(depts),
        can_return=open_case and case.dept_submitted_on is not None,
    )


def detail_context(s: Session, case: Case, today: dt.date) -> dict[str, Any]:
    """Everything ``case_detail.html`` shows of ``case`` (the caller logs the view of personal data)."""
    files = s.scalars(select(CaseFile).where(CaseFile.tracking_no == case.tracking_no).order_by(CaseFile.id))
    issued_rows: list[IssuedNotice] = issued.of_case(s, case.tracking_no)
    review_rows: list[CaseReview] = reviews.of_case(s, case.tracking_no)
    return {
        "case": case,
        "facts": _facts(s, case),
        "application": [(k, v) for k, v in applicant_facts(notices.application_of(s, case.tracking_no)) if v],
        "log": [
            (e.on, actor_words(e.actor), lc.ACTION_LABELS.get(e.action, e.action), e.reason, data_text(e.data))
            for e in lc.events(s, case.tracking_no)
        ],
        "issued": issued_rows,
        "notice_kinds": notices.KINDS,
        "forms": step_forms(s, case),
        "custody": custody(s, case, today),
        "reviews": review_rows,
        "review_kinds": reviews.KINDS,
        "review_outcomes": reviews.OUTCOMES,
        "can_review": case.replied_on is not None,
        "files": [(f, FILE_ROLES.get(f.role or "reply", f.role or ""), len(f.data) // 1024 + 1) for f in files],
        "can_attach": case.state in (*lc.OPEN_STATES, "replied"),
    }
