"""The application receipt (受理回执) and the consultation-desk queue ticket (排队号) as ESC/POS bytes.

The receipt carries the tracking number, the applicant (ID number and phone masked), what was asked,
the reply deadline and how it was counted, the zone's name, address and hours, a QR code for the
status lookup, and a cut. The queue ticket for the consultation desk (政务信息咨询区) carries the
number, the time, the zone and how many people wait before it. Both go through
:class:`printing.escpos.document.EscPosDocument`, so Chinese, the yuan sign and rare name characters
are sent the same deliberate way.

:class:`ReceiptData` is this module's input; :func:`receipt_from_application` makes one from the
applications model. These objects hold personal data: never log them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from urllib.parse import quote

from kiosk.applications.model import Application, mask_id, mask_phone
from kiosk.config import PrinterConfig
from printing.escpos.document import EscPosDocument, Layout

RECEIPT_TITLE = "政府信息公开申请"
RECEIPT_SUBTITLE = "受理回执"
CONSULTATION_AREA = "政务信息咨询区"
_WEEKDAYS = "一二三四五六日"
REPRINT_NOTE = "（补打）"
DESCRIPTION_LINES = 4  # a long description is shortened on the receipt; the form has all of it
SEE_FORM = "……（详见申请表）"


@dataclass(frozen=True)
class ZoneInfo:
    """The zone (政务公开专区) that took the application or issued the ticket."""

    name: str
    address: str = ""
    hours: str = ""
    phone: str = ""


class _ZoneLike(Protocol):
    name: str
    address: str
    hours: str
    phone: str


def zone_info(zone: _ZoneLike) -> ZoneInfo:
    """A :class:`ZoneInfo` from the mirror's ``Zone`` row (or anything with the same attributes)."""
    return ZoneInfo(zone.name, zone.address or "", zone.hours or "", zone.phone or "")


@dataclass(frozen=True)
class ReceiptData:
    """What a receipt prints. Masking is done by the converter; this class prints what it is given."""

    tracking_no: str  # 受理编号
    submitted_at: datetime  # 受理时间 (terminal local time)
    applicant_name: str  # printed in full: the receipt is the applicant's own
    applicant_kind: str  # 公民 | 法人或者其他组织
    id_label: str  # e.g. 居民身份证
    id_masked: str  # e.g. 4301**********1234
    phone_masked: str  # e.g. 138****5678
    description: str  # 所需信息的名称、文号或者特征性描述
    deadline: date  # 答复期限
    deadline_explanation: str  # how the deadline was counted (Article 33, working days)
    zone: ZoneInfo
    qr_payload: str  # what the status-lookup QR code holds
    doc_number: str = ""  # 文号
    media: str = ""  # 纸质、电子邮件 …
    delivery: str = ""  # 邮寄、自行领取 …
    proxy_note: str = ""  # 工作人员代为填写 …
    reprint: bool = False  # 补打: printed again by staff (without ID and phone once delivered)


@dataclass(frozen=True)
class TicketData:
    """A queue ticket for the consultation desk."""

    number: str  # e.g. A012
    issued_at: datetime
    zone: ZoneInfo
    waiting: int  # people waiting before this number
    area: str = CONSULTATION_AREA


def cn_date(d: date) -> str:
    """``2026年12月25日（星期五）``."""
    return f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS[d.weekday()]}）"


def due_parts(d: date) -> list[str]:
    """The reply deadline in unbreakable parts: ``2026年12月25日`` ``（星期五）`` ``前（含当日）`` — the
    due day itself counts (Article 33: within 20 working days)."""
    return [f"{d.year}年{d.month}月{d.day}日", f"（星期{_WEEKDAYS[d.weekday()]}）", "前（含当日）"]


def cn_datetime(t: datetime) -> str:
    """``2026年11月27日 10:30``."""
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def status_qr_payload(tracking_no: str, status_url: str = "") -> str:
    """The QR payload: the status-lookup address with the tracking number, or the number alone."""
    if not status_url:
        return tracking_no
    sep = "&" if "?" in status_url else "?"
    return f"{status_url}{sep}no={quote(tracking_no)}"


def receipt_from_application(app: Application, zone: ZoneInfo, status_url: str = "") -> ReceiptData:
    """The receipt for a submitted application (``app.issued`` set), ID number and phone masked."""
    if app.issued is None:
        raise ValueError("the application has not been submitted: it has no tracking number yet")
    a, issued = app.applicant, app.issued
    id_label = a.id_type_other if a.id_type.value == "other" and a.id_type_other else a.id_type.label
    proxy = ""
    if app.proxy is not None:
        proxy = app.proxy.kind.label
    return ReceiptData(
        tracking_no=issued.tracking_no,
        submitted_at=issued.submitted_at,
        applicant_name=a.name,
        applicant_kind=a.kind.label,
        id_label=id_label,
        id_masked=mask_id(a.id_number),
        phone_masked=mask_phone(a.phone),
        description=app.request.description,
        doc_number=app.request.doc_number,
        media="、".join(m.label for m in app.media),
        delivery="、".join(d.label for d in app.delivery),
        deadline=issued.deadline,
        deadline_explanation=issued.deadline_explanation,
        zone=zone,
        qr_payload=status_qr_payload(issued.tracking_no, status_url),
        proxy_note=proxy,
    )


