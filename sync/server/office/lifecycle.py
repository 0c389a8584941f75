"""An application's handling on the district server, step by step as the 政府信息公开条例 sets it out.

Stages (``Case.state``) and the steps between them::

    received (受理, Art. 31) ── ask_correction ──▶ correction ── correction_received ──▶ received
        │                                            └─ correction_lapsed ──▶ withdrawn (视为放弃, Art. 30)
        ├─ start_consultation ──▶ consulting ── end_consultation ──▶ received    (Art. 32/34; days not counted)
        ├─ extend (once, ≤ 20 working days, approver named, applicant told; Art. 33 ¶2)
        ├─ reply (a reply type of Art. 36/37/39) ──▶ replied ── close ──▶ closed (归档, Art. 45)
        └─ withdraw (the applicant withdraws) ──▶ withdrawn ── close ──▶ closed

The server lapses a correction itself once its period has run out (``lapse_corrections``, by
:data:`SYSTEM_ACTOR`); a correction that came in time but is recorded later reopens the case.

The reply is due 20 working days after ``clock_from`` (the receipt date, or the day the correction
arrived: Art. 30), plus the extension, plus the working days a consultation took (Art. 33 ¶3: after the
letter went out, up to and including the day the opinion came back). A correction must be asked within
7 working days of receipt, once (一次性告知). Deadlines are counted by ``kiosk.workdays`` on the calendar
the server publishes to the terminals (``sync.server.feed.calendar.work_calendar``).

"Today" is never read from the environment: the server's clock (``Today``, :func:`china_today` in
production) is handed in by whoever runs a step or a report — the app, the command line, or a test with a
fixed day — so nothing outside the code can move a legal deadline.

Every step appends a ``CaseEvent`` (who, the day it happened, when it was recorded, why, its fields);
a step the law does not allow from the current stage raises :class:`StepRefused` and changes nothing.
No personal data is stored here or logged: cases carry the tracking number, zone and dates only.

Why one module of about 630 lines: every step of Articles 30–45 goes through the same checks
(:func:`check_step`), the same append-only log (:func:`log_step`) and the same recount of the deadline,
and the stages form one state machine drawn above; split by article, each part would reach back into
those shared private helpers. What a state means to people (the resident's status, the overdue report)
is apart, in :mod:`sync.server.office.case_status`; fees, departments and notices have modules of their
own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.workdays import REPLY_WORKING_DAYS, WorkCalendar, count_working_days
from sync.server.errors import StepRefused
from sync.server.feed.calendar import work_calendar
from sync.server.office.models import Case, CaseEvent

log = logging.getLogger("sync.server.office.lifecycle")

CHINA = ZoneInfo("Asia/Shanghai")
CORRECTION_NOTICE_DAYS = 7  # Art. 30: the correction is asked within 7 working days of receipt
DEFAULT_CORRECTION_DAYS = 15  # the reasonable period the office gives (合理的补正期限), working days
MAX_EXTENSION_DAYS = 20  # Art. 33 ¶2
CONSULTATION_DAYS = 15  # Art. 32: the third party answers within 15 working days of the letter
SOON_WORKING_DAYS = 3  # the overdue report's "due soon"
SYSTEM_ACTOR = "系统"  # who the log names for a step the server takes by itself (a lapsed correction)

OPEN_STATES = ("received", "correction", "consulting", "fee")  # fee: waiting for 信息处理费 (fees.py)
STATES = (*OPEN_STATES, "replied", "withdrawn", "closed")

# What the resident reads (never the code): the stage, and what to do next.
STAGE_LABELS = {
    "received": "已受理，正在办理",
    "correction": "需要补正申请内容",
    "consulting": "正在征求第三方意见",
    "fee": "等待缴纳信息处理费",
    "replied": "已答复",
    "withdrawn": "已终止办理",
    "closed": "已办结",
}
NEXT_STEPS = {
    "received": "请等待答复，我们会在答复期限内按您选择的方式答复您。",
    "correction": "请按《补正申请告知书》的要求，在补正期限内补充或更正申请内容；逾期未补正的，视为放弃申请。",
    "consulting": "正在书面征求第三方意见，征求意见的时间不计入答复期限；请等待答复。",
    "fee": "请按《收费通知书》在期限内缴纳信息处理费；逾期未缴纳的，视为放弃申请。等待缴费的时间不计入答复期限。",
    "replied": "答复已作出，请按您选择的方式领取答复书；对答复有异议的，可依法申请行政复议或者提起行政诉讼。",
    "withdrawn": "本申请已终止办理。如仍需要该信息，可重新提出申请。",
    "closed": "本申请已办结归档。如对答复有异议，可依法申请行政复议或者提起行政诉讼。",
}

LAPSED_NEXT_STEP = "如仍需要该信息，可以重新提出申请。"

# Reply types (答复类型): code -> (label, article, what it needs besides the date)
REPLY_TYPES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "already_public": ("已主动公开，告知获取方式", "第三十六条第（一）项", ("detail",)),
    "disclosed": ("予以公开", "第三十六条第（二）项", ()),
    "partly_disclosed": ("部分公开", "第三十七条", ("reason",)),
    "withheld": ("不予公开", "第三十六条第（三）项", ("reason",)),
    "not_exist": ("经检索，该政府信息不存在", "第三十六条第（四）项", ()),
    "not_ours": ("不属于本机关负责公开", "第三十六条第（五）项", ("agency",)),
    "repeated": ("重复申请，不予重复处理", "第三十六条第（六）项", ()),
    "special_law": ("依照有关法律、行政法规的规定办理", "第三十六条第（七）项", ("reason",)),
    "not_application": ("不作为政府信息公开申请处理", "第三十九条", ("reason",)),
}
_FIELD_NAMES = {"reason": "理由", "agency": "负责公开的行政机关名称（及联系方式）", "detail": "获取方式、途径"}

ACTION_LABELS = {
    "receive": "受理",
    "ask_correction": "告知补正",
    "correction_received": "收到补正",
    "correction_lapsed": "逾期未补正，视为放弃申请",
    "start_consultation": "征求第三方意见",
    "end_consultation": "收到第三方意见",
    "extend": "延长答复期限",
    "reply": "答复",
    "withdraw": "申请人撤回申请",
    "close": "办结归档",
    "recount": "重新计算答复期限",
}


def china_today(now: dt.datetime | None = None) -> dt.date:
    """The date in China at ``now`` (default: this instant): the server's clock."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()


