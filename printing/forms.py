"""The A4 application form (政府信息公开申请表) as PDF: blank, the fill-in sample (填写样例) and filled.

Laid out like the paper form in use: a bordered table with the applicant's details for a citizen (公民)
and for a legal person or other organisation (法人或者其他组织), the information wanted (所需信息情况),
the form and way of getting it (载体形式, 获取方式), proxy filing (代为填写), the applicant's pledge, the
signature and date, the tracking number (受理编号), and the notes drawn from Articles 29–33 of the
政府信息公开条例 below it.

Nothing is ever cut: each value wraps inside its cell and shrinks down to :data:`MIN_SIZE` (9 pt, the
smallest size we hold readable on paper); a value that still does not fit shows its beginning ending
in "…（全文见附页）" and is printed whole, under its label, on the extra page (附页).

API::

    build_form("blank" | "sample" | "filled", app) -> bytes     # app required for "filled"
    build_receipt_pdf(app, zone) -> bytes                        # printing.pdf.receipt
    build_document_pdf(doc) -> bytes                             # printing.pdf.document
    sample_application() -> Application                          # the example applicant of the sample

All text is drawn in the bundled Noto Sans SC, embedded as a subset (``pdffonts``: emb yes).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    RequestedInfo,
)
from kiosk.localtime import deadline_text
from printing.pdf import fonts
from printing.pdf.document import build_document_pdf
from printing.pdf.layout import BOLD, LEADING, REGULAR, Box, cell, checkboxes, mm, vertical_label, wrap
from printing.pdf.receipt import build_receipt_pdf

__all__ = ["FormKind", "build_document_pdf", "build_form", "build_receipt_pdf", "sample_application"]

FormKind = Literal["blank", "sample", "filled"]

TITLE = "政府信息公开申请表"
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
# column widths: section | sub-section | label | value | label | value
COLS = (11 * mm, 13 * mm, 31 * mm, 45 * mm, 36 * mm, 0.0)
COLS = (*COLS[:5], WIDTH - sum(COLS[:5]))
ROW = 8.2 * mm
CELL_PAD = 1.6 * mm  # layout.cell's default padding
DESCRIPTION_H = 34 * mm
MIN_SIZE = 9.0  # the smallest type a value is shrunk to before it continues on the 附页
MORE = "…（全文见附页）"
MAX_ROW = 15 * mm  # a one-line row grows to three lines at 9 pt before a value goes to the 附页
GROWTH = 14 * mm  # how much all rows together may grow and still leave the notes on the first page


class Overflow(list[tuple[str, str]]):
    """(label, the whole value) of each field printed on the 附页, and the room rows may still grow by."""

    spare: float = GROWTH


PLEDGE = (
    "本人（本单位）承诺：所填信息真实有效，所申请信息仅用于合法用途；因提供虚假信息产生的法律责任由本人（本单位）承担。"
)
BLANK_PROXY = "□工作人员代为填写　工号：　　　　　□代理人代为填写　姓名："
NOTES = (
    "填表说明：",
    "1. 依据《中华人民共和国政府信息公开条例》第二十九条，申请应当包括申请人的姓名或者名称、身份证明、联系方式；"
    "申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述；申请公开的政府信息的形式要求，"
    "包括获取信息的方式、途径。",
    "2. 公民填写“公民”栏，法人或者其他组织填写“法人或者其他组织”栏；带“（选填）”的栏目可不填。",
    "3. 申请人采用书面形式确有困难的，可以口头提出，由受理机构工作人员代为填写，并在“代为填写”栏注明。",
    "4. 申请内容不明确的，行政机关自收到申请之日起7个工作日内一次性告知补正（第三十条）。",
    "5. 不能当场答复的，行政机关自收到申请之日起20个工作日内答复；需要延长的，延长期限最长不超过20个工作日；"
    "征求第三方和其他机关意见所需时间不计算在内（第三十三条）。",
)


def sample_application() -> Application:
    """The example applicant printed on the fill-in sample (a made-up person with a valid-looking ID)."""
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="张三",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            employer="某某有限公司",
            phone="13800138000",
            address="××省××市××区××街道××路××号",
            postcode="100000",
            email="zhangsan@example.com",
        ),
        request=RequestedInfo(
            description="××街道2025年度老旧小区改造项目的实施方案及资金安排情况",
            doc_number="××政发〔2025〕××号",
            purpose="了解本小区改造安排",
        ),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )


def build_form(kind: FormKind, app: Application | None = None) -> bytes:
    """The A4 application form as PDF bytes: ``blank``, ``sample`` (填写样例) or ``filled`` with ``app``."""
    if kind == "filled" and app is None:
        raise ValueError("a filled form needs the application")
    if kind not in ("blank", "sample", "filled"):
        raise ValueError(f"unknown form kind {kind!r} (blank, sample, filled)")
    fonts.register()
    shown = None if kind == "blank" else (sample_application() if kind == "sample" else app)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=REGULAR, initialFontSize=10, pageCompression=1)
    c.setTitle(TITLE + ("（填写样例）" if kind == "sample" else ""))
    c.setAuthor("政务公开专区查询终端")
    c.setLineWidth(0.7)
    overflow = Overflow()
    _page(c, shown, overflow, sample=kind == "sample")
    if overflow:
        c.showPage()
        _continuation(c, overflow, shown)
    c.save()
    return buf.getvalue()


def _x(col: int) -> float:
    return MARGIN + sum(COLS[:col])


def _span(col: int, cols: int) -> float:
    return sum(COLS[col : col + cols])


def _field_row(
    c: Canvas, top: float, cells: list[tuple[int, int, str, bool]], overflow: Overflow, h: float = ROW
) -> float:
    """Cells from column 2 on: (first column, columns spanned, text, is_label); returns the next top.
    A value that does not fit goes whole onto ``overflow`` under the label before it."""
    label = ""
    h = _row_height(cells, h, overflow)
    for col, span, text, is_label in cells:
        box = Box(_x(col), top, _span(col, span), h)
        if is_label:
            cell(c, box, text, font=REGULAR, size=9.5, min_size=6.5, align="center")
            label = text
        elif cell(c, box, text, size=10.5, min_size=MIN_SIZE, more=MORE):
            overflow.append((label, text))
    return top - h


def _row_height(cells: list[tuple[int, int, str, bool]], h: float, overflow: Overflow) -> float:
    """The height the row's values need at 9 pt (at least ``h``, at most :data:`MAX_ROW` and what is
    left of :data:`GROWTH`)."""
    need = h
    for col, span, text, is_label in cells:
        if text and not is_label:
            lines = len(wrap(text, REGULAR, MIN_SIZE, _span(col, span) - 2 * CELL_PAD))
            need = max(need, lines * MIN_SIZE * LEADING + 2 * CELL_PAD * 0.6 + 1)
    grown = min(need, MAX_ROW, h + overflow.spare)
    overflow.spare -= grown - h
    return grown


def _page(c: Canvas, app: Application | None, overflow: Overflow, *, sample: bool) -> None:
    top = A4[1] - MARGIN
    c.setFont(BOLD, 19)
    c.drawCentredString(A4[0] / 2, top - 8 * mm, TITLE + ("（填写样例）" if sample else ""))
    issued = app.issued if app else None
    fonts.draw(
        c,
        A4[0] - MARGIN,
        top - 14 * mm,
        f"受理编号：{issued.tracking_no if issued else ''}",
        REGULAR,
        9.5,
        anchor="end",
    )
    if sample:
        _watermark(c)
    top = _applicant_section(c, top - 16.5 * mm, app.applicant if app else None, overflow)
    top = _request_section(c, top, app, overflow)
    top = _closing_section(c, top, app, overflow)
    top -= 4 * mm
    for i, note in enumerate(NOTES):
        font = BOLD if i == 0 else REGULAR
        for line in wrap(note, font, 8.5, WIDTH):
            c.setFont(font, 8.5)
            c.drawString(MARGIN, top - 8.5, line)
            top -= 8.5 * 1.45


def _applicant_section(c: Canvas, top: float, a: Applicant | None, overflow: Overflow) -> float:
    """申请人信息: the citizen rows, then the organisation rows; only the applicant's kind is filled."""
    citizen = a if a and a.kind is ApplicantKind.CITIZEN else None
    org = a if a and a.kind is ApplicantKind.ORGANISATION else None
    applicant_top = top
    # 公民
    id_name = _id_label(citizen) if citizen else ""
    rows_citizen = [
        [
            (2, 1, "姓名", True),
            (3, 1, _v(citizen, "name"), False),
            (4, 1, "工作单位", True),
            (5, 1, _v(citizen, "employer"), False),
        ],
        [
            (2, 1, "证件名称", True),
            (3, 1, id_name, False),
            (4, 1, "证件号码", True),
            (5, 1, _v(citizen, "id_number"), False),
        ],
        [
            (2, 1, "联系电话", True),
            (3, 1, _v(citizen, "phone"), False),
            (4, 1, "邮政编码", True),
            (5, 1, _v(citizen, "postcode"), False),
        ],
        [(2, 1, "通信地址", True), (3, 3, _v(citizen, "address"), False)],
        [
            (2, 1, "电子邮箱", True),
            (3, 1, _v(citizen, "email"), False),
            (4, 1, "传真（选填）", True),
            (5, 1, _v(citizen, "fax"), False),
        ],
    ]
    sub_top = top
    for row in rows_citizen:
        top = _field_row(c, top, row, overflow)
    vertical_label(c, Box(_x(1), sub_top, COLS[1], sub_top - top), "公民", size=10)
    # 法人或者其他组织
    org_id_label = "统一社会信用代码" if not org or org.id_type is IdType.USCC else _id_label(org)
    rows_org = [
        [(2, 1, "名称", True), (3, 3, _v(org, "name"), False)],
        [
            (2, 1, org_id_label, True),
            (3, 1, _v(org, "id_number"), False),
            (4, 1, "法定代表人或者主要负责人", True),
            (5, 1, _v(org, "legal_representative"), False),
        ],
        [
            (2, 1, "联系人姓名", True),
            (3, 1, _v(org, "contact_person"), False),
            (4, 1, "联系电话", True),
            (5, 1, _v(org, "phone"), False),
        ],
        [(2, 1, "通信地址", True), (3, 3, _v(org, "address"), False)],
        [
            (2, 1, "电子邮箱", True),
            (3, 1, _v(org, "email"), False),
            (4, 1, "邮政编码", True),
            (5, 1, _v(org, "postcode"), False),
        ],
        [(2, 1, "传真（选填）", True), (3, 3, _v(org, "fax"), False)],
    ]
    sub_top = top
    for row in rows_org:
        top = _field_row(c, top, row, overflow)
    vertical_label(c, Box(_x(1), sub_top, COLS[1], sub_top - top), "法人或者其他组织", size=9.5)
    vertical_label(c, Box(_x(0), applicant_top, COLS[0], applicant_top - top), "申请人信息", size=11)
    return top


