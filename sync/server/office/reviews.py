"""行政复议 and 行政诉讼 recorded against a case after its reply (Art. 51), with their outcome, as the
annual report's table asks (国办公开办函〔2021〕30号: 行政复议; 行政诉讼 未经复议直接起诉 / 复议后起诉; each
结果维持 / 结果纠正 / 其他结果 / 尚未审结).

A record is made when the office learns of the 复议 or the suit (``file``) and completed when it is
decided (``decide``); both are logged in the case's append-only log. Routes: ``POST
/admin/office/cases/{no}/reviews`` and ``…/reviews/{id}/decide`` (office role); the case page shows them
(``case_detail.html``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import ServerBase, utcnow
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errors import OfficeError
from sync.server.office import lifecycle as lc

KINDS = {"review": "行政复议", "litigation": "行政诉讼"}
OUTCOMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}

lc.ACTION_LABELS.update({"review_filed": "记录复议、诉讼", "review_decided": "记录复议、诉讼结果"})


class CaseReview(ServerBase):
    """A 复议 or a suit about a case: the body or court, when filed, whether after a 复议, the outcome."""

    __tablename__ = "case_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # review | litigation
    after_review: Mapped[bool] = mapped_column(Boolean, default=False)  # a suit after a 复议
    body: Mapped[str] = mapped_column(String(60))  # 复议机关 or court
    filed_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def file(  # noqa: PLR0917 - the record's facts
    session: Session,
    tracking_no: str,
    kind: str,
    body: str,
    filed_on: dt.date,
    actor: str,
    *,
    after_review: bool = False,
    today: dt.date,
) -> CaseReview:
    """Record a 复议 or a suit about a replied (or closed) case."""
    case = lc.get_case(session, tracking_no)
    if case.replied_on is None:
        raise OfficeError("尚未答复的申请不能记录复议、诉讼（可对答复申请复议或起诉）")
    if kind not in KINDS:
        raise OfficeError("请选择行政复议或行政诉讼")
    if not body.strip() or len(body.strip()) > 60:
        raise OfficeError("请写明复议机关或法院（最长60个字）")
    if filed_on < case.replied_on or filed_on > today:
        raise OfficeError(f"申请复议、起诉的日期应在答复之日（{case.replied_on}）之后、今天之前")
    row = CaseReview(
        tracking_no=case.tracking_no,
        kind=kind,
        body=body.strip(),
        filed_on=filed_on,
        actor=actor,
        after_review=kind == "litigation" and after_review,
    )
    session.add(row)
    session.flush()
    lc.log_event(
        session,
        case,
        "review_filed",
        actor,
        max(filed_on, lc.last_on(session, case)),
        "",
        kind=KINDS[kind],
        body=row.body,
        after_review=row.after_review,
    )
    return row


def decide(  # noqa: PLR0917 - the decision's facts
    session: Session, review_id: int, outcome: str, decided_on: dt.date, actor: str, note: str = "", *, today: dt.date
) -> CaseReview:
    """Record the outcome of a 复议 or a suit."""
    row = session.get(CaseReview, review_id)
    if row is None:
        raise OfficeError("没有这条复议、诉讼记录")
    if outcome not in OUTCOMES or outcome == "pending":
        raise OfficeError("请选择结果：结果维持、结果纠正或其他结果")
    if decided_on < row.filed_on or decided_on > today:
        raise OfficeError("结果日期应在申请之后、今天之前")
    row.outcome, row.decided_on, row.note = outcome, decided_on, note.strip()
    case = lc.get_case(session, row.tracking_no)
    lc.log_event(
        session,
        case,
        "review_decided",
        actor,
        max(decided_on, lc.last_on(session, case)),
        note.strip(),
        kind=KINDS[row.kind],
        outcome=OUTCOMES[outcome],
    )
    return row


def of_case(session: Session, tracking_no: str) -> list[CaseReview]:
    return list(
        session.scalars(select(CaseReview).where(CaseReview.tracking_no == tracking_no).order_by(CaseReview.id))
    )


router = APIRouter()


def _back(no: str, error: str = "") -> Response:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(f"/admin/office/cases/{no.upper()}{suffix}", status_code=303)


@router.post("/admin/office/cases/{no}/reviews", summary="Office: record a 复议 or a suit about the reply")
def review_add(session: DB, who: OfficeAccount, ctx: Ctx, no: str, form: Form) -> Response:
    try:
        filed = dt.date.fromisoformat(str(form.get("filed_on") or ""))
        file(
            session,
            no.upper(),
            str(form.get("kind") or ""),
            str(form.get("body") or ""),
            filed,
            who.username,
            after_review=form.get("after_review") == "yes",
            today=ctx.settings.today(),
        )
        session.commit()
    except ValueError:
        return _back(no, "未记录：日期不对")
    except OfficeError as exc:
        return _back(no, f"未记录：{exc}")
    return _back(no)


@router.post("/admin/office/cases/{no}/reviews/{rid}/decide", summary="Office: record the outcome")
def review_decide(  # noqa: PLR0917 - FastAPI reads what the route needs from its signature
    session: DB, who: OfficeAccount, ctx: Ctx, no: str, rid: int, form: Form
) -> Response:
    try:
        on = dt.date.fromisoformat(str(form.get("decided_on") or ""))
        decide(
            session,
            rid,
            str(form.get("outcome") or ""),
            on,
            who.username,
            str(form.get("note") or ""),
            today=ctx.settings.today(),
        )
        session.commit()
    except ValueError:
        return _back(no, "未记录：日期不对")
    except OfficeError as exc:
        return _back(no, f"未记录：{exc}")
    return _back(no)
