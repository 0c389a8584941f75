"""Every channel, one register: an application the office receives by post, at its counter, by e-mail,
fax or through the district website is registered here and becomes a case like one from a terminal —
same tracking-number format, same deadlines, same reports and evaluation.

The 收到申请之日 each channel has by Article 31 of the 条例:

    counter     当面提交                    (一) 提交之日
    post        邮寄（挂号信、EMS等需签收）  (二) 行政机关签收之日
    post_plain  平常信函（无需签收）         (二) 收到当日与申请人确认，确认之日
    email       电子邮件                    (三) 互联网渠道：双方确认之日
    online      政府网站在线申请             (三) 互联网渠道：双方确认之日（系统确认之日）
    fax         传真                        (三) 传真：双方确认之日
    terminal    政务公开专区查询终端         (一) 当面提交：提交之日（terminals deliver these themselves）

Tracking numbers: ``{zone prefix}{channel code}-{YYYYMMDD of receipt}-{NNNN}``, e.g. ``QZ0Y-20261203-0001``
for a letter signed for on 3 December at the district zone. A terminal's code is two digits (from its
id's trailing number) or two characters of RFC 4648 base32 (``A–Z``, ``2–7``); a channel code here is
``0`` and a letter, which neither can produce, so the office and the terminals never draw the same
number. The sequence is the next free one of that zone, channel and day.

The scanned paper form (or the e-mail, the fax, the website's record) is stored as the case's first file
(``CaseFile.role = "application"``); the application's text is checked by the same rules as at a
terminal (``kiosk.applications.validation``) and kept as a submission like a terminal's.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.applications.model import Application
from kiosk.applications.validation import validate
from kiosk.errors import ValidationError
from sync.server import pii
from sync.server.db import Submission, ZoneRow
from sync.server.errors import OfficeError
from sync.server.office import lifecycle as lc
from sync.server.office import public
from sync.server.office.models import Case, CaseFile
from sync.server.terminals.submissions import phone_digits, phone_hash

log = logging.getLogger("sync.server.office.register")

MAX_SCAN_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Channel:
    """A way an application reaches the office, and how Article 31 dates its receipt."""

    code: str  # the two characters in the tracking number
    label: str
    date_label: str  # what the received date is, as the form asks for it
    rule: str  # Article 31's rule, quoted on the form and in the log


CHANNELS: dict[str, Channel] = {
    "counter": Channel(
        "0C", "当面提交（窗口）", "提交日期", "第三十一条第（一）项：当面提交的，以提交之日为收到申请之日"
    ),
    "post": Channel(
        "0Y", "邮寄（需签收）", "签收日期", "第三十一条第（二）项：邮寄提交的，以行政机关签收之日为收到申请之日"
    ),
    "post_plain": Channel(
        "0P",
        "平常信函（无需签收）",
        "与申请人确认日期",
        "第三十一条第（二）项：以平常信函等无需签收的邮寄方式提交的，收到当日与申请人确认，确认之日为收到申请之日",
    ),
    "email": Channel(
        "0E", "电子邮件", "双方确认日期", "第三十一条第（三）项：通过互联网渠道提交的，以双方确认之日为收到申请之日"
    ),
    "online": Channel(
        "0W",
        "政府网站在线申请",
        "系统确认日期",
        "第三十一条第（三）项：通过互联网渠道提交的，以双方确认之日为收到申请之日",
    ),
    "fax": Channel(
        "0F",
        "传真",
        "双方确认日期",
        "第三十一条第（三）项：通过政府信息公开工作机构的传真提交的，以双方确认之日为收到申请之日",
    ),
}
TERMINAL_LABEL = "政务公开专区查询终端"


def channel_label(code: str | None) -> str:
    """The Chinese name of a case's channel (``terminal`` or NULL: a terminal's)."""
    if code in CHANNELS:
        return CHANNELS[code].label
    return TERMINAL_LABEL if code in (None, "terminal") else code


@dataclass(frozen=True)
class Registration:
    """What the clerk enters for an application that came by a channel other than a terminal."""

    channel: str
    zone: str
    received_on: dt.date
    application: dict[str, Any]  # the application JSON (docs/applications.md), without "issued"
    scan_name: str
    scan_type: str
    scan: bytes
    note: str = ""  # e.g. how a plain letter was confirmed (电话确认，对方为申请人本人)


def _zone_prefix(session: Session, zone: str) -> str:
    raw = session.scalar(select(ZoneRow.data).where(ZoneRow.code == zone))
    if raw is None:
        raise OfficeError(f"本区没有专区“{zone}”")
    prefix = str(json.loads(raw).get("prefix") or "")
    if not prefix:
        raise OfficeError(f"专区“{zone}”没有受理编号前缀")
    return prefix


def next_tracking_no(session: Session, zone: str, channel: str, day: dt.date) -> str:
    """The next tracking number of ``zone``'s ``channel`` for applications received on ``day``."""
    head = f"{_zone_prefix(session, zone)}{CHANNELS[channel].code}-{day:%Y%m%d}-"
    top = session.scalar(select(func.max(Case.tracking_no)).where(Case.tracking_no.like(head + "%")))
    seq = int(top.rsplit("-", 1)[1]) + 1 if top else 1
    return f"{head}{seq:04d}"


