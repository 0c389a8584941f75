"""Submitting an application, and what staff and sync need afterwards (lookup, recent list, purge).

:func:`submit` validates, draws the tracking number, counts the reply deadline, and writes the
``applications`` row and the outbox entry in one transaction which it commits before returning: when it
returns, the application survives a power cut, and only then may the receipt print.

Personal data (names, ID and phone numbers, addresses) never reaches a log line here: logs carry the
tracking number, zone and applicant kind only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from kiosk import outbox
from kiosk.applications.model import Application, Issued, mask_id, mask_name
from kiosk.applications.records import STATUS_DELIVERED, STATUS_PENDING, ApplicationRecord
from kiosk.applications.tracking import (
    CHINA_TZ,
    check_prefix,
    idempotency_key,
    local_date,
    next_tracking_no,
    tracking_candidates,
)
from kiosk.applications.validation import validate
from kiosk.workdays import WorkCalendar, extended_deadline, load_calendar, reply_deadline

log = logging.getLogger(__name__)


class ZoneLike(Protocol):
    """What submission needs of a zone (``kiosk.mirror.models.Zone`` has it)."""

    @property
    def code(self) -> str: ...

    @property
    def prefix(self) -> str: ...


def submit(
    session: Session,
    app: Application,
    *,
    zone: ZoneLike,
    terminal_id: str,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> Application:
    """Store ``app`` durably and queue it for the server; return it with its tracking number and deadline.

    Raises :class:`kiosk.errors.ValidationError` (nothing written) when the application is not
    acceptable. Commits the session (which must have no other pending work); on any failure the
    transaction is rolled back and nothing — not even a sequence number — is used up.
    """
    app = validate(app, today=local_date(now))
    check_prefix(zone.prefix)
    calendar = calendar or load_calendar(session)
    try:
        tracking_no = next_tracking_no(session, prefix=zone.prefix, terminal_id=terminal_id, now=now)
        received = local_date(now)
        reply = reply_deadline(received, calendar)
        extension = extended_deadline(reply.due, calendar)
        issued = Issued(
            tracking_no=tracking_no,
            zone_code=zone.code,
            terminal_id=terminal_id,
            submitted_at=now if now.tzinfo is None else now.astimezone(CHINA_TZ),
            deadline=reply.due,
            deadline_explanation=reply.explanation,
            extended_deadline=extension.due,
            calendar_source=reply.source,
        )
        app = app.with_issued(issued)
        payload = app.to_json()
        key = idempotency_key(tracking_no)
        session.add(
            ApplicationRecord(
                tracking_no=tracking_no,
                zone_code=zone.code,
                terminal_id=terminal_id,
                applicant_kind=app.applicant.kind.value,
                submitted_at=_naive_local(now),
                deadline=reply.due,
                extended_deadline=extension.due,
                calendar_source=reply.source,
                outbox_key=key,
                status=STATUS_PENDING,
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                receipt_facts=json.dumps(receipt_facts(app), ensure_ascii=False, sort_keys=True),
            )
        )
        outbox.enqueue(session, "application", payload, key=key)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("application %s submitted in zone %s (%s)", tracking_no, zone.code, app.applicant.kind.value)
    return app


FACTS_KEPT_AFTER_DEADLINE = timedelta(days=90)  # past the extended deadline: 补正 and consultation time


def receipt_facts(app: Application) -> dict[str, str]:
    """What the receipt prints, without the ID number and the phone: kept after the personal data is
    dropped (the name then masked) so staff can reprint the receipt while the application is open."""
    if app.issued is None:
        raise ValueError("the application has no tracking number yet")
    a, issued = app.applicant, app.issued
    return {
        "tracking_no": issued.tracking_no,
        "submitted_at": issued.submitted_at.isoformat(),
        "applicant_name": a.name,
        "applicant_kind": a.kind.label,
        "description": app.request.description,
        "doc_number": app.request.doc_number,
        "media": "、".join(m.label for m in app.media),
        "delivery": "、".join(d.label for d in app.delivery),
        "deadline": issued.deadline.isoformat(),
        "extended_deadline": issued.extended_deadline.isoformat() if issued.extended_deadline else "",
        "deadline_explanation": issued.deadline_explanation,
        "proxy_note": app.proxy.kind.label if app.proxy is not None else "",
    }


def _without_full_name(facts_json: str) -> str:
    """The receipt facts as kept after delivery: the name masked (``张三丰`` → ``张**``), since a name is
    personal data and leaves the terminal once the server has the application. Idempotent."""
    facts = json.loads(facts_json)
    if not facts.get("name_masked"):
        facts["applicant_name"] = mask_name(facts.get("applicant_name", ""))
        facts["name_masked"] = "1"
    return json.dumps(facts, ensure_ascii=False, sort_keys=True)


def _naive_local(now: datetime) -> datetime:
    return now if now.tzinfo is None else now.astimezone(CHINA_TZ).replace(tzinfo=None)


@dataclass(frozen=True)
class ApplicationSummary:
    """A row as staff see it in lists: masked identity while the terminal still holds it."""

    tracking_no: str
    zone_code: str
    applicant_kind: str
    submitted_at: datetime
    deadline: date
    status: str  # pending | delivered
    applicant_name_masked: str  # "" once delivered
    id_number_masked: str  # "" once delivered
    application: Application | None  # the full application while pending, else None
    receipt_facts: dict[str, str] | None  # what a reprinted receipt shows (no ID, no phone), while kept


def _summary(row: ApplicationRecord) -> ApplicationSummary:
    app = Application.from_json(json.loads(row.payload)) if row.payload else None
    facts: dict[str, str] = json.loads(row.receipt_facts) if row.receipt_facts else {}
    return ApplicationSummary(
        tracking_no=row.tracking_no,
        zone_code=row.zone_code,
        applicant_kind=row.applicant_kind,
        submitted_at=row.submitted_at,
        deadline=row.deadline,
        status=row.status,
        applicant_name_masked=mask_name(app.applicant.name)
        if app
        else facts.get("applicant_name", "")
        if facts.get("name_masked")
        else mask_name(facts.get("applicant_name", "")),
        id_number_masked=mask_id(app.applicant.id_number) if app else "",
        application=app,
        receipt_facts=facts or None,
    )


def lookup(session: Session, tracking_no: str) -> ApplicationSummary | None:
    """The application with this tracking number, or None.

    Typed loosely: case, spaces, missing hyphens and O/0, I/1 confusions are forgiven
    (:func:`kiosk.applications.tracking.tracking_candidates`); the first reading on record wins.
    """
    wanted = tracking_candidates(tracking_no) or [tracking_no.strip()]
    rows = session.scalars(select(ApplicationRecord).where(ApplicationRecord.tracking_no.in_(wanted))).all()
    by_number = {row.tracking_no: row for row in rows}
    for number in wanted:
        if number in by_number:
            return _summary(by_number[number])
    return None


def recent(session: Session, limit: int = 20, zone_code: str | None = None) -> list[ApplicationSummary]:
    """The latest applications at this terminal, newest first (the staff reprint list)."""
    stmt = select(ApplicationRecord).order_by(ApplicationRecord.submitted_at.desc(), ApplicationRecord.id.desc())
    if zone_code:
        stmt = stmt.where(ApplicationRecord.zone_code == zone_code)
    return [_summary(row) for row in session.scalars(stmt.limit(limit))]


def purge_delivered(session: Session, now: datetime | None = None) -> int:
    """Drop the personal data of every application the server has acknowledged; returns how many.

    Each such row keeps a stub (tracking number, zone, terminal, dates, applicant kind, status
    ``delivered``) and its receipt facts (no ID number, no phone, the name masked) for reprints, until
    :data:`FACTS_KEPT_AFTER_DEADLINE` after its extended deadline. Who calls it: the sync client, right after it commits
    ``kiosk.outbox.mark_acked`` for ``application`` entries, and the application's housekeeping timer
    at start-up (so a crash between the two still purges). Idempotent; commits.
    """
    # Overwrite freed space with zeros, so dropped personal data does not linger in free pages.
    session.execute(text("PRAGMA secure_delete=ON"))
    acked = select(outbox.OutboxEntry.idempotency_key).where(
        outbox.OutboxEntry.kind == "application", outbox.OutboxEntry.acked_at.is_not(None)
    )
    rows = list(
        session.scalars(
            select(ApplicationRecord).where(
                ApplicationRecord.payload.is_not(None), ApplicationRecord.outbox_key.in_(acked)
            )
        )
    )
    stamp = now or datetime.now(CHINA_TZ).replace(tzinfo=None)
    for row in rows:
        if row.receipt_facts is None and row.payload:  # a row stored before the facts were kept
            row.receipt_facts = json.dumps(
                receipt_facts(Application.from_json(json.loads(row.payload))), ensure_ascii=False, sort_keys=True
            )
        if row.receipt_facts is not None:
            row.receipt_facts = _without_full_name(row.receipt_facts)
        row.payload = None
        row.status = STATUS_DELIVERED
        row.purged_at = stamp
    # The receipt facts (the name, what was asked) go too once the application cannot be open any more.
    expired = select(ApplicationRecord).where(
        ApplicationRecord.payload.is_(None),
        ApplicationRecord.receipt_facts.is_not(None),
        func.coalesce(ApplicationRecord.extended_deadline, ApplicationRecord.deadline)
        < (stamp - FACTS_KEPT_AFTER_DEADLINE).date(),
    )
    dropped = 0
    for row in session.scalars(expired):
        row.receipt_facts = None
        dropped += 1
    session.commit()
    if rows or dropped:
        # Copy the zeroed pages into the database file and empty the write-ahead log, which still
        # holds the old page images; "busy" (a reader is active) leaves it for the next purge.
        _checkpoint(session)
        log.info("dropped the personal data of %d delivered application(s)", len(rows))
    return len(rows)


def _checkpoint(session: Session) -> None:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` outside any transaction (SQLite refuses it inside one)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()


def pending_payloads(session: Session) -> list[dict[str, Any]]:
    """The JSON of every application still held (not yet acknowledged), oldest first — for staff export."""
    stmt = select(ApplicationRecord.payload).where(ApplicationRecord.payload.is_not(None))
    return [json.loads(p) for p in session.scalars(stmt.order_by(ApplicationRecord.id)) if p]