def _request_section(c: Canvas, top: float, app: Application | None, overflow: Overflow) -> float:
    """所需信息情况: description, 文号, purpose, media, delivery."""
    section_top = top
    req = app.request if app else None
    box = Box(_x(2), top, COLS[2], DESCRIPTION_H)
    label = "所需信息的名称、文号或者其他特征性描述"
    cell(c, box, label, size=9.5, align="center")
    description = req.description if req else ""
    value_box = Box(_x(3), top, _span(3, 3), DESCRIPTION_H)
    if cell(c, value_box, description, size=10.5, min_size=MIN_SIZE, valign="top", more=MORE):
        overflow.append((label, description))
    top -= DESCRIPTION_H
    top = _field_row(
        c,
        top,
        [
            (2, 1, "文号（选填）", True),
            (3, 1, req.doc_number if req else "", False),
            (4, 1, "所需信息的用途（选填）", True),
            (5, 1, req.purpose if req else "", False),
        ],
        overflow,
    )
    top = _choice_row(
        c, top, "所需信息的指定提供载体形式（可多选）", [(m.label, bool(app and m in app.media)) for m in Medium]
    )
    top = _choice_row(
        c, top, "获取信息的方式（可多选）", [(d.label, bool(app and d in app.delivery)) for d in Delivery]
    )
    vertical_label(c, Box(_x(0), section_top, _span(0, 2), section_top - top), "所需信息情况", size=11)
    return top