Today = Callable[[], dt.date]
"""A clock giving today's date in China: :func:`china_today` on a server, a fixed day in a test."""


def _cn(d: dt.date | None) -> str:
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


def working_days_between(after: dt.date, until: dt.date, calendar: WorkCalendar) -> int:
    """Working days in (after, until]; negative when ``until`` is before ``after``."""
    if until < after:
        return -working_days_between(until, after, calendar)
    n, d = 0, after
    while d < until:
        d += dt.timedelta(days=1)
        n += calendar.is_workday(d)
    return n


def _recount(case: Case, calendar: WorkCalendar) -> None:
    """Set the reply deadline from the clock, the extension and the paused days (None while paused)."""
    if case.state in ("correction", "consulting", "fee"):
        case.due = None
        return
    total = REPLY_WORKING_DAYS + case.extension_days + case.paused_days
    since = "收到补正之日" if case.correction_received_on else "受理"
    lead = f"自{since}次日（{_cn(case.clock_from + dt.timedelta(days=1))}）"
    d = count_working_days(case.clock_from, total, calendar, lead=lead)
    notes = []
    if case.extension_days:
        notes.append(f"含经批准延长的{case.extension_days}个工作日")
    if case.paused_days:
        notes.append(f"另加征求意见所用{case.paused_days}个工作日（不计入答复期限）")
    explanation = d.explanation
    if notes:
        explanation = explanation.replace(f"起计{total}个工作日", f"起计{total}个工作日（{'，'.join(notes)}）", 1)
    case.due, case.due_source, case.due_explanation = d.due, d.source, explanation
    case.due_provisional = bool(d.provisional_years)
    if case.delayed_to is not None and case.delayed_to > d.due:  # Art. 35: a reasonable later date, told
        case.due = case.delayed_to
        case.due_explanation = f"依《政府信息公开条例》第三十五条确定的延迟答复期限（原期限：{_cn(d.due)}）"


def _log(  # noqa: PLR0917 - every step logs the same seven facts
    session: Session, case: Case, action: str, actor: str, on: dt.date, frm: str, reason: str, **data: Any
) -> CaseEvent:
    ev = CaseEvent(
        tracking_no=case.tracking_no,
        on=on,
        actor=actor,
        action=action,
        from_state=frm,
        to_state=case.state,
        reason=reason,
        data=json.dumps(
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}, ensure_ascii=False
        ),
    )
    session.add(ev)
    session.flush()
    log.info("case %s: %s by %s (%s -> %s)", case.tracking_no, action, actor, frm, case.state)
    return ev


