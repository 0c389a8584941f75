"""The 政务公开 office's tables on the district server: published holiday arrangements, the application
cases with their append-only log, and the log of who viewed an applicant's personal data.

``cases`` holds one row per application received from a terminal (its current stage and dates, no
personal data: that stays in ``submissions.payload``); ``case_events`` records every step with who, when
and why and is append-only (on SQLite, triggers refuse UPDATE and DELETE); ``data_views`` records every
time a member of staff opened an applicant's personal data.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Engine, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.db import ServerBase, on_open, utcnow


class CalendarYear(ServerBase):
    """A year's State Council holiday arrangement as the office published it."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # {"holidays": [iso], "workdays": [iso], "names": {iso: name}}
    source: Mapped[str] = mapped_column(String(300))  # the notice it comes from (国办发明电〔2026〕N号)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Case(ServerBase):
    """An application's handling by the office (政府信息公开申请办理): stage, clock and dates."""

    __tablename__ = "cases"

    tracking_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    zone: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(24), index=True)
    # how it reached the office: terminal | counter | post | post_plain | email | online | fax (register.py)
    # (NULL on a case made before channels existed: a terminal's; nullable so an older database gains it)
    channel: Mapped[str | None] = mapped_column(String(16), default="terminal", index=True)
    received_on: Mapped[date] = mapped_column(Date)  # 收到申请之日 (Article 31)
    clock_from: Mapped[date] = mapped_column(Date)  # the day the 20 working days count from (Art. 30, 33)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)  # consultation working days (Art. 33 ¶3)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)  # Art. 33 ¶2, at most 20
    due: Mapped[date | None] = mapped_column(Date, index=True)  # None while a consultation runs
    due_source: Mapped[str] = mapped_column(String(16), default="server")
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    due_explanation: Mapped[str] = mapped_column(Text, default="")
    printed_deadline: Mapped[date | None] = mapped_column(Date)  # what the terminal's receipt said
    # Why the office should check the receipt date (sync.server.terminals.dating): the terminal's clock
    # disagreed with the server's beyond the bound, and the server's date was counted. NULL: nothing to check.
    received_flag: Mapped[str | None] = mapped_column(String(300))
    phone_tail_hash: Mapped[str | None] = mapped_column(String(64))  # the public page's check (public.py)
    phone_kind: Mapped[str | None] = mapped_column(String(10))  # mobile | landline: the page says which
    correction_asked_on: Mapped[date | None] = mapped_column(Date)
    correction_due: Mapped[date | None] = mapped_column(Date)
    correction_received_on: Mapped[date | None] = mapped_column(Date)
    consult_since: Mapped[date | None] = mapped_column(Date)
    extended_on: Mapped[date | None] = mapped_column(Date)
    fee_amount: Mapped[int | None] = mapped_column(Integer)  # 信息处理费, yuan (fees.py)
    fee_notice_on: Mapped[date | None] = mapped_column(Date)
    fee_due: Mapped[date | None] = mapped_column(Date)  # pay by this day or the application is deemed abandoned
    fee_paid_on: Mapped[date | None] = mapped_column(Date)
    delayed_to: Mapped[date | None] = mapped_column(Date)  # Art. 35: the reasonable later reply date told
    department: Mapped[str | None] = mapped_column(String(32), index=True)  # who holds it (departments.py)
    dept_due: Mapped[date | None] = mapped_column(Date)  # the department's due date for its draft
    dept_submitted_on: Mapped[date | None] = mapped_column(Date)  # the draft came back to the office
    reply_type: Mapped[str | None] = mapped_column(String(24))
    # the annual report's columns and rows (annual_report.py), chosen at the reply
    applicant_class: Mapped[str | None] = mapped_column(String(16))  # natural | business | research | …
    report_row: Mapped[str | None] = mapped_column(String(8))  # e.g. 3.4 不予公开·保护第三方合法权益
    replied_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CaseEvent(ServerBase):
    """One step of a case: who, when, what, why, and the facts it recorded (append-only)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when it was recorded (UTC)
    on: Mapped[date] = mapped_column(Date)  # the day it happened (China time), which counts
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the step's fields


class DocVersion(ServerBase):
    """An earlier version of a published document, kept when it was amended (修订): the feed entry's
    payload as it was, who replaced it and when."""

    __tablename__ = "doc_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(64), default="")


class CaseFile(ServerBase):
    """A document of a case: the scanned application form, a file given with the reply (the information
    provided), or a department's draft reply."""

    __tablename__ = "case_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    # application 申请表（扫描件） | reply 答复材料 (listed on the 答复书) | draft 部门草拟的答复
    # (NULL on a file attached before roles existed: a reply file; nullable so an older database gains it)
    role: Mapped[str | None] = mapped_column(String(16), default="reply")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))


class IssuedNotice(ServerBase):
    """A notice as issued (文书): its 文号 from the year's series, the PDF bytes rendered once at issue and
    their sha256 (also in the case log). The bytes never change (SQLite triggers refuse updating them and
    deleting the row); a wrong notice is withdrawn (``withdrawn_*``) and reissued under a new number."""

    __tablename__ = "issued_notices"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_notice_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)  # 文号, e.g. 娄星政公开〔2026〕第7号
    issued_on: Mapped[date] = mapped_column(Date)  # the date printed on it (China time)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    replaces: Mapped[int | None] = mapped_column(Integer)  # the withdrawn notice this one reissues
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class Department(ServerBase):
    """A department or township that holds information (区住建局, 万宝镇人民政府): cases are assigned to it."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))


class DepartmentMember(ServerBase):
    """A ``department`` account and the department whose cases it sees (one department per account)."""

    __tablename__ = "department_members"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), index=True)


class DataView(ServerBase):
    """A member of staff opened an applicant's personal data (who, when, which application, why)."""

    __tablename__ = "data_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    tracking_no: Mapped[str] = mapped_column(String(40), index=True)
    what: Mapped[str] = mapped_column(String(64))


def install_guards(engine: Engine) -> None:
    """On SQLite, make ``case_events`` and ``data_views`` append-only and an issued notice's number and
    bytes unchangeable, with triggers (idempotent)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        for table in ("case_events", "data_views"):
            for op in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                    )
                )
        for op, clause in (
            ("UPDATE", "UPDATE OF tracking_no, kind, year, seq, number, issued_on, sha256, pdf"),
            ("DELETE", "DELETE"),
        ):
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS issued_notices_no_{op.lower()} BEFORE {clause} ON issued_notices "
                    "BEGIN SELECT RAISE(ABORT, 'an issued notice stays as issued'); END"
                )
            )


on_open(install_guards)