def _closing_section(c: Canvas, top: float, app: Application | None, overflow: Overflow) -> float:
    """代为填写, 申请人承诺, signature and date, 受理编号 and 答复期限."""
    issued = app.issued if app else None
    proxy_text = ""
    if app and app.proxy:
        p = app.proxy
        who = f"工号 {p.staff_id}" if p.staff_id else (f"代理人 {p.agent_name}" if p.agent_name else "")
        proxy_text = "　".join(x for x in (p.kind.label, who, p.note) if x)
    top = _wide_row(c, top, "代为填写", proxy_text or ("" if app else BLANK_PROXY), overflow=overflow)
    cell(c, Box(_x(2), top, _span(2, 3), 11 * mm), PLEDGE, size=9, min_size=7)
    cell(c, Box(_x(5), top, COLS[5], 11 * mm))
    checkboxes(
        c, _x(5) + 3 * mm, top - 11 * mm / 2 - 3.2, [("已阅读并承诺", bool(app and app.pledge_accepted))], size=9.5
    )
    cell(c, Box(_x(0), top, _span(0, 2), 11 * mm), "申请人承诺", size=9.5, align="center")
    top -= 11 * mm
    sign_h = 15 * mm
    cell(c, Box(_x(0), top, _span(0, 2), sign_h), "申请人签名（盖章）", size=9.5, align="center")
    cell(c, Box(_x(2), top, _span(2, 2), sign_h))
    cell(c, Box(_x(4), top, COLS[4], sign_h), "申请日期", size=9.5, align="center")
    cell(
        c,
        Box(_x(5), top, COLS[5], sign_h),
        _cn_date(issued.submitted_at) if issued else "　　年　　月　　日",
        size=10.5,
        align="center",
    )
    top -= sign_h
    return _wide_row(c, top, "受理编号", "", split=True, issued=issued)


