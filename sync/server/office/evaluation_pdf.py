"""The month's evaluation as an A4 report (通报) with charts, in the bundled font: the scores as a bar
chart, satisfaction by the five levels as stacked bars per zone, then the full table, the formula and
the most searched queries (those the terminals were allowed to send)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from printing.pdf.fonts import BOLD, REGULAR, register
from printing.pdf.layout import mm, wrap
from sync.server.office.evaluation import COLUMNS, LEVELS, Report, formula_text, rows

LEVEL_COLOURS = {
    5: colors.HexColor("#1b6e20"),
    4: colors.HexColor("#6aa84f"),
    3: colors.HexColor("#c9c9c9"),
    2: colors.HexColor("#e69138"),
    1: colors.HexColor("#a4161a"),
}


def _score_chart(c: Canvas, report: Report, x0: float, top: float, *, width: float, row_h: float) -> float:
    """Horizontal bars of the scores (0–100), best first; returns the bottom edge."""
    left = 40 * mm
    bar_w = width - left - 12 * mm
    y = top
    for z in report.zones:
        y -= row_h
        c.setFont(REGULAR, 8)
        c.setFillColor(colors.black)
        c.drawRightString(x0 + left - 2 * mm, y + row_h * 0.3, f"{z.rank}. {z.name}")
        c.setFillColor(colors.HexColor("#a4161a"))
        c.rect(x0 + left, y + row_h * 0.15, bar_w * max(0.0, min(z.score, 100.0)) / 100, row_h * 0.7, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont(REGULAR, 7)
        c.drawString(x0 + left + bar_w * min(z.score, 100.0) / 100 + 1.5 * mm, y + row_h * 0.3, f"{z.score:.1f}")
    c.setStrokeColor(colors.grey)
    c.setLineWidth(0.4)
    c.line(x0 + left, y, x0 + left + bar_w, y)
    c.setFont(REGULAR, 7)
    for tick in range(0, 101, 20):
        tx = x0 + left + bar_w * tick / 100
        c.line(tx, y, tx, y - 1.2 * mm)
        c.drawCentredString(tx, y - 4 * mm, str(tick))
    return y - 5 * mm


def _levels_chart(c: Canvas, report: Report, x0: float, top: float, *, width: float, row_h: float) -> float:
    """One stacked bar per zone: the share of each 好差评 level (zones without ratings say so)."""
    left = 40 * mm
    bar_w = width - left - 12 * mm
    x = x0 + left
    c.setFont(REGULAR, 8)
    for lv, label in LEVELS.items():
        c.setFillColor(LEVEL_COLOURS[lv])
        c.rect(x, top - 3 * mm, 3 * mm, 3 * mm, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.drawString(x + 4 * mm, top - 2.6 * mm, label)
        x += 24 * mm
    y = top - 5 * mm
    for z in report.zones:
        y -= row_h
        c.setFillColor(colors.black)
        c.setFont(REGULAR, 8)
        c.drawRightString(x0 + left - 2 * mm, y + row_h * 0.3, f"{z.name}（{z.ratings}）")
        if z.ratings == 0:
            c.setFillColor(colors.grey)
            c.setFont(REGULAR, 7)
            c.drawString(x0 + left + 1 * mm, y + row_h * 0.3, "本月无评价")
            continue
        x = x0 + left
        for lv in LEVELS:
            share = z.levels.get(lv, 0) / z.ratings
            if share:
                c.setFillColor(LEVEL_COLOURS[lv])
                c.rect(x, y + row_h * 0.15, bar_w * share, row_h * 0.7, stroke=0, fill=1)
                x += bar_w * share
    c.setFillColor(colors.black)
    return y


def build_report_pdf(report: Report, agency: str = "") -> bytes:  # noqa: PLR0915 - one page after another
    """The report for ``report.month``: charts on the first page, the table (landscape) after."""
    register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    y_, m_ = report.month.split("-")
    title = f"{y_}年{int(m_)}月政务公开专区“一月一评比”通报"
    c.setTitle(title)
    w, h = A4
    margin = 18 * mm
    c.setFont(BOLD, 18)
    c.drawCentredString(w / 2, h - margin - 6 * mm, title)
    c.setFont(REGULAR, 9)
    sub = f"{agency}　" if agency else ""
    c.drawCentredString(
        w / 2, h - margin - 13 * mm, f"{sub}全区 {len(report.zones)} 个专区；{formula_text(report.weights)}"
    )
    top = h - margin - 20 * mm
    c.setFont(BOLD, 12)
    c.drawString(margin, top, "一、综合得分与排名")
    row_h = min(6 * mm, 110 * mm / max(1, len(report.zones)))
    top = _score_chart(c, report, margin, top - 3 * mm, width=w - 2 * margin, row_h=row_h) - 6 * mm
    c.setFont(BOLD, 12)
    c.drawString(margin, top, "二、群众满意度（好差评五级）")
    top = _levels_chart(c, report, margin, top - 3 * mm, width=w - 2 * margin, row_h=row_h) - 8 * mm
    if report.popular_queries and top > margin + 20 * mm:
        c.setFont(BOLD, 12)
        c.drawString(margin, top, "三、群众检索较多的内容")
        c.setFont(REGULAR, 9)
        text = "；".join(f"{q}（{n}次）" for q, n in report.popular_queries)
        for line in wrap(text, REGULAR, 9, w - 2 * margin):
            top -= 5 * mm
            c.drawString(margin, top, line)
    c.setFont(REGULAR, 7)
    c.drawCentredString(w / 2, 10 * mm, f"{title} · 第 1 页")
    c.showPage()

    # the full table, landscape
    c.setPageSize(landscape(A4))
    lw, lh = landscape(A4)
    c.setFont(BOLD, 12)
    c.drawString(margin, lh - margin, "附表：各专区指标明细")
    widths = [9, 20, 11, 10, 11, 11, 11, 11, 9, 13, 10, 12, 9, 12, 9, 13, 11, 10, 12, 9, 13]
    scale = (lw - 2 * margin) / (sum(widths) * mm)
    col_w = [x * mm * scale for x in widths]
    y = lh - margin - 10 * mm
    row_h = 7 * mm

    def row(cells: list[str], font: str, size: float, fill: colors.Color | None = None) -> None:
        nonlocal y
        if fill is not None:
            c.setFillColor(fill)
            c.rect(margin, y - 2 * mm, sum(col_w), row_h, stroke=0, fill=1)
            c.setFillColor(colors.black)
        x = margin
        c.setFont(font, size)
        for text, cw in zip(cells, col_w, strict=True):
            lines = wrap(str(text), font, size, cw - 2)
            c.drawString(x + 1, y + (2 if len(lines) > 1 else 0), lines[0] if lines else "")
            if len(lines) > 1:
                c.drawString(x + 1, y - size + 1, lines[1])
            x += cw
        y -= row_h

    row(COLUMNS, BOLD, 7, colors.HexColor("#eef0f4"))
    for i, r in enumerate(rows(report)):
        row([str(v) for v in r], REGULAR, 7.5, colors.HexColor("#f7f7f7") if i % 2 else None)
    c.setFont(REGULAR, 8)
    y -= 4 * mm
    for line in wrap(
        "说明："
        + formula_text(report.weights)
        + "。满意度 = 各评价等级（非常满意=1、满意=0.75、基本满意=0.5、不满意=0.25、"
        "非常不满意=0）的平均，本月无评价的专区此项为0；按时答复率 = 按期答复数 / 本月答复数（本月无答复记为1）；"
        "使用活跃度 = 访问次数 / 访问最多专区的访问次数；差评整改率 = 已整改差评 / 差评数（无差评记为1）。"
        "时间均按北京时间统计。",
        REGULAR,
        8,
        lw - 2 * margin,
    ):
        c.drawString(margin, y, line)
        y -= 4.5 * mm
    c.setFont(REGULAR, 7)
    c.drawCentredString(lw / 2, 10 * mm, f"{title} · 第 2 页")
    c.showPage()
    c.save()
    return buf.getvalue()
