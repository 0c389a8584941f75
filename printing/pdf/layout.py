"""A small reportlab-canvas toolkit for Chinese A4 pages: line wrapping, bordered cells, check boxes.

Coordinates are PDF points with the origin at the bottom left, as reportlab has them; ``y`` arguments
named ``top`` are the upper edge of a box. Wrapping breaks between any two CJK characters, keeps
Latin words and numbers whole where they fit, and never starts a line with closing punctuation
(避头尾: ，。、；：？！）》」 …) nor end one with an opening bracket (（《「“ …): it goes down with
the text it opens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm as _mm
from reportlab.pdfgen.canvas import Canvas

from printing.pdf.fonts import BOLD, REGULAR, draw
from printing.pdf.fonts import width as stringWidth

__all__ = ["BOLD", "REGULAR", "Box", "cell", "checkboxes", "fit", "mm", "vertical_label", "wrap"]

mm: float = float(_mm)  # one millimetre in points
NO_LINE_START = set("，。、；：？！）》」』】〕”’…—·,.;:?!)]}%％\u0f0b\u0f0d\u0f0e")  # with the Tibetan tsheg and shad
NO_LINE_END = set("（《「『【〔“‘([{")
# Words kept whole: ASCII words and numbers, and words of the alphabetic scripts of names (Latin with
# diacritics, Greek, Cyrillic, Arabic/Uyghur, Tibetan, Mongolian, with their combining marks and joiners)
# and Hangul; Chinese and Yi break between any two characters.
_WORD_CHARS = (
    "A-Za-z0-9@._\\-/:+#%"
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u052f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\u0f00-\u0f0a\u0f0c-\u0fff\u1800-\u18af\u1ab0-\u1aff\u1c80-\u1c8f\u1dc0-\u1fff"
    "\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3\u200c\u200d\u2c60-\u2c7f\u2de0-\u2dff"
    "\ua640-\ua69f\ua720-\ua7ff\uab30-\uab6f\ufb50-\ufdff\ufe70-\ufefe"
)
_TOKEN = re.compile(f"[{_WORD_CHARS}]+|\\s+|.", re.DOTALL)
LEADING = 1.35  # line height as a multiple of the font size


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (explicit newlines kept)."""
    lines: list[str] = []
    for para in text.replace("\r\n", "\n").split("\n"):
        lines.extend(_wrap_paragraph(para, font, size, width))
    return lines


