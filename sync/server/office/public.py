"""The public status page the receipt's QR code opens (``/status?no=…``): a phone-sized page where the
applicant types the last four digits of the phone number given in the application and reads the stage in
plain Chinese, the key dates, the reply type once replied and what to do next.

No personal data is shown or stored: the server keeps, per case, only an HMAC of the tracking number
with those four digits (``Case.phone_tail_hash``, salted like the full-phone hash). Four digits are
guessable, so failures are limited (:mod:`sync.server.throttle`, in the database so every worker counts
them): after 5 wrong answers for one tracking number, or 20 from one address, within 15 minutes, the
page refuses to check until the window has passed. A wrong tail and an unknown number
answer alike. The form posts (the digits stay out of URLs and access logs).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from sqlalchemy.orm import Session

from kiosk.applications.validation import LANDLINE_RE, MOBILE_RE, normalise_phone
from sync.server import pii
from sync.server.db import ZoneRow
from sync.server.office import case_status
from sync.server.office.models import Case

_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")


def phone_parts(phone: str) -> tuple[str, str]:
    """(kind, the digits whose last four unlock the page): a mobile's 11 digits, or a landline's area code
    and number WITHOUT its extension (``0738-8123456-806`` → ``07388123456``: never ``6806``)."""
    p = normalise_phone(phone)
    if MOBILE_RE.fullmatch(p):
        return "mobile", p
    m = LANDLINE_RE.fullmatch(p)
    if m:
        return "landline", m.group(1) + m.group(2)
    return "other", re.sub(r"\D", "", p)


KIND_TAIL_LABELS = {
    "mobile": "申请时所留手机号的后四位",
    "landline": "申请时所留固定电话号码的后四位（不含分机号）",
}
ANY_TAIL_LABEL = "申请时所留电话号码的后四位（手机号，或固定电话号码不含分机号）"


def tail_label(kind: str | None) -> str:
    """Which number's last four digits the form asks for (``kind``: the application's, when known)."""
    return KIND_TAIL_LABELS.get(kind or "", ANY_TAIL_LABEL)


def tail_hash(session: Session, tracking_no: str, phone_digits: str) -> str:
    """The keyed hash kept to check the last four digits of the phone for ``tracking_no`` (the key lives
    outside the database: :mod:`sync.server.pii`)."""
    return pii.ring_of(session).lookup(f"tail:{tracking_no.upper()}:{phone_digits[-4:]}")


def _legacy_tail_hash(salt: str, tracking_no: str, phone_digits: str) -> str:
    """The HMAC under the database's own salt, as stored before personal data was sealed."""
    msg = f"{tracking_no.upper()}:{phone_digits[-4:]}".encode()
    return hmac.new(salt.encode(), msg, hashlib.sha256).hexdigest()


def check(session: Session, no: str, tail: str) -> Case | None:
    """The case if ``tail`` are the last four digits of its applicant's phone, else None."""
    if not _TRACKING.match(no) or not re.fullmatch(r"\d{4}", tail):
        return None
    case = session.get(Case, no.upper())
    if case is None or case.phone_tail_hash is None:
        return None
    if hmac.compare_digest(case.phone_tail_hash, tail_hash(session, no, tail)):
        return case
    salt = salt_for(session)
    legacy = salt is not None and hmac.compare_digest(case.phone_tail_hash, _legacy_tail_hash(salt, no, tail))
    return case if legacy else None


def status_context(session: Session, case: Case) -> dict[str, Any]:
    """What ``status.html`` shows of ``case``: the stage in words, the dates, the reply, what comes next."""
    st = case_status.public_status(case, session)
    zone = session.get(ZoneRow, case.zone)
    dates = [(d["label"], d["date"]) for d in st["dates"]]
    if st["deadline"]:
        dates.append(("答复期限（暂定）" if st["deadline_provisional"] else "答复期限", st["deadline"]))
    return {
        "tracking_no": case.tracking_no,
        "stage": st["stage_label"],
        "reply": st["reply_label"] or "",
        "dates": dates,
        "note": st["deadline_note"] or "",
        "next_step": st["next_step"],
        "zone_name": str(json.loads(zone.data).get("name", "")) if zone is not None else "",
    }


def salt_for(session: Session) -> str | None:
    from sync.server.db import meta_get

    return meta_get(session, "phone_salt")