def log_event(  # noqa: PLR0917 - the log's facts
    session: Session, case: Case, action: str, actor: str, on: dt.date, reason: str, **data: Any
) -> CaseEvent:
    """Append an entry that does not move the case (a notice issued or withdrawn, an assignment…)."""
    return _log(session, case, action, actor, on, case.state, reason, **data)


def log_step(session: Session, case: Case, action: str, step: Step, frm: str, **data: Any) -> CaseEvent:
    """Append the entry of a step taken by ``step``'s actor (the case already moved to its new stage)."""
    return _log(session, case, action, step.actor, step.on, frm, step.reason, **data)


def log_system(  # noqa: PLR0917 - the log's facts
    session: Session, case: Case, action: str, on: dt.date, frm: str, reason: str, **data: Any
) -> CaseEvent:
    """Append a step the server took by itself (:data:`SYSTEM_ACTOR`)."""
    return _log(session, case, action, SYSTEM_ACTOR, on, frm, reason, **data)


def check_step(session: Session, case: Case, step: Step, allowed: tuple[str, ...], action: str) -> None:
    """Refuse ``step`` unless the law allows ``action`` from the case's stage now (see :func:`_check_common`)."""
    _check_common(session, case, step, allowed, action)


def recount(case: Case, calendar: WorkCalendar) -> None:
    """Recount the reply deadline (None while the clock is stopped)."""
    _recount(case, calendar)


def cn_date(d: dt.date | None) -> str:
    """A date as the notices write it: 2026年12月8日."""
    return _cn(d)


def last_on(session: Session, case: Case) -> dt.date:
    """The day of the case's latest log entry (or its receipt)."""
    return _last_on(session, case)


def intake(
    session: Session,
    *,
    tracking_no: str,
    zone: str,
    received_on: dt.date,
    actor: str,
    printed_deadline: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    channel: str = "terminal",
    reason: str = "",
) -> Case:
    """Open the case of an application received on ``received_on`` (Art. 31) in the caller's transaction;
    ``channel`` is how it came (``register.CHANNELS``), ``reason`` what the log says about its receipt."""
    calendar = calendar or work_calendar(session)
    case = Case(
        tracking_no=tracking_no,
        zone=zone,
        state="received",
        channel=channel,
        received_on=received_on,
        clock_from=received_on,
        paused_days=0,
        extension_days=0,
        printed_deadline=printed_deadline,
    )
    _recount(case, calendar)
    session.add(case)
    _log(session, case, "receive", actor, received_on, "", reason, due=case.due, printed_deadline=printed_deadline)
    return case


@dataclass
class Step:
    """One step's request: who, the day it happened, why, and its fields; ``today`` (from the caller's
    clock) is the latest day it may be dated."""

    actor: str
    on: dt.date
    reason: str = ""
    fields: dict[str, Any] | None = None
    today: dt.date = field(default_factory=china_today)

    def field(self, name: str) -> str:
        return str((self.fields or {}).get(name) or "").strip()


def get_case(session: Session, tracking_no: str) -> Case:
    case = session.get(Case, tracking_no.strip().upper())
    if case is None:
        raise StepRefused(f"没有受理编号为 {tracking_no} 的申请")
    return case


def events(session: Session, tracking_no: str) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.tracking_no == tracking_no).order_by(CaseEvent.id)))


def _check_common(
    session: Session, case: Case, step: Step, allowed: tuple[str, ...], action: str, *, after_system: bool = True
) -> None:
    """Refuse a step without an actor, from a stage that does not allow it, dated before the case's last
    step (``after_system=False``: its last step by a person) or after today."""
    if not step.actor.strip():
        raise StepRefused("请注明经办人")
    if case.state not in allowed:
        raise StepRefused(
            f"{case.tracking_no} 当前为“{STAGE_LABELS[case.state]}”，不能{ACTION_LABELS[action]}"
            f"（仅在{'、'.join('“' + STAGE_LABELS[s] + '”' for s in allowed)}时可以）"
        )
    q = select(CaseEvent.on).where(CaseEvent.tracking_no == case.tracking_no)
    if not after_system:
        q = q.where(CaseEvent.actor != SYSTEM_ACTOR)
    last = session.scalar(q.order_by(CaseEvent.id.desc()).limit(1))
    if last is not None and step.on < last:
        raise StepRefused(f"日期 {step.on} 早于上一步（{last}）")
    if step.on > step.today:
        raise StepRefused(f"日期 {step.on} 还没有到")


