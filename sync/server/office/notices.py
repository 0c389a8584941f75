"""The formal notices the office sends the applicant, as A4 PDFs with the bundled font (reportlab):

- 补正申请告知书 (Article 30): what to correct and by when, and what happens if not;
- 延期答复告知书 (Article 33 ¶2): by how many working days, to which date, approved by whom;
- 政府信息公开申请答复书 (Articles 36/37/39): the reply type's wording, the reason, each file given
  with it, the remedies of Art. 51 naming the 复议机关 and the court with their periods.

Built from the case, its log and the application as the terminal sent it (name, address and the
description of the information asked for, as corrected if a correction gave one: these pages carry
personal data, so the console logs every download). This module only renders; :mod:`issued` renders a
notice once when its step is taken, numbers it (文号) and stores the bytes every download returns.
Every notice names the office's contact person, telephone and address (:mod:`settings`).

The agency's name is the server's ``agency_name`` setting (Meta), default
:data:`DEFAULT_AGENCY`, set with ``python -m sync.server agency set NAME`` (:func:`set_agency_name`
checks it prints whole above the seal).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from printing.pdf.fonts import BOLD, REGULAR, register
from printing.pdf.layout import mm, wrap
from sync.server import pii
from sync.server.db import Submission, meta_get, meta_set
from sync.server.errors import StepRefused
from sync.server.office.models import Case, CaseEvent, CaseFile
from sync.server.office.settings import OfficeSettings
from sync.server.office.settings import load as load_settings

DEFAULT_AGENCY = "本区人民政府政务公开办公室"
# 30 characters of at most 1 em, and the seal's 4, at 13 pt: 442 pt on the notice's 453 pt line
MAX_AGENCY_CHARS = 30  # e.g. 娄底市娄星区人民政府办公室政府信息公开科 is 19
SEAL = "（印章）"
SIGN_SIZE = 13.0  # the signature line's font size (the body's)
KINDS = {
    "correction": "补正申请告知书",
    "extension": "延期答复告知书",
    "reply": "政府信息公开申请答复书",
    "consultation": "政府信息公开征求第三方意见书",
    "fee": "政府信息公开信息处理费收费通知书",
    "reasons": "要求说明理由通知书",
    "delay": "延迟答复告知书",
}
MARGIN = 25 * mm
LAW = "《中华人民共和国政府信息公开条例》"
REPLY_TEXT = {
    "already_public": "您申请获取的政府信息已经主动公开。根据{law}第三十六条第（一）项的规定，"
    "现告知您获取该政府信息的方式和途径：{detail}",
    "disclosed": "经审查，您申请获取的政府信息属于可以公开的政府信息。根据{law}"
    "第三十六条第（二）项的规定，现向您提供该政府信息（见附件），或请按您选择的获取方式领取。",
    "partly_disclosed": "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据{law}"
    "第三十七条的规定，现向您提供可以公开的内容，对不予公开的内容说明理由如下：{reason}",
    "withheld": "经审查，本机关决定对您申请获取的政府信息不予公开。根据{law}"
    "第三十六条第（三）项的规定，理由如下：{reason}",
    "not_exist": "经检索，本机关没有您所申请公开的政府信息。根据{law}"
    "第三十六条第（四）项的规定，现告知您该政府信息不存在。",
    "not_ours": "您申请获取的政府信息不属于本机关负责公开。根据{law}第三十六条第（五）项的"
    "规定，现告知您：负责公开该政府信息的行政机关为{agency}。{reason}",
    "repeated": "本机关已就您提出的相同政府信息公开申请作出答复。根据{law}"
    "第三十六条第（六）项的规定，对您的重复申请不予重复处理。",
    "special_law": "您申请获取的信息属于有关法律、行政法规对信息的获取有特别规定的信息。根据{law}"
    "第三十六条第（七）项的规定，请依照有关法律、行政法规的规定办理：{reason}",
    "not_application": "您提出的申请不属于政府信息公开申请。根据{law}第三十九条的规定，"
    "本机关不作为政府信息公开申请处理，{reason}",
    "excessive": "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由。经审查，"
    "本机关认为申请理由不合理。根据{law}第三十五条的规定，对您的申请不予处理。{reason}",
}

# notices of other modules' steps (fees.py): kind -> (session, case, settings, head, intro) -> (body, date)
EXTRA: dict[str, Callable[..., tuple[list[str], dt.date]]] = {}


def agency_name(session: Session) -> str:
    """The issuing agency printed on notices and reports (the ``agency_name`` setting, else the default)."""
    return meta_get(session, "agency_name") or DEFAULT_AGENCY


def check_agency_name(value: str) -> str:
    """``value`` without surrounding spaces if it is a name a notice can print on one line; else ValueError
    saying why (empty, longer than :data:`MAX_AGENCY_CHARS`, a control or invisible formatting character)."""
    name = value.strip()
    if not name:
        raise ValueError("机关名称不能为空")
    for ch in name:
        if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp"):
            raise ValueError(f"机关名称含有控制字符或不可见字符 U+{ord(ch):04X}")
    if len(name) > MAX_AGENCY_CHARS:
        raise ValueError(f"机关名称最长{MAX_AGENCY_CHARS}个字（现为{len(name)}个）")
    return name


def set_agency_name(session: Session, value: str) -> str:
    """Check and store the agency's name (in the caller's transaction); returns it as stored."""
    name = check_agency_name(value)
    meta_set(session, "agency_name", name)
    return name


def _cn(d: dt.date | str | None) -> str:
    if d is None:
        return "    年  月  日"
    day = d if isinstance(d, dt.date) else dt.date.fromisoformat(d)
    return f"{day.year}年{day.month}月{day.day}日"


def application_of(session: Session, tracking_no: str) -> dict[str, Any]:
    """The application as the terminal sent it (personal data: callers log the view)."""
    text = session.scalar(
        select(Submission.payload).where(Submission.tracking_no == tracking_no, Submission.kind == "application")
    )
    if not text:
        return {}
    data = pii.ring_of(session).open(text)
    return data if isinstance(data, dict) else {}


def _last(session: Session, tracking_no: str, action: str) -> CaseEvent | None:
    return session.scalar(
        select(CaseEvent)
        .where(CaseEvent.tracking_no == tracking_no, CaseEvent.action == action)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )


class NoticeUnavailable(StepRefused):
    """The case has not reached the step the notice is about."""


def requested_text(session: Session, case: Case) -> tuple[str, bool]:
    """The description of the information asked for, as corrected if a correction gave one (Art. 30),
    and whether it is the corrected text."""
    ev = _last(session, case.tracking_no, "correction_received")
    corrected = str(json.loads(ev.data).get("request") or "").strip() if ev is not None else ""
    if corrected:
        return corrected, True
    app = application_of(session, case.tracking_no)
    return str((app.get("request") or {}).get("description") or ""), False


def reply_files(session: Session, tracking_no: str) -> list[str]:
    """The names of the files given with the reply (答复材料), in the order they were attached."""
    reply = or_(CaseFile.role == "reply", CaseFile.role.is_(None))  # NULL: attached before roles existed
    q = select(CaseFile.name).where(CaseFile.tracking_no == tracking_no, reply)
    return list(session.scalars(q.order_by(CaseFile.id)))


def paragraphs(
    session: Session, case: Case, kind: str, settings: OfficeSettings | None = None
) -> tuple[str, list[str], dt.date]:
    """(title, paragraphs, date) of a notice; raises :class:`NoticeUnavailable` before its step."""
    settings = settings or load_settings(session)
    app = application_of(session, case.tracking_no)
    applicant = app.get("applicant") or {}
    name = str(applicant.get("name") or "申请人")
    what, corrected = requested_text(session, case)
    head = f"{name}："
    intro = (
        f"本机关于{_cn(case.received_on)}收到您提出的政府信息公开申请（受理编号：{case.tracking_no}），"
        f"申请获取“{what}”{'（经补正）' if corrected else ''}。"
    )
    if kind == "correction":
        ev = _last(session, case.tracking_no, "ask_correction")
        if ev is None:
            raise NoticeUnavailable("本申请没有告知补正")
        data = json.loads(ev.data)
        body = [
            head,
            intro + f"经审查，您的申请内容不明确。根据{LAW}第三十条的规定，请您对下列事项作出补正：",
            str(data.get("items") or ""),
            f"请于{_cn(data.get('correction_due'))}前将补正后的申请提交或寄送至{settings.address or '本机关'}。"
            "答复期限自本机关收到补正的申请之日起计算。"
            "您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        ]
        return KINDS[kind], body, ev.on
    if kind in EXTRA:
        body, on = EXTRA[kind](session, case, settings, head, intro)
        return KINDS[kind], body, on
    if kind == "extension":
        ev = _last(session, case.tracking_no, "extend")
        if ev is None:
            raise NoticeUnavailable("本申请没有延长答复期限")
        data = json.loads(ev.data)
        body = [
            head,
            intro + f"因{ev.reason}，本机关不能在规定期限内作出答复。"
            f"经本机关政府信息公开工作机构负责人（{data.get('approver')}）"
            f"同意，根据{LAW}第三十三条第二款的规定，答复期限延长{data.get('days')}个工作日，"
            f"本机关将于{_cn(data.get('due'))}前作出答复。",
            "特此告知。",
        ]
        return KINDS[kind], body, ev.on
    ev = _last(session, case.tracking_no, "reply")
    if ev is None or case.reply_type is None:
        raise NoticeUnavailable("本申请尚未答复")
    data = json.loads(ev.data)
    reason = ev.reason.strip()
    if reason and reason[-1] not in "。！？":
        reason += "。"
    text = REPLY_TEXT[case.reply_type].format(
        law=LAW, reason=reason, agency=data.get("agency") or "", detail=data.get("detail") or ""
    )
    body = [head, intro, text]
    files = reply_files(session, case.tracking_no)
    if files:
        body.append("附件：" + "".join(f"\n{i}. {f}" for i, f in enumerate(files, 1)))
    body.append(settings.remedy_text(LAW))
    return KINDS[kind], body, ev.on


def build_notice_pdf(
    session: Session,
    case: Case,
    kind: str,
    *,
    number: str = "",
    settings: OfficeSettings | None = None,
    replaces: str = "",
) -> bytes:
    """The notice ``kind`` (correction | extension | reply) of ``case`` as an A4 PDF, headed by its
    文号 ``number`` (none on a preview), naming the office's contact at the foot; ``replaces`` is the
    文号 of the withdrawn notice this one reissues."""
    if kind not in KINDS:
        raise NoticeUnavailable(f"没有这种文书：{kind}")
    settings = settings or load_settings(session)
    title, body, on = paragraphs(session, case, kind, settings)
    if replaces:
        body.append(f"本文书替代{replaces}（已撤回）。")
    agency = agency_name(session)
    register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=12)
    c.setTitle(f"{title} {number or case.tracking_no}")
    c.setAuthor(agency)
    width = A4[0] - 2 * MARGIN
    y = A4[1] - MARGIN - 10 * mm

    def new_page() -> None:
        nonlocal y
        c.showPage()
        y = A4[1] - MARGIN

    c.setFont(BOLD, 20)
    c.drawCentredString(A4[0] / 2, y, title)
    y -= 10 * mm
    c.setFont(REGULAR, 11)
    c.drawCentredString(A4[0] / 2, y, number or "（未出具：无文号）")
    y -= 6 * mm
    c.drawRightString(A4[0] - MARGIN, y, f"受理编号：{case.tracking_no}")
    y -= 10 * mm
    size, lead = 13.0, 13.0 * 1.7
    for i, para in enumerate(body):
        indent = "" if i == 0 else "　　"
        for line in wrap(indent + para, REGULAR, size, width):
            if y < MARGIN + 40 * mm:
                new_page()
            c.setFont(REGULAR, size)
            c.drawString(MARGIN, y, line)
            y -= lead
        y -= 2 * mm
    if y < MARGIN + 60 * mm:
        new_page()
    y -= 14 * mm
    c.setFont(REGULAR, SIGN_SIZE)
    c.drawRightString(A4[0] - MARGIN, y, f"{agency}{SEAL}")
    y -= lead
    c.drawRightString(A4[0] - MARGIN, y, _cn(on))
    y -= lead * 1.5
    c.setFont(REGULAR, 10.5)
    for line in wrap(settings.contact_text(), REGULAR, 10.5, width):
        c.drawString(MARGIN, y, line)
        y -= 10.5 * 1.6
    c.setFont(REGULAR, 8)
    c.drawCentredString(A4[0] / 2, 12 * mm, f"{title} · {number or case.tracking_no}")
    c.showPage()
    c.save()
    return buf.getvalue()