def check(reg: Registration, today: dt.date) -> Application:
    """The application, normalised, if it may be registered; :class:`OfficeError` listing every problem."""
    problems: list[str] = []
    if reg.channel not in CHANNELS:
        problems.append("请选择收到申请的渠道")
    if reg.received_on > today:
        problems.append(f"收到申请之日（{reg.received_on}）不能晚于今天")
    if not reg.scan or not reg.scan_name:
        problems.append("请上传申请表（或邮件、传真、网站记录）的扫描件")
    elif len(reg.scan) > MAX_SCAN_BYTES:
        problems.append(f"扫描件超过 {MAX_SCAN_BYTES // 1024 // 1024} MB")
    if reg.channel == "post_plain" and not reg.note.strip():
        problems.append("平常信函应于收到当日与申请人确认：请写明确认的方式（如电话确认）")
    app: Application | None = None
    try:
        raw = dict(reg.application)
        raw.update({"pledge_accepted": True, "consent_personal_data": True, "issued": None})
        app = validate(Application.from_json(raw), today)
    except ValidationError as exc:
        problems.extend(exc.errors.values())
    if problems or app is None:
        raise OfficeError("；".join(problems))
    return app


def register(session: Session, reg: Registration, *, actor: str, today: dt.date) -> Case:
    """Register the application, store its scan as the case's first file and open its case (caller's
    transaction). Personal data goes to the submission's payload only, never to the log."""
    app = check(reg, today)
    channel = CHANNELS[reg.channel]
    tracking_no = next_tracking_no(session, reg.zone, reg.channel, reg.received_on)
    payload = app.to_json()
    payload["issued"] = {
        "tracking_no": tracking_no,
        "zone_code": reg.zone,
        "terminal_id": "",
        "channel": reg.channel,
        "submitted_at": dt.datetime.combine(reg.received_on, dt.time(0), tzinfo=lc.CHINA).isoformat(),
    }
    digits = phone_digits(app.applicant.phone)
    session.add(
        Submission(
            terminal_id=f"office:{actor}",
            zone=reg.zone,
            kind="application",
            idem_key=f"register-{tracking_no}",
            tracking_no=tracking_no,
            phone_hash=phone_hash(session, digits),
            payload=pii.ring_of(session).seal(payload),  # personal data: sealed like a terminal's
            response="{}",
        )
    )
    case = lc.intake(
        session,
        tracking_no=tracking_no,
        zone=reg.zone,
        received_on=reg.received_on,
        actor=actor,
        channel=reg.channel,
        reason=f"{channel.label}；{channel.rule}" + (f"；{reg.note.strip()}" if reg.note.strip() else ""),
    )
    case.phone_kind, main = public.phone_parts(app.applicant.phone)  # the tail never from an extension
    case.phone_tail_hash = public.tail_hash(session, tracking_no, main)
    session.add(
        CaseFile(
            tracking_no=tracking_no,
            name=reg.scan_name[:200],
            content_type=reg.scan_type[:100] or "application/octet-stream",
            role="application",
            data=reg.scan,
            actor=actor,
        )
    )
    session.flush()
    log.info("registered %s (%s, zone %s) by %s", tracking_no, reg.channel, reg.zone, actor)
    return case