def ask_correction(
    session: Session, tracking_no: str, step: Step, *, within_days: int = DEFAULT_CORRECTION_DAYS
) -> Case:
    """告知补正 (Art. 30): once, within 7 working days of receipt, naming what to correct and by when."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("received",), "ask_correction")
    cal = work_calendar(session)
    if case.correction_asked_on is not None:
        raise StepRefused("补正应当一次性告知：本申请已告知过补正")
    limit = count_working_days(case.received_on, CORRECTION_NOTICE_DAYS, cal, lead="").due
    if step.on > limit:
        raise StepRefused(f"补正应自收到申请之日起7个工作日内告知（至 {limit}），{step.on} 已超过")
    items = step.field("items") or step.reason
    if not items:
        raise StepRefused("请写明需要补正的事项")
    if not 1 <= within_days <= 60:
        raise StepRefused("补正期限应为 1 至 60 个工作日")
    frm = case.state
    case.state = "correction"
    case.correction_asked_on = step.on
    case.correction_due = count_working_days(step.on, within_days, cal, lead="").due
    _recount(case, cal)
    _log(
        session,
        case,
        "ask_correction",
        step.actor,
        step.on,
        frm,
        step.reason,
        items=items,
        within_days=within_days,
        correction_due=case.correction_due,
    )
    return case


def correction_received(session: Session, tracking_no: str, step: Step) -> Case:
    """收到补正: the 20 working days start again from this day (Art. 30). The field ``request`` is the
    description of the information asked for as corrected (the 答复书 quotes it).

    A correction that arrived within the period but is recorded after the server deemed the application
    abandoned (:func:`lapse_corrections`) reopens it: the lapse stays in the log, followed by this step.
    """
    case = get_case(session, tracking_no)
    if lapsed_automatically(session, case) and case.state == "withdrawn":
        assert case.correction_due is not None
        if step.on > case.correction_due:
            raise StepRefused(
                f"补正期限至 {case.correction_due}，{step.on} 收到的补正已逾期："
                "本申请已视为放弃申请，请告知申请人重新申请"
            )
        _check_common(session, case, step, ("withdrawn",), "correction_received", after_system=False)
    else:
        _check_common(session, case, step, ("correction",), "correction_received")
    frm = case.state
    case.state = "received"
    case.correction_received_on = case.clock_from = step.on
    _recount(case, work_calendar(session))
    corrected = step.field("request")
    _log(session, case, "correction_received", step.actor, step.on, frm, step.reason, due=case.due, request=corrected)
    return case


def correction_lapsed(session: Session, tracking_no: str, step: Step) -> Case:
    """逾期未补正: deemed withdrawn (视为放弃申请, Art. 30) — only once the correction period has passed."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("correction",), "correction_lapsed")
    assert case.correction_due is not None
    if step.on <= case.correction_due:
        raise StepRefused(f"补正期限至 {case.correction_due}，期限届满前不能认定视为放弃申请")
    frm = case.state
    case.state = "withdrawn"
    _log(session, case, "correction_lapsed", step.actor, step.on, frm, step.reason or "逾期未补正")
    return case


LAPSE_HOOKS: list[Callable[[Session, dt.date, str | None], list[str]]] = []
"""Other periods whose end makes an application deemed abandoned (an unpaid 信息处理费: ``fees.py``); run by
:func:`lapse_corrections` with the same arguments, so every reader lapses them too."""


def lapse_corrections(session: Session, today: dt.date, tracking_no: str | None = None) -> list[str]:
    """Art. 30: an applicant who has not corrected the application by the end of the correction period is
    deemed to have abandoned it (视为放弃申请). Every case (or only ``tracking_no``) still waiting for a
    correction whose period ended before ``today`` becomes withdrawn, with a ``correction_lapsed`` step
    by :data:`SYSTEM_ACTOR` dated the day after the period, in the caller's transaction.

    The server runs this whenever a case is read or stepped (console, command line, the terminal's
    lookup, the public status page), so a case never shows as waiting once its period has run out. Each
    case moves by one conditional UPDATE: two workers reading at once log the lapse once. Returns the
    tracking numbers that lapsed now.
    """
    lapsed: list[str] = []
    for hook in LAPSE_HOOKS:
        lapsed += hook(session, today, tracking_no)
    q = select(Case.tracking_no, Case.correction_due).where(Case.state == "correction", Case.correction_due < today)
    if tracking_no is not None:
        q = q.where(Case.tracking_no == tracking_no)
    for no, period_end in session.execute(q.order_by(Case.tracking_no)).all():
        moved = session.execute(
            update(Case)
            .where(Case.tracking_no == no, Case.state == "correction")
            .values(state="withdrawn", due=None)
            .execution_options(synchronize_session="fetch")
        )
        if getattr(moved, "rowcount", 0) != 1:
            continue  # another worker took it
        case = session.get(Case, no)
        assert case is not None
        assert period_end is not None
        on = max(period_end + dt.timedelta(days=1), _last_on(session, case))
        reason = f"补正期限（{_cn(period_end)}）届满，申请人未补正，依《政府信息公开条例》第三十条视为放弃申请"
        _log(session, case, "correction_lapsed", SYSTEM_ACTOR, on, "correction", reason, correction_due=period_end)
        lapsed.append(no)
    return lapsed


