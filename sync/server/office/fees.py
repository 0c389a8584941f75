"""Requests beyond a reasonable number (Art. 35) and the 信息处理费 (Art. 42 and the State Council's
《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号, "the Measures" below).

Art. 35: when the number or frequency of requests clearly exceeds a reasonable range, the office may ask
the applicant to state the reasons (``ask_reasons``, 要求说明理由通知书); if the reasons are not
reasonable it tells the applicant the request is not processed (reply type ``excessive``); if they are
but it cannot answer within Art. 33's period it fixes a reasonable later date and tells the applicant
(``delay``, 延迟答复告知书).

Art. 42: information is provided free, but where the number or frequency clearly exceeds a reasonable
range a 信息处理费 may be charged. The Measures, as written:

- 第三条: 按件计收 or 按量计收, each by 超额累进 (excess-progressive) amounts; for each application the office
  chooses ONE of them, never both.
- 第四条 (按件): applies to every kind of decision; an application with several items may be counted by
  "一事一申请" at the smallest reasonable unit. Per applicant per natural month, cumulatively:
  (一) 10 件 or fewer (含10件): free; (二) the part from 11 to 30 件 (含30件): 100 元/件;
  (三) the part from 31 件: in bands of 10 件, each further band 100 元/件 more (31–40: 200, 41–50: 300 …).
- 第五条 (按量): applies where the applicant asked for paper copies, e-mail or copied electronic data.
  Per application: (一) 30 页 or fewer (含30页): free; (二) 31–100 页 (含100页): 10 元/页;
  (三) 101–200 页 (含200页): 20 元/页; (四) from 201 页: 40 元/页.
- The 收费通知 (issued within the reply period, through the channel the applicant chose, stating the basis,
  the rate, the amount and how to pay); the applicant pays within 20 working days from the day after
  receiving it, otherwise the application is deemed abandoned (视为放弃申请) and no longer processed.
  (Checked against the restatement of the Measures by 四川省财政厅、发展改革委《关于政府信息公开信息处理费
  有关事项的通知》, 2021-01-18, item 二; the copies of the Measures the search found were cut after 第五条.)
- The days from the notice to the payment are not counted in the reply period, as consultation days
  are not (Art. 33 ¶3): while a case waits for payment its clock stops (state ``fee``), and the working
  days it waited are added to the deadline when it is paid.

The applicant (for 按件's monthly count) is the same identity document (type and number) in the
applications the office received that month, from every channel.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.workdays import count_working_days
from sync.server.errors import StepRefused
from sync.server.feed.calendar import work_calendar
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case
from sync.server.office.notices import application_of

FEE_PAY_DAYS = 20  # working days from the day after the applicant received the 收费通知
METHODS = {"per_request": "按件计收", "per_page": "按量计收"}
# 第五条: 按量计收 only where the applicant asked for paper, e-mail or copied electronic data
PER_PAGE_MEDIA = {"paper", "email", "disc"}


def per_request_rate(k: int) -> int:
    """The Measures 第四条: the rate (元/件) of the k-th request of an applicant in a natural month."""
    if k <= 10:  # (一) 10件以下（含10件）的，不收费
        return 0
    if k <= 30:  # (二) 11—30件（含30件）的部分：100元/件
        return 100
    return 100 + 100 * ((k - 31) // 10 + 1)  # (三) 31件以上的部分：以10件为一档，每增加一档提高100元/件


def per_page_rate(p: int) -> int:
    """The Measures 第五条: the rate (元/页) of the p-th page of an application."""
    if p <= 30:  # (一) 30页以下（含30页）的，不收费
        return 0
    if p <= 100:  # (二) 31—100页（含100页）的部分：10元/页
        return 10
    if p <= 200:  # (三) 101—200页（含200页）的部分：20元/页
        return 20
    return 40  # (四) 201页以上的部分：40元/页


@dataclass(frozen=True)
class Fee:
    method: str
    first: int  # the first unit charged for (k-th request of the month, or page number)
    count: int  # units of this application
    amount: int  # yuan
    bands: list[tuple[int, int, int]]  # (from, to, rate): the progressive parts, for the notice


def compute(method: str, first: int, count: int) -> Fee:
    """The amount for units ``first`` … ``first + count - 1`` at the Measures' excess-progressive rates."""
    rate = per_request_rate if method == "per_request" else per_page_rate
    bands: list[tuple[int, int, int]] = []
    for unit in range(first, first + count):
        r = rate(unit)
        if bands and bands[-1][2] == r and bands[-1][1] == unit - 1:
            bands[-1] = (bands[-1][0], unit, r)
        else:
            bands.append((unit, unit, r))
    return Fee(method, first, count, sum((b - a + 1) * r for a, b, r in bands), bands)