def _choice_row(c: Canvas, top: float, label: str, items: list[tuple[str, bool]]) -> float:
    cell(c, Box(_x(2), top, COLS[2], ROW + 1.5 * mm), label, size=9, min_size=6.5, align="center")
    cell(c, Box(_x(3), top, _span(3, 3), ROW + 1.5 * mm))
    checkboxes(c, _x(3) + 2 * mm, top - (ROW + 1.5 * mm) / 2 - 3.6, items, size=10.5)
    return top - ROW - 1.5 * mm


def _wide_row(
    c: Canvas,
    top: float,
    label: str,
    text: str,
    *,
    split: bool = False,
    issued: Issued | None = None,
    overflow: Overflow | None = None,
) -> float:
    if not split:
        h = ROW if overflow is None else _row_height([(2, 4, text, False)], ROW, overflow)
        cell(c, Box(_x(0), top, _span(0, 2), h), label, size=9.5, align="center")
        value = cell(c, Box(_x(2), top, _span(2, 4), h), text, size=10, min_size=MIN_SIZE, more=MORE)
        if value and overflow is not None:
            overflow.append((label, text))
        return top - h
    # the deadline in the one format every paper and screen uses (with its weekday and 含当日) takes
    # two lines in its cell: the row is as tall as that needs
    h = ROW * 1.45 if issued else ROW
    cell(c, Box(_x(0), top, _span(0, 2), h), label, size=9.5, align="center")
    cell(
        c,
        Box(_x(2), top, _span(2, 2), h),
        issued.tracking_no if issued else "（由受理机构填写）",
        size=11 if issued else 9,
        font=BOLD if issued else REGULAR,
    )
    cell(c, Box(_x(4), top, COLS[4], h), "答复期限", size=9.5, align="center")
    deadline = deadline_text(issued.deadline).replace("前", "\n前", 1) if issued else ""
    cell(c, Box(_x(5), top, COLS[5], h), deadline, size=10.5, min_size=8, align="center")
    return top - h


def _continuation(c: Canvas, overflow: Overflow, app: Application | None) -> None:
    """The 附页: each value that did not fit its cell, whole, under its label."""
    top = A4[1] - MARGIN
    c.setFont(BOLD, 15)
    c.drawCentredString(A4[0] / 2, top - 6 * mm, "政府信息公开申请表　附页")
    number = app.issued.tracking_no if app and app.issued else ""
    if number:
        fonts.draw(c, MARGIN, top - 13 * mm, f"受理编号：{number}", REGULAR, 9.5)
    y = top - 22 * mm
    for label, text in overflow:
        for font, line in [(BOLD, f"{label}（全文）："), *((REGULAR, x) for x in wrap(text, REGULAR, 10.5, WIDTH))]:
            if y < MARGIN:
                c.showPage()
                y = A4[1] - MARGIN - 10
            fonts.draw(c, MARGIN, y, line, font, 10.5)
            y -= 10.5 * 1.45
        y -= 3 * mm


def _watermark(c: Canvas) -> None:
    c.saveState()
    c.setFillGray(0.88)
    c.setFont(BOLD, 96)
    c.translate(A4[0] / 2, A4[1] / 2)
    c.rotate(35)
    c.drawCentredString(0, 0, "填写样例")
    c.restoreState()


def _v(a: Applicant | None, name: str) -> str:
    return str(getattr(a, name)) if a is not None else ""


def _id_label(a: Applicant) -> str:
    return a.id_type_other if a.id_type is IdType.OTHER and a.id_type_other else a.id_type.label


def _cn_date(d: datetime | date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
