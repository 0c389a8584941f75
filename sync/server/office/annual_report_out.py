"""The 政府信息公开工作年度报告 as the office publishes it: an HTML section for the console, an A4 PDF
(reportlab, the bundled Noto Sans SC) and a .docx the office edits before publishing (python-docx; it
names Noto Sans SC / 宋体 and leaves the narrative sections for the office to write).

Six parts as the format sets them: 一、总体情况 (a sentence of figures, the rest for the office),
二、主动公开政府信息情况, 三、收到和处理政府信息公开申请情况, 四、政府信息公开行政复议、行政诉讼情况,
五、存在的主要问题及改进情况 (for the office), 六、其他需要报告的事项 (the 信息处理费 charged).
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from printing.pdf.fonts import BOLD, REGULAR, register
from sync.server.office import annual_report as ar
from sync.server.office.models import Case

SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
FOR_THE_OFFICE = "（由政务公开办结合本年度工作情况填写。）"
OUTCOME_HEAD = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
# spanning headings (row0, col0, row1, col1) as the format draws them
T3_SPANS = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 6), (0, 7, 1, 7), (4, 0, 4, 7)]
T4_SPANS = [(0, 0, 1, 4), (0, 5, 0, 14), (1, 5, 1, 9), (1, 10, 1, 14)]


def title(report: ar.Report) -> str:
    return f"{report.agency}{report.year}年政府信息公开工作年度报告"


def table2(report: ar.Report) -> list[list[str]]:
    """二: the 第二十条 rows as the format lays them out (a heading row per 项)."""
    m = report.manual
    rules, normative = report.table2["rules"], report.table2["normative"]
    return [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *map(str, rules)],
        ["行政规范性文件", *map(str, normative)],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", m.get("licensing", "") or "—", "", ""],
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政处罚", m.get("penalty", "") or "—", "", ""],
        ["行政强制", m.get("enforcement", "") or "—", "", ""],
        ["第二十条第（八）项", "", "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        ["行政事业性收费", m.get("fees", "") or "—", "", ""],
    ]


def table3(report: ar.Report) -> list[list[str]]:
    """三: two header rows, then 一、二、三 (every result row)、四, cells 自然人 … 总计."""
    cols = [*ar.COLUMNS, "total"]

    def cells(key: str) -> list[str]:
        return [str(report.table3[key][c]) for c in cols]

    rows = [
        [
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "自然人",
            "法人或其他组织",
            "",
            "",
            "",
            "",
            "总计",
        ],
        ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
        ["一、本年新收政府信息公开申请数量", *cells("new")],
        ["二、上年结转政府信息公开申请数量", *cells("carried")],
        ["三、本年度办理结果", "", "", "", "", "", "", ""],
    ]
    rows += [[label, *cells(code)] for code, label in ar.RESULT_ROWS]
    rows.append(["四、结转下年度继续办理", *cells("next")])
    return rows


def table4(report: ar.Report) -> list[list[str]]:
    """四: 行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), each by outcome (15 numbers)."""
    keys = ("upheld", "corrected", "other", "pending", "total")
    numbers = [str(report.table4[g][k]) for g in ("review", "direct", "after") for k in keys]
    return [
        ["行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""],
        ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        [*OUTCOME_HEAD, *OUTCOME_HEAD, *OUTCOME_HEAD],
        numbers,
    ]


def summary(report: ar.Report) -> str:
    t = report.table3
    rv = report.table4
    suits = rv["direct"]["total"] + rv["after"]["total"]
    return (
        f"{report.year}年，本机关新收政府信息公开申请{t['new']['total']}件，上年结转{t['carried']['total']}件，"
        f"本年度办结{t['7']['total']}件，结转下年度继续办理{t['next']['total']}件；"
        f"因政府信息公开工作被申请行政复议{rv['review']['total']}件、被提起行政诉讼{suits}件。"
    )


def fee_text(session: Session, year: int) -> str:
    """六: the 信息处理费 of the year (notices issued in it; paid ones and their amount)."""
    notices = paid = amount = 0
    for case in session.scalars(select(Case).where(Case.fee_notice_on.is_not(None))):
        if case.fee_notice_on is None or case.fee_notice_on.year != year:
            continue
        notices += 1
        if case.fee_paid_on is not None:
            paid += 1
            amount += case.fee_amount or 0
    return (
        f"本年度依据《政府信息公开信息处理费管理办法》发出收费通知{notices}件，申请人缴纳{paid}件，"
        f"收取信息处理费共计{amount}元。"
    )


def sections(report: ar.Report, fees: str) -> list[tuple[str, str, list[list[str]], str]]:
    """The report for the console's page (``annual_report.html``): per section its heading, its text, its
    table's rows (empty: none) and the table's class."""
    return [
        (SECTIONS[0], summary(report), [], ""),
        (SECTIONS[1], "", table2(report), "t2"),
        (SECTIONS[2], "", table3(report), "t3"),
        (SECTIONS[3], "", table4(report), "t4"),
        (SECTIONS[4], "", [], ""),
        (SECTIONS[5], fees, [], ""),
    ]


def pdf(report: ar.Report, fees: str) -> bytes:
    """The report as an A4 PDF with the bundled font (every font embedded)."""
    register()
    buf = io.BytesIO()
    h = ParagraphStyle("h", fontName=BOLD, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    p = ParagraphStyle("p", fontName=REGULAR, fontSize=10.5, leading=17, firstLineIndent=21)
    cell = ParagraphStyle("c", fontName=REGULAR, fontSize=7.5, leading=9.5)
    head = ParagraphStyle("t", fontName=BOLD, fontSize=15, leading=22, alignment=1, spaceAfter=10)

    def grid(rows: list[list[str]], widths: list[float], spans: Sequence[tuple[int, int, int, int]] = ()) -> Table:
        t = Table([[Paragraph(html.escape(c), cell) for c in r] for r in rows], colWidths=widths, repeatRows=0)
        t.setStyle(TableStyle([("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spans]))
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ]
            )
        )
        return t

    width = A4[0] - 30 * mm
    story = [
        Paragraph(html.escape(title(report)), head),
        Paragraph(SECTIONS[0], h),
        Paragraph(html.escape(summary(report)), p),
        Paragraph(FOR_THE_OFFICE, p),
        Paragraph(SECTIONS[1], h),
        grid(table2(report), [width * 0.34, width * 0.22, width * 0.22, width * 0.22]),
        Paragraph(SECTIONS[2], h),
        grid(table3(report), [width * 0.37, *[width * 0.09] * 7], T3_SPANS),
        Paragraph(SECTIONS[3], h),
        grid(table4(report), [width / 15] * 15, T4_SPANS),
        Paragraph(SECTIONS[4], h),
        Paragraph(FOR_THE_OFFICE, p),
        Paragraph(SECTIONS[5], h),
        Paragraph(html.escape(fees), p),
        Spacer(1, 8 * mm),
    ]
    # our own canvas and frames rather than SimpleDocTemplate, whose document carries an unembedded Helvetica
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    c.setTitle(title(report))
    c.setAuthor(report.agency)
    page = 0
    while story:
        page += 1
        Frame(15 * mm, 18 * mm, A4[0] - 30 * mm, A4[1] - 36 * mm, showBoundary=0).addFromList(story, c)
        c.setFont(REGULAR, 8)
        c.drawCentredString(A4[0] / 2, 10 * mm, f"{title(report)} · 第{page}页")
        c.showPage()
    c.save()
    return buf.getvalue()


def docx(report: ar.Report, fees: str) -> bytes:
    """The report as an editable .docx (python-docx): the same text and tables, East Asian font set."""
    d = Document()
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    style = d.styles["Normal"]
    style.font.name = "Noto Sans SC"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans SC")
    d.add_heading(title(report), level=0)

    def grid(rows: list[list[str]], size: float, first_cm: float, merges: Sequence[tuple[int, int, int, int]]) -> None:
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        t.autofit = False
        rest = (17.0 - first_cm) / (len(rows[0]) - 1)
        for i, r in enumerate(rows):
            for j, text in enumerate(r):
                c = t.cell(i, j)
                c.width = Cm(first_cm if j == 0 else rest)
                c.text = text
                for para in c.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(size)
        for j, col in enumerate(t.columns):  # the grid LibreOffice and Word lay the table out by
            col.width = Cm(first_cm if j == 0 else rest)
        for r0, c0, r1, c1 in merges:  # the format's spanning headings (the text is in the first cell)
            merged = t.cell(r0, c0).merge(t.cell(r1, c1))
            for para in merged.paragraphs[1:]:
                if not para.text:  # the empty paragraphs of the cells merged in
                    para._element.getparent().remove(para._element)

    heading_rows = [i for i, r in enumerate(table2(report)) if r[0].startswith("第二十条")]
    d.add_heading(SECTIONS[0], level=1)
    d.add_paragraph(summary(report))
    d.add_paragraph(FOR_THE_OFFICE)
    d.add_heading(SECTIONS[1], level=1)
    grid(table2(report), 9, 5.0, [(i, 0, i, 3) for i in heading_rows])
    d.add_heading(SECTIONS[2], level=1)
    grid(table3(report), 8, 6.5, T3_SPANS)
    d.add_heading(SECTIONS[3], level=1)
    grid(table4(report), 7, 1.1, T4_SPANS)
    d.add_heading(SECTIONS[4], level=1)
    d.add_paragraph(FOR_THE_OFFICE)
    d.add_heading(SECTIONS[5], level=1)
    d.add_paragraph(fees)
    for s in d.styles:
        if s.name.startswith("Heading") or s.name == "Title":
            s.font.name = "Noto Sans SC"
            rpr = s.element.get_or_add_rPr()
            rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans SC")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def as_json(report: ar.Report) -> str:
    """The three tables' numbers, for checks and archiving."""
    return json.dumps(
        {"year": report.year, "三": report.table3, "四": report.table4, "二": report.table2}, ensure_ascii=False
    )