def _identity(app: dict[str, Any]) -> tuple[str, str]:
    a = app.get("applicant") or {}
    return str(a.get("id_type") or ""), str(a.get("id_number") or "").strip().upper()


def requests_before(session: Session, case: Case) -> int:
    """The 件 the same applicant asked for earlier in the same natural month (第四条), this case excluded:
    each earlier application counts as 1, or as the 件数 its own fee notice counted."""
    who = _identity(application_of(session, case.tracking_no))
    start = case.received_on.replace(day=1)
    q = select(Case).where(Case.received_on >= start, Case.received_on <= case.received_on)
    n = 0
    for other in session.scalars(q):
        if other.tracking_no == case.tracking_no or _identity(application_of(session, other.tracking_no)) != who:
            continue
        if other.received_on == case.received_on and other.tracking_no > case.tracking_no:
            continue  # later the same day
        ev = _fee_event(session, other.tracking_no)
        n += (
            int(json.loads(ev.data).get("count", 1)) if ev and json.loads(ev.data).get("method") == "per_request" else 1
        )
    return n


def _fee_event(session: Session, tracking_no: str) -> Any:
    return next((e for e in reversed(lc.events(session, tracking_no)) if e.action == "fee_notice"), None)


def fee_notice(session: Session, tracking_no: str, step: lc.Step, *, method: str = "", count: int = 0) -> Case:
    """收费通知: charge this application by ``method`` (per_request: ``count`` 件 of it; per_page: ``count``
    pages); the clock stops until it is paid. Refused when the Measures charge nothing."""
    case = lc.get_case(session, tracking_no)
    lc.check_step(session, case, step, ("received",), "fee_notice")
    if method not in METHODS:
        raise StepRefused("请选择按件计收或按量计收（《政府信息公开信息处理费管理办法》第三条：只能选择其中一种）")
    if not 1 <= count <= 100000:
        raise StepRefused("请填写件数或页数（正整数）")
    if case.fee_notice_on is not None:
        raise StepRefused(f"本申请已于 {case.fee_notice_on} 发出收费通知")
    if method == "per_page":
        media = set(application_of(session, tracking_no).get("media") or [])
        if not media & PER_PAGE_MEDIA:
            raise StepRefused("按量计收仅适用于申请人要求提供纸质件、发送电子邮件、复制电子数据的情形（第五条）")
    if not step.reason.strip():
        raise StepRefused("请写明申请数量、频次明显超过合理范围的情况（条例第四十二条）")
    assert case.due is not None
    if step.on > case.due:
        raise StepRefused(f"收费通知应在答复期限（{case.due}）内发出")
    first = requests_before(session, case) + 1 if method == "per_request" else 1
    fee = compute(method, first, count)
    if fee.amount == 0:
        raise StepRefused(f"按{METHODS[method]}标准，本申请不收费（{_free_note(method)}）")
    cal = work_calendar(session)
    served = dt.date.fromisoformat(step.field("served_on")) if step.field("served_on") else step.on
    frm = case.state
    case.state = "fee"
    case.fee_amount, case.fee_notice_on = fee.amount, step.on
    case.fee_due = count_working_days(served, FEE_PAY_DAYS, cal, lead="").due
    lc.recount(case, cal)
    lc.log_step(
        session,
        case,
        "fee_notice",
        step,
        frm,
        method=method,
        count=count,
        first=first,
        amount=fee.amount,
        bands=fee.bands,
        served_on=served,
        fee_due=case.fee_due,
        pay_how=step.field("pay_how"),
    )
    return case


def _free_note(method: str) -> str:
    return (
        "同一申请人一个自然月内累计10件以下（含10件）的不收费"
        if method == "per_request"
        else "30页以下（含30页）的不收费"
    )


