"""What an application's state means to people: the resident's view of it (stage and next step in plain
Chinese, the key dates, the reply type — no personal data, no code) for the terminals' lookup, the public
status page and the case file, and the office's overdue report. Reads only; the steps that change a case
are :mod:`sync.server.office.lifecycle`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.workdays import count_working_days
from sync.server.feed.calendar import work_calendar
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseEvent


@dataclass(frozen=True)
class OverdueLine:
    tracking_no: str
    zone: str
    state: str
    due: dt.date
    working_days_left: int  # negative: overdue by that many working days
    what: str  # 答复 | 补正 | 缴费 | 第三方意见


def overdue_report(session: Session, today: dt.date, soon: int = lc.SOON_WORKING_DAYS) -> list[OverdueLine]:
    """Open cases whose reply is overdue or due within ``soon`` working days, lapsed corrections, and
    consultations whose 15 working days for the opinion (Art. 32) have run out or nearly; most overdue
    first."""
    cal = work_calendar(session)
    out: list[OverdueLine] = []
    for case in session.scalars(select(Case).where(Case.state.in_(lc.OPEN_STATES))):
        if case.state == "correction" and case.correction_due is not None:
            due, what = case.correction_due, "补正"
        elif case.state == "fee" and case.fee_due is not None:
            due, what = case.fee_due, "缴费"
        elif case.due is not None:
            due, what = case.due, "答复"
        elif case.state == "consulting" and case.consult_since is not None:
            lead = "征求意见次日"
            due, what = count_working_days(case.consult_since, lc.CONSULTATION_DAYS, cal, lead=lead).due, "第三方意见"
        else:
            continue
        left = lc.working_days_between(today, due, cal)
        if due < today or left <= soon:
            out.append(OverdueLine(case.tracking_no, case.zone, case.state, due, left, what))
    out.sort(key=lambda x: (x.due, x.tracking_no))
    return out


def public_status(case: Case, session: Session) -> dict[str, Any]:
    """What the resident may see: stage and next step in plain Chinese, the key dates, the reply type.

    No personal data and no internal code in any label.
    """
    dates: list[tuple[str, str]] = [("受理日期", case.received_on.isoformat())]
    if case.correction_asked_on:
        dates.append(("告知补正日期", case.correction_asked_on.isoformat()))
    lapse = lc.lapse_event(session, case)
    if (case.state == "correction" or lapse is not None) and case.correction_due:
        dates.append(("补正期限", case.correction_due.isoformat()))
    if lapse is not None:
        dates.append(("视为放弃申请日期", lapse.on.isoformat()))
    if case.correction_received_on:
        dates.append(("收到补正日期", case.correction_received_on.isoformat()))
    if case.extended_on:
        dates.append(("延长答复期限日期", case.extended_on.isoformat()))
    if case.due and case.state in ("received",):
        dates.append(("答复期限", case.due.isoformat()))
    if case.replied_on:
        dates.append(("答复日期", case.replied_on.isoformat()))
    if case.closed_on:
        dates.append(("办结日期", case.closed_on.isoformat()))
    stage = _stage(case, lapse)
    note = ""
    if case.state == "received" and case.due_provisional:
        note = "答复期限为暂定日期：" + case.due_explanation
    elif case.state == "received":
        note = case.due_explanation
    return {
        "tracking_no": case.tracking_no,
        "stage_label": stage,
        "dates": [{"label": k, "date": v} for k, v in dates],
        "deadline": case.due.isoformat() if case.due and case.state == "received" else None,
        "deadline_provisional": bool(case.due_provisional and case.state == "received"),
        "deadline_note": note,
        "reply_label": lc.REPLY_TYPES[case.reply_type][0] if case.reply_type else None,
        "next_step": _next_step(case, lapse),
    }


def _stage(case: Case, lapse: CaseEvent | None) -> str:
    if case.state == "received" and case.extension_days:
        return "已延长答复期限，正在办理"
    if case.state == "withdrawn" and lapse is not None:
        return "逾期未缴纳信息处理费，视为放弃申请" if lapse.action == "fee_lapsed" else "逾期未补正，视为放弃申请"
    if case.state == "withdrawn":
        return "申请人已撤回申请"
    return lc.STAGE_LABELS[case.state]


def _next_step(case: Case, lapse: CaseEvent | None) -> str:
    if lapse is not None and lapse.action == "fee_lapsed":
        return (
            f"缴费期限（{lc.cn_date(case.fee_due)}）届满时未缴纳信息处理费，视为您放弃了本次申请。{lc.LAPSED_NEXT_STEP}"
        )
    if lapse is None or case.correction_due is None:
        return lc.NEXT_STEPS[case.state]
    return (
        f"补正期限（{lc.cn_date(case.correction_due)}）届满时未收到您的补正，依照《中华人民共和国政府信息公开条例》"
        f"第三十条，视为您放弃了本次申请，本申请已终止办理。{lc.LAPSED_NEXT_STEP}"
    )
