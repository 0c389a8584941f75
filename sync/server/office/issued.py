"""Notices as issued: a step that the applicant must be told of in writing issues its notice at once —
rendered ONCE, numbered from the year's series (文号, ``{prefix}〔{year}〕第{n}号``), its bytes stored in
``issued_notices`` and its sha256 written to the case's append-only log. Every download returns those
bytes: a later ``agency set`` or settings change, a new attachment or a new font never alters a notice
that was issued.

A wrong notice is withdrawn (撤回, with a reason, logged) and reissued under a NEW number from the case as
it is now; both stay, the new one saying which number it replaces.

:func:`take_step` is how the console and the command line take a lifecycle step: the step and its
notice are one transaction, so a step whose notice cannot be issued (settings missing) is not taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.server.errors import StepRefused
from sync.server.office import annual_report, departments, fee_notices, fees, notices
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, IssuedNotice
from sync.server.office.settings import OfficeSettings, require

# the step that issues each notice
NOTICE_OF_STEP = {
    "ask_correction": "correction",
    "extend": "extension",
    "reply": "reply",
    "start_consultation": "consultation",
    "fee_notice": "fee",
    "ask_reasons": "reasons",
    "delay": "delay",
}

REGISTERED = (
    fees.STEP_NAMES,
    fee_notices.KINDS,
    annual_report.COLUMNS,
)  # importing them registers their steps and notices
lc.ACTION_LABELS.setdefault("issue_notice", "出具文书")
lc.ACTION_LABELS.setdefault("withdraw_notice", "撤回文书")


def format_number(prefix: str, year: int, seq: int) -> str:
    """A 文号 in the year's series: ``娄星政公开〔2026〕第7号``."""
    return f"{prefix}〔{year}〕第{seq}号"


def _next_seq(session: Session, year: int) -> int:
    """The next number of ``year``'s series (the caller's transaction; the (year, seq) unique constraint
    refuses a second writer that drew the same number, and its whole step rolls back)."""
    top = session.scalar(select(func.max(IssuedNotice.seq)).where(IssuedNotice.year == year))
    return int(top or 0) + 1


def issue(
    session: Session,
    case: Case,
    kind: str,
    *,
    actor: str,
    settings: OfficeSettings | None = None,
    replaces: IssuedNotice | None = None,
) -> IssuedNotice:
    """Render the notice ``kind`` of ``case`` now, number it and store its bytes; log the issue."""
    settings = settings or require(session)
    _title, _body, on = notices.paragraphs(session, case, kind, settings)
    seq = _next_seq(session, on.year)
    number = format_number(settings.number_prefix, on.year, seq)
    pdf = notices.build_notice_pdf(
        session, case, kind, number=number, settings=settings, replaces=replaces.number if replaces else ""
    )
    digest = hashlib.sha256(pdf).hexdigest()
    row = IssuedNotice(
        tracking_no=case.tracking_no,
        kind=kind,
        year=on.year,
        seq=seq,
        number=number,
        issued_on=on,
        actor=actor,
        sha256=digest,
        pdf=pdf,
        replaces=replaces.id if replaces else None,
    )
    session.add(row)
    session.flush()
    lc.log_event(
        session,
        case,
        "issue_notice",
        actor,
        max(on, lc.last_on(session, case)),
        "",
        notice=notices.KINDS[kind],
        number=number,
        sha256=digest,
        replaces=replaces.number if replaces else "",
    )
    return row


def take_step(session: Session, name: str, tracking_no: str, step: lc.Step, **kw: Any) -> Case:
    """Take the lifecycle step ``name`` and issue the notice it calls for, in the caller's transaction."""
    if name not in lc.STEPS:
        raise StepRefused(f"没有这个步骤：{name}")
    settings = require(session) if name in NOTICE_OF_STEP else None
    if name == "reply":
        held = lc.get_case(session, tracking_no)
        if held.state == "received":
            departments.approve_on_reply(session, held, step.actor, step.on)
    case = lc.STEPS[name](session, tracking_no, step, **kw)
    if name in NOTICE_OF_STEP:
        issue(session, case, NOTICE_OF_STEP[name], actor=step.actor, settings=settings)
    return case


def of_case(session: Session, tracking_no: str) -> list[IssuedNotice]:
    """Every notice issued for the case, withdrawn ones too, in the order issued."""
    q = select(IssuedNotice).where(IssuedNotice.tracking_no == tracking_no).order_by(IssuedNotice.id)
    return list(session.scalars(q))


def current(session: Session, tracking_no: str, kind: str) -> IssuedNotice | None:
    """The case's notice of ``kind`` in force (the latest not withdrawn)."""
    q = (
        select(IssuedNotice)
        .where(
            IssuedNotice.tracking_no == tracking_no,
            IssuedNotice.kind == kind,
            IssuedNotice.withdrawn_on.is_(None),
        )
        .order_by(IssuedNotice.id.desc())
        .limit(1)
    )
    return session.scalar(q)


def withdraw_and_reissue(
    session: Session, notice_id: int, *, actor: str, reason: str, on: dt.date, reissue: bool = True
) -> IssuedNotice | None:
    """Withdraw a notice (撤回, with the reason) and, unless ``reissue`` is False, issue it again from the
    case as it is now under a new number. Both are kept; the log records both."""
    old = session.get(IssuedNotice, notice_id)
    if old is None:
        raise StepRefused("没有这份文书")
    if old.withdrawn_on is not None:
        raise StepRefused(f"{old.number} 已于 {old.withdrawn_on} 撤回")
    if not actor.strip():
        raise StepRefused("请注明经办人")
    if not reason.strip():
        raise StepRefused("请写明撤回的理由（文书有何错误）")
    case = lc.get_case(session, old.tracking_no)
    settings = require(session) if reissue else None
    old.withdrawn_on, old.withdrawn_by, old.withdrawn_reason = on, actor, reason.strip()
    lc.log_event(
        session,
        case,
        "withdraw_notice",
        actor,
        max(on, lc.last_on(session, case)),
        reason.strip(),
        notice=notices.KINDS[old.kind],
        number=old.number,
        sha256=old.sha256,
    )
    if not reissue:
        return None
    return issue(session, case, old.kind, actor=actor, settings=settings, replaces=old)


def log_summary(data: str) -> dict[str, Any]:
    """The issue facts of a log entry's data (number and hash), for pages and the case file."""
    d = json.loads(data or "{}")
    return {k: d[k] for k in ("notice", "number", "sha256", "replaces") if d.get(k)}
