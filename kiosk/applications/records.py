"""The ``applications`` table: each submitted application, with its personal data only until delivered.

While the outbox entry is unacknowledged the row holds the whole application JSON (``payload``) so the
sync client can resend it. Once the server has acknowledged it,
:func:`kiosk.applications.service.purge_delivered` empties ``payload`` and keeps a stub: tracking number,
zone, terminal, dates, applicant kind, status, and ``receipt_facts`` — what the receipt prints, without
the ID number and the phone — so staff can reprint the receipt while the application is open. The facts
are dropped in turn once the application's longest reply period is well past
(:data:`kiosk.applications.service.FACTS_KEPT_AFTER_DEADLINE`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db import Base

STATUS_PENDING = "pending"  # stored and queued for the server; personal data held
STATUS_DELIVERED = "delivered"  # the server acknowledged it; personal data dropped


class ApplicationRecord(Base):
    """One application submitted at this terminal (依申请公开申请记录)."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    zone_code: Mapped[str] = mapped_column(String(32), index=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    applicant_kind: Mapped[str] = mapped_column(String(16))  # citizen | organisation (not personal)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # local (UTC+8), naive
    deadline: Mapped[date] = mapped_column(Date)
    extended_deadline: Mapped[date | None] = mapped_column(Date)
    calendar_source: Mapped[str] = mapped_column(String(16))
    outbox_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_PENDING, index=True)
    payload: Mapped[str | None] = mapped_column(Text)  # the Application JSON; NULL once delivered
    receipt_facts: Mapped[str | None] = mapped_column(Text)  # JSON: the receipt without ID and phone
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