def _wrap_paragraph(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    line_w = 0.0
    for tok in _tokens(text):
        tok_w = stringWidth(tok, font, size)
        if tok_w > width and not tok.isspace():  # a word longer than the line: break it by characters
            for ch in tok:
                ch_w = stringWidth(ch, font, size)
                if line and line_w + ch_w > width:
                    lines.append("".join(line).rstrip())
                    line, line_w = [], 0.0
                line.append(ch)
                line_w += ch_w
            continue
        if line_w + tok_w <= width or not line:
            line.append(tok)
            line_w += tok_w
            continue
        if tok.isspace():
            lines.append("".join(line).rstrip())
            line, line_w = [], 0.0
            continue
        # 避头尾: closing punctuation takes the character before it along; an opening bracket goes
        # down with the text it opens.
        carry: list[str] = []
        if tok in NO_LINE_START:
            while line and line[-1] in NO_LINE_START:
                carry.insert(0, line.pop())
            if line:
                carry.insert(0, line.pop())
        while line and line[-1] in NO_LINE_END:
            carry.insert(0, line.pop())
        if not line:  # nothing would be left: break where it falls instead
            line, carry = carry, []
        lines.append("".join(line).rstrip())
        while carry and carry[0].isspace():
            carry.pop(0)
        line = [*carry, tok]
        line_w = stringWidth("".join(line), font, size)
    lines.append("".join(line).rstrip())
    return lines


def fit(
    text: str, font: str, size: float, width: float, height: float, *, min_size: float = 7.0
) -> tuple[float, list[str], list[str]]:
    """The largest size ≤ ``size`` (down to ``min_size``) at which ``text`` fits the box; returns
    (size, lines that fit, lines that did not fit at ``min_size``)."""
    s = size
    while True:
        lines = wrap(text, font, s, width)
        capacity = max(1, int(height // (s * LEADING)))
        if len(lines) <= capacity:
            return s, lines, []
        if s - 0.5 < min_size:
            return s, lines[:capacity], lines[capacity:]
        s -= 0.5


@dataclass(frozen=True)
class Box:
    """A rectangle: left, top (upper edge), width, height, in points."""

    x: float
    top: float
    w: float
    h: float


def cell(
    c: Canvas,
    box: Box,
    text: str = "",
    *,
    font: str = REGULAR,
    size: float = 10.0,
    min_size: float = 7.0,
    align: str = "left",
    valign: str = "middle",
    pad: float = 1.6 * mm,
    border: bool = True,
    more: str = "",
) -> list[str]:
    """Draw a bordered cell holding ``text`` (shrunk to fit, then wrapped); returns the lines that did
    not fit (empty when all of it did), so a caller can continue them elsewhere. With ``more`` (e.g.
    ``"…（全文见附页）"``) the last line shown ends with it when some text did not fit."""
    if border:
        c.rect(box.x, box.top - box.h, box.w, box.h, stroke=1, fill=0)
    if not text:
        return []
    inner_w = box.w - 2 * pad
    inner_h = box.h - 2 * pad * 0.6
    s, lines, rest = fit(text, font, size, inner_w, inner_h, min_size=min_size)
    if rest and more:
        lines = [*lines[:-1], _ending(lines[-1], more, font, s, inner_w)]
    lead = s * LEADING
    block = len(lines) * lead
    y = box.top - pad * 0.6 - s if valign == "top" else box.top - (box.h - block) / 2 - s * 1.05
    for line in lines:
        if align == "center":
            draw(c, box.x + box.w / 2, y, line, font, s, anchor="middle")
        else:
            draw(c, box.x + pad, y, line, font, s)
        y -= lead
    return rest


def _ending(line: str, more: str, font: str, size: float, width: float) -> str:
    """``line`` cut so that ``more`` fits after it on the same line."""
    room = width - stringWidth(more, font, size)
    while line and stringWidth(line, font, size) > room:
        line = line[:-1]
    return line + more


def vertical_label(c: Canvas, box: Box, text: str, *, font: str = BOLD, size: float = 10.0) -> None:
    """A bordered cell with ``text`` written top to bottom, one character a line, centred."""
    c.rect(box.x, box.top - box.h, box.w, box.h, stroke=1, fill=0)
    step = min(size * 1.25, (box.h - 2 * mm) / max(1, len(text)))
    s = min(size, step / 1.1)
    c.setFont(font, s)
    y = box.top - (box.h - step * len(text)) / 2 - s
    for ch in text:
        c.drawCentredString(box.x + box.w / 2, y, ch)
        y -= step


def checkboxes(
    c: Canvas, x: float, y: float, items: Sequence[tuple[str, bool]], *, size: float = 10.0, gap: float = 5 * mm
) -> float:
    """``□ 纸质  □ 电子邮件 …`` on the baseline ``y`` from ``x``; a checked item gets a ✓ drawn in its box
    (so the text reads ``□✓纸质``). Returns the x after the last item."""
    for label, checked in items:
        c.setFont(REGULAR, size)
        c.drawString(x, y, "□")
        box_w = stringWidth("□", REGULAR, size)
        if checked:
            c.setFont(BOLD, size * 0.95)
            c.drawString(x + box_w * 0.08, y + size * 0.05, "✓")
        c.setFont(REGULAR, size)
        c.drawString(x + box_w + 0.8 * mm, y, label)
        x += box_w + 0.8 * mm + stringWidth(label, REGULAR, size) + gap
    return x
