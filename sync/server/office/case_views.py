"""What the console's case pages show, as plain values for the templates (``case_list.html``,
``case_detail.html``): the list's rows in order of urgency, a case's facts, the application as the
resident gave it, its log in words, the notices ready to print and the forms of the steps the law allows
now. No HTML here; the routes are in :mod:`.case_routes`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.applications.model import ApplicantKind, Delivery, IdType, Medium
from sync.server.db import ZoneRow
from sync.server.feed import calendar as cal
from sync.server.office import lifecycle as lc
from sync.server.office import notices
from sync.server.office.models import Case, CaseFile

# The fields each step's form asks for: (name, label, kind, required). kind: text | textarea | int
STEP_FORMS: dict[str, list[tuple[str, str, str, bool]]] = {
    "ask_correction": [("items", "需要补正的事项", "textarea", True), ("within", "补正期限（工作日）", "int", False)],
    "correction_received": [],
    "correction_lapsed": [],
    "start_consultation": [("party", "征求意见的第三方或机关", "text", True)],
    "end_consultation": [],
    "extend": [("approver", "批准人（工作机构负责人）", "text", True), ("days", "延长工作日数（≤20）", "int", False)],
    "reply": [
        ("agency", "负责公开的机关及联系方式（非本机关负责时）", "text", False),
        ("detail", "获取方式、途径（已主动公开时）", "text", False),
    ],
    "withdraw": [],
    "close": [],
}
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
    stage: str
    received_on: dt.date
    deadline: str
    left: str
    provisional: bool
    tone: str
    date_flagged: bool = False  # 收到日期待核实 (Case.received_flag)


def _urgency(c: Case, on: dt.date) -> tuple[int, dt.date, str]:
    due = c.correction_due if c.state == "correction" else c.due
    if c.state not in lc.OPEN_STATES:
        return (3, c.received_on, c.tracking_no)
    if due is None:
        return (2, dt.date.max, c.tracking_no)
    return (0 if due < on else 1, due, c.tracking_no)


def list_rows(session: Session, on: dt.date, zone: str = "", state: str = "") -> list[ListRow]:
    """The cases (filtered by zone and stage), overdue first, then by due date; closed ones last."""
    names = zones(session)
    calendar = cal.work_calendar(session)
    q = select(Case)
    if zone:
        q = q.where(Case.zone == zone)
    if state:
        q = q.where(Case.state == state)
    rows = []
    for c in sorted(session.scalars(q), key=lambda c: _urgency(c, on)):
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
        deadline = f"{what} {due}" if due else ("暂停计算" if c.state == "consulting" else "")
        provisional = bool(c.due_provisional) and c.state == "received"
        rows.append(
            ListRow(
                c.tracking_no,
                names.get(c.zone, c.zone),
                stage,
                c.received_on,
                deadline,
                left,
                provisional,
                tone,
                bool(c.received_flag),
            )
        )
    return rows


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
        parts.append(f"{DATA_LABELS[k]}：{'是' if v is True else '否' if v is False else v}")
    if d.get("reply_type") in lc.REPLY_TYPES:
        parts.insert(0, lc.REPLY_TYPES[d["reply_type"]][0])
    return "；".join(parts)


def actor_words(actor: str) -> str:
    """Who a log entry names, in words: an account's name as it is, a terminal as 终端 and its id."""
    if actor.startswith("terminal:"):
        return f"终端 {actor.removeprefix('terminal:')}"
    return actor


def _notice_ready(case: Case, kind: str, s: Session) -> bool:
    try:
        notices.paragraphs(s, case, kind)
    except notices.NoticeUnavailable:
        return False
    return True


@dataclass
class StepForm:
    """One step's form: its name, label, fields (name, label, kind, required) and a note if any."""

    step: str
    label: str
    fields: list[tuple[str, str, str, bool]]
    note: str = ""
    reply_types: list[tuple[str, str]] = field(default_factory=list)


def step_forms(s: Session, case: Case) -> list[StepForm]:
    """The steps the law allows from the case's stage (and reopening a case the system let lapse)."""
    reopenable = case.state == "withdrawn" and lc.lapsed_automatically(s, case)
    out = []
    for step, frm in ALLOWED_FROM.items():
        if case.state not in frm and not (reopenable and step == "correction_received"):
            continue
        form = StepForm(step, lc.ACTION_LABELS[step], STEP_FORMS[step])
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
    st = lc.public_status(case, s)
    facts: list[tuple[str, Any]] = [
        ("受理编号", case.tracking_no),
        ("专区", zones(s).get(case.zone, case.zone)),
        ("阶段", st["stage_label"]),
    ]
    facts += [(d["label"], d["date"]) for d in st["dates"]]
    if case.state == "received" and case.due:
        due = ("答复期限", f"{case.due}{'（暂定）' if case.due_provisional else ''}")
        facts = [f for f in facts if f[0] != "答复期限"] + [due, ("期限计算", case.due_explanation)]
    if case.reply_type:
        facts.append(("答复类型", lc.REPLY_TYPES[case.reply_type][0]))
    if case.printed_deadline:
        facts.append(("回执所印答复期限", str(case.printed_deadline)))
    if case.received_flag:  # the terminal's clock disagreed with the server's (sync.server.terminals.dating)
        facts.append(("收到日期待核实", case.received_flag))
    return facts


def _label(enum: type[StrEnum], code: Any) -> str:
    """A code of the application's wire form in words (the code itself if this server does not know it)."""
    try:
        return str(enum(code).label)  # type: ignore[attr-defined]
    except ValueError:
        return str(code)


def _application(app_json: dict[str, Any]) -> list[tuple[str, Any]]:
    applicant = app_json.get("applicant") or {}
    request_info = app_json.get("request") or {}
    person = [
        ("申请人类型", applicant.get("kind") and _label(ApplicantKind, applicant["kind"])),
        ("姓名/名称", applicant.get("name")),
        ("证件类型", applicant.get("id_type") and _label(IdType, applicant["id_type"])),
        ("证件号码", applicant.get("id_number")),
        ("联系电话", applicant.get("phone")),
        ("通信地址", applicant.get("address")),
        ("电子邮箱", applicant.get("email")),
        ("所需信息", request_info.get("description")),
        ("文号", request_info.get("doc_number")),
        ("用途", request_info.get("purpose")),
        ("载体形式", "、".join(_label(Medium, m) for m in app_json.get("media") or [])),
        ("获取方式", "、".join(_label(Delivery, d) for d in app_json.get("delivery") or [])),
    ]
    return [(k, v) for k, v in person if v]


def detail_context(s: Session, case: Case) -> dict[str, Any]:
    """Everything ``case_detail.html`` shows of ``case`` (the caller logs the view of personal data)."""
    files = s.scalars(select(CaseFile).where(CaseFile.tracking_no == case.tracking_no).order_by(CaseFile.id))
    return {
        "case": case,
        "facts": _facts(s, case),
        "application": _application(notices.application_of(s, case.tracking_no)),
        "log": [
            (e.on, actor_words(e.actor), lc.ACTION_LABELS.get(e.action, e.action), e.reason, data_text(e.data))
            for e in lc.events(s, case.tracking_no)
        ],
        "notices": [(k, v) for k, v in notices.KINDS.items() if _notice_ready(case, k, s)],
        "forms": step_forms(s, case),
        "files": [(f, len(f.data) // 1024 + 1) for f in files],
        "can_attach": case.state in ("received", "replied"),
    }
