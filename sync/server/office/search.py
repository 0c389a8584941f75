"""Finding a case in the console by what a clerk has at hand: its tracking number (or part of it), the
applicant's name or organisation, or the telephone number (at least 4 digits, ignoring spaces and
dashes). Names and numbers are read from the application as received (personal data: the console logs
that a search was made, never what was typed)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from sync.server.office.models import Case
from sync.server.office.notices import application_of


def matches(session: Session, case: Case, query: str) -> bool:
    """Whether ``case`` is what ``query`` asks for."""
    q = query.strip()
    if not q:
        return True
    if q.upper() in case.tracking_no:
        return True
    applicant = application_of(session, case.tracking_no).get("applicant") or {}
    if q in str(applicant.get("name") or "") or q in str(applicant.get("contact_person") or ""):
        return True
    typed = re.sub(r"[\s\-－]", "", q)
    phone = re.sub(r"\D", "", str(applicant.get("phone") or ""))
    return typed.isdigit() and len(typed) >= 4 and typed in phone