def receipt_from_facts(facts: Mapping[str, str], zone: ZoneInfo, status_url: str = "") -> ReceiptData:
    """A reprint from the facts kept after delivery (``kiosk.applications.service.receipt_facts``):
    the same receipt without the ID number and the phone, marked 补打."""
    no = facts["tracking_no"]
    return ReceiptData(
        tracking_no=no,
        submitted_at=datetime.fromisoformat(facts["submitted_at"]),
        applicant_name=facts["applicant_name"],
        applicant_kind=facts["applicant_kind"],
        id_label="",
        id_masked="",
        phone_masked="",
        description=facts["description"],
        deadline=date.fromisoformat(facts["deadline"]),
        deadline_explanation=facts.get("deadline_explanation", ""),
        zone=zone,
        qr_payload=status_qr_payload(no, status_url),
        doc_number=facts.get("doc_number", ""),
        media=facts.get("media", ""),
        delivery=facts.get("delivery", ""),
        proxy_note=facts.get("proxy_note", ""),
        reprint=True,
    )


def _layout(printer: PrinterConfig | Layout | None) -> Layout:
    if printer is None:
        return Layout()
    if isinstance(printer, Layout):
        return printer
    return Layout.of(printer)


def _zone_lines(doc: EscPosDocument, zone: ZoneInfo) -> None:
    doc.field("受理地点", zone.name)
    if zone.address:
        doc.field("地址", zone.address)
    if zone.hours:
        doc.field("办公时间", zone.hours)
    if zone.phone:
        doc.field("咨询电话", zone.phone)


def build_receipt(data: ReceiptData, printer: PrinterConfig | Layout | None = None) -> bytes:
    """The receipt's ESC/POS bytes for ``printer`` (default: 80 mm, GB18030, GBK font, cut)."""
    doc = EscPosDocument(_layout(printer))
    doc.line(data.zone.name, align="center")
    doc.line(RECEIPT_TITLE, align="center", scale=2, bold=True)
    doc.line(RECEIPT_SUBTITLE, align="center", scale=2, bold=True)
    if data.reprint:
        doc.line(REPRINT_NOTE, align="center")
    doc.rule()
    doc.line("受理编号", align="center")
    doc.whole_line(data.tracking_no)
    doc.rule()
    doc.field("受理时间", cn_datetime(data.submitted_at))
    doc.field("申请人", data.applicant_name)
    doc.field("申请人类型", data.applicant_kind)
    if data.id_masked:  # a reprint after delivery has neither: the terminal no longer holds them
        doc.field(data.id_label, data.id_masked)
    if data.phone_masked:
        doc.field("联系电话", data.phone_masked)
    doc.field_parts("所需信息", [data.description], limit=DESCRIPTION_LINES, more=SEE_FORM)
    if data.doc_number:
        doc.field("文号", data.doc_number)
    if data.media:
        doc.field("载体形式", data.media)
    if data.delivery:
        doc.field("获取方式", data.delivery)
    if data.proxy_note:
        doc.field("填写方式", data.proxy_note)
    doc.rule()
    doc.field_parts("答复期限", due_parts(data.deadline))
    if data.deadline_explanation:
        doc.line(data.deadline_explanation)
    doc.rule()
    _zone_lines(doc, data.zone)
    doc.rule()
    doc.line("扫码查询办理进度", align="center")
    doc.qr(data.qr_payload)
    doc.line("或在本终端“申请查询”中输入受理编号和联系电话。")
    doc.line("请妥善保管本回执。")
    return doc.finish()


def build_ticket(data: TicketData, printer: PrinterConfig | Layout | None = None) -> bytes:
    """The queue ticket's ESC/POS bytes for ``printer``."""
    doc = EscPosDocument(_layout(printer))
    doc.line(data.zone.name, align="center")
    doc.line(data.area, align="center", scale=2, bold=True)
    doc.rule()
    doc.line("您的排队号", align="center")
    doc.line(data.number, align="center", scale=2, bold=True)
    doc.line(f"前面还有 {data.waiting} 人等候" if data.waiting else "前面没有人等候，请稍候叫号", align="center")
    doc.rule()
    doc.field("取号时间", cn_datetime(data.issued_at))
    _zone_lines(doc, data.zone)
    doc.line("请留意叫号，过号请重新取号。", align="center")
    return doc.finish()


def build_test_page(
    printer: PrinterConfig | Layout | None = None, *, name: str = "", when: datetime | None = None
) -> bytes:
    """A staff test page: the layout, the three character repertoires, a QR code and a cut.

    Lines the printer's font lacks come out as images, so the page also shows whether ``font_charset``
    is set right: a GB2312 line always prints as text, a GBK line (镕堃喆) as text only from a GBK
    font, an Extension A line (㐀䶮) only from a GB18030 font, and 𬭎 is always an image.
    """
    layout = _layout(printer)
    doc = EscPosDocument(layout)
    doc.line("打印机测试页", align="center", scale=2, bold=True)
    if name:
        doc.line(name, align="center")
    doc.rule()
    doc.field("每行字符", str(layout.columns))
    doc.field("编码", layout.encoding.upper())
    doc.field("字库", layout.font_charset.upper())
    doc.field("测试时间", cn_datetime(when or datetime.now()))
    doc.rule()
    doc.line("GB2312：政务公开专区 申请受理 ￥１２３")
    doc.line("标点：。，、；：？！“”《》（）……——")
    doc.line("GBK：镕 堃 喆 珺 昇")
    doc.line("GB18030 扩展A：㐀 䶮")
    doc.line("扩展B及以后：𬭎 𠀀")
    doc.line("ASCII: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    doc.rule()
    doc.qr("https://gk.example.gov.cn/status?no=TEST-0000")
    doc.line("二维码应能被扫码枪或手机读出", align="center")
    return doc.finish()
