"""The application receipt (政府信息公开申请受理回执) as an A4 PDF page.

The same facts as the ESC/POS receipt (printing.escpos.receipt): tracking number, time, the applicant
(ID and phone masked), what was asked, form and way of getting it, the reply deadline and how it was
counted, the zone's address, hours and phone, and a QR code for the status lookup holding the tracking
number (or ``status_url?no=…`` when a status address is given). This page holds personal data.
"""

from __future__ import annotations

import io
from typing import Protocol
from urllib.parse import quote

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.applications.model import Application, IdType, mask_id, mask_phone
from kiosk.localtime import deadline_text
from printing.pdf import fonts
from printing.pdf.layout import BOLD, LEADING, REGULAR, Box, cell, mm, wrap

MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN
LABEL_W = 34 * mm
PAD = 1.6 * mm  # layout.cell's padding
MIN_SIZE = 9.0  # the smallest type a value is set in
SEE_FORM = "……（详见申请表）"


class ZoneLike(Protocol):
    """What the receipt shows of the zone (``kiosk.mirror.models.Zone`` has it)."""

    @property
    def name(self) -> str: ...

    @property
    def address(self) -> str: ...

    @property
    def hours(self) -> str: ...

    @property
    def phone(self) -> str: ...


def status_qr_payload(tracking_no: str, status_url: str = "") -> str:
    """What the QR code holds: the tracking number, or the status address with it (as on the slip)."""
    if not status_url:
        return tracking_no
    return f"{status_url}{'&' if '?' in status_url else '?'}no={quote(tracking_no)}"


def build_receipt_pdf(app: Application, zone: ZoneLike, status_url: str = "") -> bytes:
    """The receipt of a submitted application (``app.issued`` set) as PDF bytes."""
    if app.issued is None:
        raise ValueError("the application has not been submitted: it has no tracking number yet")
    fonts.register()
    issued, a = app.issued, app.applicant
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=REGULAR, initialFontSize=10, pageCompression=1)
    c.setTitle("政府信息公开申请受理回执")
    c.setLineWidth(0.7)
    top = A4[1] - MARGIN
    c.setFont(BOLD, 19)
    c.drawCentredString(A4[0] / 2, top - 8 * mm, "政府信息公开申请受理回执")
    fonts.draw(c, A4[0] / 2, top - 15 * mm, zone.name, REGULAR, 10, anchor="middle")
    top -= 22 * mm

    qr_size = 34 * mm
    _qr(c, status_qr_payload(issued.tracking_no, status_url), A4[0] - MARGIN - qr_size, top - qr_size - 2 * mm, qr_size)
    c.setFont(REGULAR, 8)
    c.drawCentredString(A4[0] - MARGIN - qr_size / 2, top - qr_size - 5 * mm, "扫码查询办理进度")

    c.setFont(REGULAR, 10.5)
    c.drawString(MARGIN, top - 6 * mm, "受理编号")
    c.setFont(BOLD, 22)
    c.drawString(MARGIN, top - 16 * mm, issued.tracking_no)
    c.setFont(REGULAR, 10.5)
    t = issued.submitted_at
    c.drawString(MARGIN, top - 24 * mm, f"受理时间：{t.year}年{t.month}月{t.day}日 {t:%H:%M}")
    top -= qr_size + 9 * mm

    id_label = a.id_type_other if a.id_type is IdType.OTHER and a.id_type_other else a.id_type.label
    rows: list[tuple[str, str, float]] = [
        ("申请人", f"{a.name}（{a.kind.label}）", 9 * mm),
        (id_label, mask_id(a.id_number), 9 * mm),
        ("联系电话", mask_phone(a.phone), 9 * mm),
        ("所需信息", app.request.description, 30 * mm),
    ]
    if app.request.doc_number:
        rows.append(("文号", app.request.doc_number, 9 * mm))
    rows += [
        ("载体形式", "、".join(m.label for m in app.media), 9 * mm),
        ("获取方式", "、".join(d.label for d in app.delivery), 9 * mm),
        ("答复期限", deadline_text(issued.deadline), 9 * mm),
        ("期限计算", issued.deadline_explanation, 15 * mm),
    ]
    if app.proxy is not None:
        rows.append(("代为填写", app.proxy.kind.label, 9 * mm))
    for label, value, least in rows:
        h = least
        if label != "所需信息":  # every other row grows to hold its value whole at 9 pt
            count = len(wrap(value, REGULAR, MIN_SIZE, WIDTH - LABEL_W - 2 * PAD))
            h = max(least, count * MIN_SIZE * LEADING + 2 * PAD * 0.6 + 1)
        cell(c, Box(MARGIN, top, LABEL_W, h), label, size=10, align="center")
        value_box = Box(MARGIN + LABEL_W, top, WIDTH - LABEL_W, h)
        # the description is shortened here, the form has all of it
        cell(c, value_box, value, size=11, min_size=MIN_SIZE, valign="top" if h > 10 * mm else "middle", more=SEE_FORM)
        top -= h

    top -= 6 * mm
    lines = [
        ("受理地点", f"{zone.name}　{zone.address}".strip()),
        ("办公时间", zone.hours),
        ("咨询电话", zone.phone),
    ]
    for label, value in lines:
        if value:
            top = _para(c, top, f"{label}：{value}", 10)
    top -= 3 * mm
    notes = (
        "说明：行政机关不能当场答复的，自收到申请之日起20个工作日内予以答复；需要延长答复期限的，经政府信息公开"
        "工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。征求第三方和其他机关意见所需时间不计算在内"
        "（《中华人民共和国政府信息公开条例》第三十三条）。凭受理编号和联系电话可在本终端“申请查询”中查询办理进度。"
        "请妥善保管本回执。"
    )
    _para(c, top, notes, 9)
    c.save()
    return buf.getvalue()


def _qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """A QR code (error correction M) drawn as filled squares, lower-left corner at (x, y)."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell_size = size / len(matrix)
    c.saveState()
    c.setFillGray(0)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * cell_size, y + size - (r + 1) * cell_size, cell_size, cell_size, stroke=0, fill=1)
    c.restoreState()


def _para(c: Canvas, top: float, text: str, size: float) -> float:
    for line in wrap(text, REGULAR, size, WIDTH):
        fonts.draw(c, MARGIN, top - size, line, REGULAR, size)
        top -= size * 1.5
    return top