def start_consultation(session: Session, tracking_no: str, step: Step) -> Case:
    """征求第三方（或其他机关）意见 (Art. 32, 34): the clock stops from the day after the letter."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("received",), "start_consultation")
    party = step.field("party")
    if not party:
        raise StepRefused("请写明征求意见的对象（第三方或机关）")
    if case.due is not None and step.on > case.due:
        raise StepRefused(f"答复期限（{case.due}）已过，不能再征求意见")
    frm = case.state
    case.state = "consulting"
    case.consult_since = step.on
    _recount(case, work_calendar(session))
    _log(session, case, "start_consultation", step.actor, step.on, frm, step.reason, party=party)
    return case


def end_consultation(session: Session, tracking_no: str, step: Step) -> Case:
    """收到意见 (or the 15 working days passed): the working days it took are added to the deadline."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("consulting",), "end_consultation")
    assert case.consult_since is not None
    cal = work_calendar(session)
    took = working_days_between(case.consult_since, step.on, cal)
    frm = case.state
    case.state = "received"
    case.paused_days += took
    case.consult_since = None
    _recount(case, cal)
    _log(session, case, "end_consultation", step.actor, step.on, frm, step.reason, working_days=took, due=case.due)
    return case


def extend(session: Session, tracking_no: str, step: Step, *, days: int = MAX_EXTENSION_DAYS) -> Case:
    """延长答复期限 (Art. 33 ¶2): once, at most 20 working days, approved by the head of the office, before
    the deadline; the applicant is told (延期答复告知书)."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("received",), "extend")
    approver = step.field("approver")
    if not approver:
        raise StepRefused("延长答复期限应经政府信息公开工作机构负责人同意：请写明批准人")
    if not step.reason.strip():
        raise StepRefused("请写明延长答复期限的理由")
    if case.extension_days:
        raise StepRefused(f"答复期限已延长过（{case.extension_days}个工作日）")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise StepRefused("延长的期限最长不得超过20个工作日")
    assert case.due is not None
    if step.on > case.due:
        raise StepRefused(f"答复期限（{case.due}）已过，不能再延长")
    old = case.due
    case.extension_days = days
    case.extended_on = step.on
    _recount(case, work_calendar(session))
    _log(
        session,
        case,
        "extend",
        step.actor,
        step.on,
        case.state,
        step.reason,
        approver=approver,
        days=days,
        previous_due=old,
        due=case.due,
    )
    return case


REPLY_CHECKS: list[Callable[[Session, Case, str, Step], None]] = []
"""Run by :func:`reply` once the reply itself is valid, before anything changes: each may refuse or
complete ``step.fields`` (the annual report's applicant class and result row: ``annual_report.py``)."""


def reply(session: Session, tracking_no: str, step: Step, *, reply_type: str) -> Case:
    """答复 with one of the reply types of Art. 36/37/39 and what that type must say."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("received",), "reply")
    if reply_type not in REPLY_TYPES:
        raise StepRefused(f"答复类型应为：{'、'.join(f'{k}（{v[0]}）' for k, v in REPLY_TYPES.items())}")
    label, _article, needs = REPLY_TYPES[reply_type]
    given = {"reason": step.reason.strip(), "agency": step.field("agency"), "detail": step.field("detail")}
    missing = [_FIELD_NAMES[n] for n in needs if not given[n]]
    if missing:
        raise StepRefused(f"“{label}”的答复须写明：{'、'.join(missing)}")
    for check in REPLY_CHECKS:
        check(session, case, reply_type, step)
    frm = case.state
    case.state = "replied"
    case.reply_type = reply_type
    case.replied_on = step.on
    case.applicant_class = step.field("applicant_class") or None  # checked by annual_report.classify
    case.report_row = step.field("report_row") or None
    on_time = case.due is None or step.on <= case.due
    _log(
        session,
        case,
        "reply",
        step.actor,
        step.on,
        frm,
        step.reason,
        reply_type=reply_type,
        agency=given["agency"],
        detail=given["detail"],
        on_time=on_time,
        due=case.due,
        applicant_class=case.applicant_class or "",
        report_row=case.report_row or "",
    )
    return case


def withdraw(session: Session, tracking_no: str, step: Step) -> Case:
    """The applicant withdraws the application (申请人撤回)."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, OPEN_STATES, "withdraw")
    frm = case.state
    case.state = "withdrawn"
    case.due = None
    _log(session, case, "withdraw", step.actor, step.on, frm, step.reason)
    return case


def close(session: Session, tracking_no: str, step: Step) -> Case:
    """办结归档 (Art. 45): after the reply was delivered, or a withdrawn application."""
    case = get_case(session, tracking_no)
    _check_common(session, case, step, ("replied", "withdrawn"), "close")
    frm = case.state
    case.state = "closed"
    case.closed_on = step.on
    _log(session, case, "close", step.actor, step.on, frm, step.reason)
    return case


STEPS: dict[str, Callable[..., Case]] = {
    "ask_correction": ask_correction,
    "correction_received": correction_received,
    "correction_lapsed": correction_lapsed,
    "start_consultation": start_consultation,
    "end_consultation": end_consultation,
    "extend": extend,
    "reply": reply,
    "withdraw": withdraw,
    "close": close,
}


def recompute_open(session: Session, *, actor: str, reason: str, today: dt.date) -> list[tuple[str, str, str]]:
    """Recount every open case's deadlines on the current calendar (after an arrangement is published).

    Returns (tracking no, old due, new due) of each case whose date moved; each move is logged, dated
    ``today`` (or the case's last step, if later).
    """
    cal = work_calendar(session)
    on = today
    moved: list[tuple[str, str, str]] = []
    for case in session.scalars(select(Case).where(Case.state.in_(OPEN_STATES)).order_by(Case.tracking_no)):
        old_due, old_corr, old_prov = case.due, case.correction_due, case.due_provisional
        _recount(case, cal)
        if case.state == "correction" and case.correction_asked_on is not None:
            within = json.loads(
                session.scalar(
                    select(CaseEvent.data)
                    .where(CaseEvent.tracking_no == case.tracking_no, CaseEvent.action == "ask_correction")
                    .order_by(CaseEvent.id.desc())
                    .limit(1)
                )
                or "{}"
            ).get("within_days", DEFAULT_CORRECTION_DAYS)
            case.correction_due = count_working_days(case.correction_asked_on, int(within), cal, lead="").due
        if (case.due, case.correction_due, case.due_provisional) != (old_due, old_corr, old_prov):
            moved.append((case.tracking_no, str(old_due or old_corr or ""), str(case.due or case.correction_due or "")))
            _log(
                session,
                case,
                "recount",
                actor,
                max(on, _last_on(session, case)),
                case.state,
                reason,
                previous_due=old_due,
                due=case.due,
                previous_correction_due=old_corr,
                correction_due=case.correction_due,
            )
    return moved


def _last_on(session: Session, case: Case) -> dt.date:
    last = session.scalar(
        select(CaseEvent.on).where(CaseEvent.tracking_no == case.tracking_no).order_by(CaseEvent.id.desc()).limit(1)
    )
    return last or case.received_on


def lapsed_automatically(session: Session, case: Case) -> bool:
    """Whether the case was deemed abandoned by the server itself for a correction not made in time (not by
    a person's step; an unpaid fee cannot be reopened)."""
    lapse = lapse_event(session, case)
    return lapse is not None and lapse.actor == SYSTEM_ACTOR and lapse.action == "correction_lapsed"


def lapse_event(session: Session, case: Case) -> CaseEvent | None:
    """The step that deemed the application abandoned, if that is how it was withdrawn."""
    if case.state not in ("withdrawn", "closed"):
        return None
    ended = [
        e for e in events(session, case.tracking_no) if e.action in ("correction_lapsed", "fee_lapsed", "withdraw")
    ]
    return ended[-1] if ended and ended[-1].action in ("correction_lapsed", "fee_lapsed") else None