def fee_paid(session: Session, tracking_no: str, step: lc.Step) -> Case:
    """缴费: the clock runs again; the working days it waited are added to the deadline."""
    case = lc.get_case(session, tracking_no)
    lc.check_step(session, case, step, ("fee",), "fee_paid")
    assert case.fee_notice_on is not None
    assert case.fee_due is not None
    if step.on > case.fee_due:
        raise StepRefused(f"缴费期限至 {case.fee_due}，{step.on} 已逾期：本申请视为放弃")
    cal = work_calendar(session)
    took = lc.working_days_between(case.fee_notice_on, step.on, cal)
    frm = case.state
    case.state, case.fee_paid_on = "received", step.on
    case.paused_days += took
    lc.recount(case, cal)
    lc.log_step(session, case, "fee_paid", step, frm, amount=case.fee_amount, working_days=took, due=case.due)
    return case


def lapse_fees(session: Session, today: dt.date, tracking_no: str | None = None) -> list[str]:
    """An application whose fee was not paid by the end of the 20 working days is deemed abandoned:
    withdrawn by :data:`lifecycle.SYSTEM_ACTOR`, dated the day after the period (one conditional UPDATE)."""
    q = select(Case.tracking_no, Case.fee_due).where(Case.state == "fee", Case.fee_due < today)
    if tracking_no is not None:
        q = q.where(Case.tracking_no == tracking_no)
    out = []
    for no, period_end in session.execute(q.order_by(Case.tracking_no)).all():
        moved = session.execute(
            update(Case)
            .where(Case.tracking_no == no, Case.state == "fee")
            .values(state="withdrawn", due=None)
            .execution_options(synchronize_session="fetch")
        )
        if getattr(moved, "rowcount", 0) != 1:
            continue
        case = session.get(Case, no)
        assert case is not None
        assert period_end is not None
        on = max(period_end + dt.timedelta(days=1), lc.last_on(session, case))
        reason = f"缴费期限（{lc.cn_date(period_end)}）届满，申请人未缴纳信息处理费，视为放弃申请"
        lc.log_system(session, case, "fee_lapsed", on, "fee", reason, fee_due=period_end)
        out.append(no)
    return out


def ask_reasons(session: Session, tracking_no: str, step: lc.Step) -> Case:
    """Art. 35: ask the applicant to state the reasons for requests clearly beyond a reasonable range."""
    case = lc.get_case(session, tracking_no)
    lc.check_step(session, case, step, ("received",), "ask_reasons")
    if not step.reason.strip():
        raise StepRefused("请写明申请数量、频次明显超过合理范围的情况")
    within = step.field("within")
    if within:
        try:
            dt.date.fromisoformat(within)
        except ValueError:
            raise StepRefused("说明理由的期限应为日期（年-月-日）") from None
    lc.log_step(session, case, "ask_reasons", step, case.state, within=within)
    return case


def delay(session: Session, tracking_no: str, step: lc.Step) -> Case:
    """Art. 35: the reasons are reasonable but the reply cannot be made in time: a reasonable later date."""
    case = lc.get_case(session, tracking_no)
    lc.check_step(session, case, step, ("received",), "delay")
    try:
        to = dt.date.fromisoformat(step.field("delay_to"))
    except ValueError:
        raise StepRefused("请填写延迟答复的日期（年-月-日）") from None
    if not step.reason.strip():
        raise StepRefused("请写明无法在规定期限内答复的理由")
    assert case.due is not None
    if to <= case.due:
        raise StepRefused(f"延迟答复的日期应晚于现答复期限（{case.due}）")
    old = case.due
    case.delayed_to = to
    lc.recount(case, work_calendar(session))
    lc.log_step(session, case, "delay", step, case.state, previous_due=old, due=case.due)
    return case


lc.ACTION_LABELS.update(
    {
        "fee_notice": "发出收费通知",
        "fee_paid": "申请人缴纳信息处理费",
        "fee_lapsed": "逾期未缴费，视为放弃申请",
        "ask_reasons": "要求说明理由（第三十五条）",
        "delay": "确定延迟答复期限（第三十五条）",
    }
)
lc.REPLY_TYPES["excessive"] = ("申请数量、频次明显超过合理范围，不予处理", "第三十五条", ("reason",))
STEP_NAMES = ("fee_notice", "fee_paid", "ask_reasons", "delay")
lc.STEPS.update({"fee_notice": fee_notice, "fee_paid": fee_paid, "ask_reasons": ask_reasons, "delay": delay})
lc.LAPSE_HOOKS.append(lapse_fees)
