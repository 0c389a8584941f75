"""A case's file (案卷) as one PDF to print or archive: a cover with the case's facts, the application as
received (every code as its Chinese label) and the whole log (Beijing time), followed by every notice as
issued (its stored bytes, withdrawn ones too, each preceded in the list by its 文号 and state) and the
PDF files given with the reply or received with the application. Files that are not PDFs are listed, not
embedded. Route: ``/admin/office/cases/{no}/case-file.pdf`` (logged: it carries personal data).
"""

from __future__ import annotations

import html
import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from printing.pdf.fonts import BOLD, REGULAR, register
from sync.server.office import case_status, issued, notices
from sync.server.office import lifecycle as lc
from sync.server.office.applicant import applicant_facts
from sync.server.office.models import Case, CaseFile
from sync.server.office.register import channel_label

ROLE_LABELS = {"application": "申请表扫描件", "reply": "答复材料", "draft": "部门草拟答复"}


def _cover(session: Session, case: Case, facts: list[tuple[str, str]], data_text: object) -> bytes:
    register()
    h = ParagraphStyle("h", fontName=BOLD, fontSize=12, leading=18, spaceBefore=6, spaceAfter=4)
    cell = ParagraphStyle("c", fontName=REGULAR, fontSize=8, leading=10.5)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=16, leading=24, alignment=1, spaceAfter=8)

    def grid(rows: list[list[str]], widths: list[float]) -> Table:
        t = Table([[Paragraph(html.escape(c), cell) for c in r] for r in rows], colWidths=widths, repeatRows=1)
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        t.setStyle(TableStyle([*style, ("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
        return t

    width = A4[0] - 30 * mm
    log_rows = [["日期", "经办人", "步骤", "理由", "内容"]]
    for e in lc.events(session, case.tracking_no):
        text = data_text(e.data) if callable(data_text) else ""
        log_rows.append([str(e.on), e.actor, lc.ACTION_LABELS.get(e.action, e.action), e.reason, str(text)])
    notice_rows = [["文号", "文书", "出具日期", "状态"]] + [
        [n.number, notices.KINDS[n.kind], str(n.issued_on), f"已撤回（{n.withdrawn_on}）" if n.withdrawn_on else "有效"]
        for n in issued.of_case(session, case.tracking_no)
    ]
    files = session.scalars(select(CaseFile).where(CaseFile.tracking_no == case.tracking_no).order_by(CaseFile.id))
    file_rows = [["类别", "文件名", "上传人"]] + [
        [ROLE_LABELS.get(f.role or "reply", ""), f.name, f.actor] for f in files
    ]
    story = [
        Paragraph(f"政府信息公开申请办理案卷　{html.escape(case.tracking_no)}", title),
        Paragraph("办理情况与申请内容", h),
        grid([[k, v] for k, v in facts], [width * 0.25, width * 0.75]),
        Paragraph("办理记录（日期为北京时间）", h),
        grid(log_rows, [width * 0.12, width * 0.13, width * 0.17, width * 0.25, width * 0.33]),
        Paragraph("文书（按出具顺序附后）", h),
        grid(notice_rows, [width * 0.35, width * 0.35, width * 0.15, width * 0.15]),
        Paragraph("材料（PDF 文件附后）", h),
        grid(file_rows, [width * 0.2, width * 0.6, width * 0.2]),
    ]
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(f"案卷 {case.tracking_no}")
    page = 0
    while story:
        page += 1
        _fill(Frame(15 * mm, 16 * mm, width, A4[1] - 32 * mm), story, c)
        c.setFont(REGULAR, 8)
        c.drawCentredString(A4[0] / 2, 9 * mm, f"案卷 {case.tracking_no} · 目录及办理记录 第{page}页")
        c.showPage()
    c.save()
    return buf.getvalue()


def _fill(frame: Frame, story: list[Flowable], c: Canvas) -> None:
    """Put as much of ``story`` as fits into ``frame``, splitting a long table across pages (a heading
    stays with the start of its table rather than alone at the foot of a page)."""
    while story:
        if frame.add(story[0], c):
            story.pop(0)
            continue
        parts = frame.split(story[0], c)
        if len(parts) < 2:  # a split gives the part that fits and the rest
            if not frame._atTop:
                return
            raise ValueError("a flowable does not fit on an empty page")
        story[0:1] = parts


def build(session: Session, case: Case, data_text: object = None) -> bytes:
    """The case file as one PDF (see the module docstring); ``data_text`` renders a log entry's facts."""
    st = case_status.public_status(case, session)
    app = notices.application_of(session, case.tracking_no)
    facts = [("受理编号", case.tracking_no), ("收到渠道", channel_label(case.channel)), ("阶段", st["stage_label"])]
    facts += [(d["label"], d["date"]) for d in st["dates"]]
    if case.due:
        facts.append(("答复期限", str(case.due)))
    facts += [(k, str(v)) for k, v in applicant_facts(app) if v]
    out = PdfWriter()
    for page in PdfReader(io.BytesIO(_cover(session, case, facts, data_text))).pages:
        out.add_page(page)
    for n in issued.of_case(session, case.tracking_no):
        for page in PdfReader(io.BytesIO(n.pdf)).pages:
            out.add_page(page)
    files = session.scalars(select(CaseFile).where(CaseFile.tracking_no == case.tracking_no).order_by(CaseFile.id))
    for f in files:
        if not (f.content_type == "application/pdf" or f.name.lower().endswith(".pdf")):
            continue
        try:
            for page in PdfReader(io.BytesIO(f.data)).pages:
                out.add_page(page)
        except (PdfReadError, ValueError, KeyError):
            continue  # a damaged or non-PDF upload stays listed on the cover
    buf = io.BytesIO()
    out.write(buf)
    return buf.getvalue()
