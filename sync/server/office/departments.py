"""Departments (属地管理、分级负责、谁主管谁负责): the office hands a case to the department or township that
holds the information, with a due date for its draft; the department uploads its draft reply and the
materials and hands it back; the office approves and issues the reply (or returns the draft). Who held
the case when is read from the log (:func:`holders`).

    office ── assign(dept, due) ──▶ department ── submit_draft ──▶ office ── reply (approves) ──▶ issued
                 ▲  reassign(other dept, due)        │                 └─ return_draft(reason) ──▶ department
                 └───────────────────────────────────┘

The steps do not move the case's legal stage (the 20 working days run on regardless); each is one log
entry (``assign``, ``reassign``, ``dept_submit``, ``dept_return``, ``approve_draft``). A ``department``
account (role ``department``, bound to one department by ``department_members``) sees only the cases its
department holds now or held before.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.workdays import WorkCalendar
from sync.server.errors import OfficeError, StepRefused
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseEvent, CaseFile, Department, DepartmentMember

SOON_WORKING_DAYS = 2  # "nearly due" for a department's draft
OFFICE = "政务公开办"

lc.ACTION_LABELS.update(
    {
        "assign": "交办承办部门",
        "reassign": "改派承办部门",
        "dept_submit": "承办部门报送答复草稿",
        "dept_return": "退回承办部门修改",
        "approve_draft": "审核通过承办部门草稿",
    }
)


def add_department(session: Session, code: str, name: str) -> Department:
    """Add (or rename) a department; ``code`` is letters, digits, ``-`` or ``_``."""
    code, name = code.strip(), name.strip()
    if not code or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code) or len(code) > 32:
        raise OfficeError("部门代码应为 1–32 个字母、数字、“-”或“_”")
    if not 1 <= len(name) <= 60:
        raise OfficeError("请填写部门名称（最长60个字）")
    dept = session.get(Department, code)
    if dept is None:
        dept = Department(code=code, name=name)
        session.add(dept)
    else:
        dept.name = name
    session.flush()
    return dept


def add_member(session: Session, username: str, department: str) -> None:
    """Bind a ``department`` account to its department (replacing an earlier binding)."""
    if session.get(Department, department) is None:
        raise OfficeError(f"没有部门“{department}”")
    row = session.get(DepartmentMember, username)
    if row is None:
        session.add(DepartmentMember(username=username, department=department))
    else:
        row.department = department
    session.flush()


def names(session: Session) -> dict[str, str]:
    return {d.code: d.name for d in session.scalars(select(Department).order_by(Department.code))}


def department_of(session: Session, username: str) -> str | None:
    row = session.get(DepartmentMember, username)
    return row.department if row else None


def _open(session: Session, tracking_no: str, actor: str, on: dt.date, today: dt.date) -> Case:
    case = lc.get_case(session, tracking_no)
    if case.state not in lc.OPEN_STATES:
        raise StepRefused(f"{case.tracking_no} 当前为“{lc.STAGE_LABELS[case.state]}”，不能交办或报送")
    if not actor.strip():
        raise StepRefused("请注明经办人")
    if on > today:
        raise StepRefused(f"日期 {on} 还没有到")
    if on < lc.last_on(session, case):
        raise StepRefused(f"日期 {on} 早于上一步（{lc.last_on(session, case)}）")
    return case


def assign(  # noqa: PLR0917 - the assignment's facts
    session: Session, tracking_no: str, department: str, due: dt.date, actor: str, on: dt.date, today: dt.date
) -> Case:
    """交办 (or 改派) the case to ``department``, its draft due on ``due`` (not after the reply's deadline)."""
    case = _open(session, tracking_no, actor, on, today)
    dept = session.get(Department, department)
    if dept is None:
        raise StepRefused(f"没有承办部门“{department}”")
    if due < on:
        raise StepRefused(f"承办期限（{due}）不能早于交办之日（{on}）")
    if case.due is not None and due > case.due:
        raise StepRefused(f"承办期限（{due}）不能晚于答复期限（{case.due}）")
    if case.department == department and case.dept_submitted_on is None:
        raise StepRefused(f"本件已由{dept.name}承办")
    action = "reassign" if case.department else "assign"
    previous = case.department or ""
    case.department, case.dept_due, case.dept_submitted_on = department, due, None
    lc.log_event(
        session,
        case,
        action,
        actor,
        on,
        "",
        department=department,
        department_name=dept.name,
        dept_due=due,
        previous=previous,
    )
    return case


def submit_draft(
    session: Session, tracking_no: str, actor: str, on: dt.date, *, today: dt.date, note: str = ""
) -> Case:
    """The department hands its draft reply back to the office (at least one draft file uploaded)."""
    case = _open(session, tracking_no, actor, on, today)
    if case.department is None or department_of(session, actor) != case.department:
        raise StepRefused("本件不由您的部门承办")
    if case.dept_submitted_on is not None:
        raise StepRefused(f"答复草稿已于 {case.dept_submitted_on} 报送")
    drafts = session.scalar(
        select(CaseFile.id).where(CaseFile.tracking_no == case.tracking_no, CaseFile.role == "draft").limit(1)
    )
    if drafts is None:
        raise StepRefused("请先上传答复草稿")
    case.dept_submitted_on = on
    on_time = case.dept_due is None or on <= case.dept_due
    lc.log_event(session, case, "dept_submit", actor, on, note.strip(), department=case.department, on_time=on_time)
    return case


def return_draft(session: Session, tracking_no: str, actor: str, on: dt.date, *, today: dt.date, reason: str) -> Case:
    """The office sends the draft back to the department with what to change."""
    case = _open(session, tracking_no, actor, on, today)
    if case.dept_submitted_on is None:
        raise StepRefused("承办部门尚未报送答复草稿")
    if not reason.strip():
        raise StepRefused("请写明退回修改的理由")
    case.dept_submitted_on = None
    lc.log_event(session, case, "dept_return", actor, on, reason.strip(), department=case.department)
    return case


def approve_on_reply(session: Session, case: Case, actor: str, on: dt.date) -> None:
    """Called before the office replies: a case whose department submitted a draft records its approval."""
    if case.department and case.dept_submitted_on is not None:
        lc.log_event(session, case, "approve_draft", actor, on, "", department=case.department)


@dataclass(frozen=True)
class Holding:
    """Who held the case from ``since`` to ``until`` (None: still holds it)."""

    holder: str
    since: dt.date
    until: dt.date | None


def holders(session: Session, case: Case) -> list[Holding]:
    """The case's custody from the log: the office, then each department it was assigned to, and back."""
    depts = names(session)
    out: list[Holding] = []
    current, since = OFFICE, case.received_on
    for ev in lc.events(session, case.tracking_no):
        data = json.loads(ev.data or "{}")
        nxt = None
        if ev.action in ("assign", "reassign", "dept_return"):
            nxt = depts.get(str(data.get("department")), str(data.get("department")))
        elif ev.action == "dept_submit" or ev.action in ("reply", "withdraw", "correction_lapsed"):
            nxt = OFFICE
        if nxt is not None and nxt != current:
            out.append(Holding(current, since, ev.on))
            current, since = nxt, ev.on
    out.append(Holding(current, since, None))
    return out


@dataclass(frozen=True)
class DueLine:
    tracking_no: str
    department: str
    dept_due: dt.date
    working_days_left: int  # negative: overdue


def due_lists(
    session: Session, today: dt.date, calendar: WorkCalendar, soon: int = SOON_WORKING_DAYS
) -> dict[str, tuple[list[DueLine], list[DueLine]]]:
    """Per department: (overdue, nearly due) drafts of open cases it holds, most urgent first."""
    out: dict[str, tuple[list[DueLine], list[DueLine]]] = {code: ([], []) for code in names(session)}
    q = select(Case).where(
        Case.state.in_(lc.OPEN_STATES), Case.department.is_not(None), Case.dept_submitted_on.is_(None)
    )
    for case in session.scalars(q.order_by(Case.dept_due, Case.tracking_no)):
        if case.dept_due is None or case.department is None:
            continue
        left = lc.working_days_between(today, case.dept_due, calendar)
        line = DueLine(case.tracking_no, case.department, case.dept_due, left)
        over, near = out.setdefault(case.department, ([], []))
        if case.dept_due < today:
            over.append(line)
        elif left <= soon:
            near.append(line)
    return out


def cases_of(session: Session, department: str) -> list[Case]:
    """The cases the department holds now or held before (its view), open ones first."""
    held = select(CaseEvent.tracking_no).where(CaseEvent.action.in_(("assign", "reassign")))
    rows = [
        c
        for c in session.scalars(select(Case).where(Case.tracking_no.in_(held)))
        if c.department == department or _ever_held(session, c, department)
    ]
    return sorted(rows, key=lambda c: (c.state not in lc.OPEN_STATES, c.dept_due or dt.date.max, c.tracking_no))


def _ever_held(session: Session, case: Case, department: str) -> bool:
    for ev in lc.events(session, case.tracking_no):
        if ev.action in ("assign", "reassign") and json.loads(ev.data).get("department") == department:
            return True
    return False


def may_see(session: Session, username: str, case: Case) -> bool:
    """A department account sees a case its department holds now or held before."""
    dept = department_of(session, username)
    return dept is not None and (case.department == dept or _ever_held(session, case, dept))
