"""A mirror document (title, meta, body) as a paginated A4 PDF — what the screen's print button prints.

The body is the mirror's Markdown or HTML reduced to paragraphs and headings (no images or tables:
the printout is for reading, attachments print separately). Lines wrap on the CJK rules of
:mod:`printing.pdf.layout`; each page carries the title and ``第 n 页 共 N 页``.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from printing.pdf import fonts
from printing.pdf.layout import BOLD, REGULAR, mm, wrap

MARGIN_X = 22 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
WIDTH = A4[0] - 2 * MARGIN_X
BODY_SIZE = 11.5
HEADING_SIZE = 13.0
LINE = 1.6  # body line height as a multiple of the size
STATUS_LABELS = {"in_force": "现行有效", "amended": "已修改", "repealed": "已废止", "expired": "已失效"}


class DocumentLike(Protocol):
    """What is printed of a document (``kiosk.mirror.models.Document`` has it)."""

    @property
    def title(self) -> str: ...

    @property
    def doc_number(self) -> str | None: ...

    @property
    def issuer(self) -> str | None: ...

    @property
    def published(self) -> str | None: ...

    @property
    def effective(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def body(self) -> str: ...

    @property
    def body_format(self) -> str: ...


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    indent: float = 0.0
    space_before: float = 0.0
    center: bool = False


def paragraphs(body: str, body_format: str) -> list[tuple[str, str]]:
    """The body as (kind, text) blocks, kind ``h`` (heading) or ``p``."""
    if body_format == "html":
        parser = _TextOfHtml()
        parser.feed(body)
        parser.close()
        return parser.blocks
    out: list[tuple[str, str]] = []
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
    for raw in body.replace("\r\n", "\n").split("\n"):  # a line is a paragraph (条, 款) in these texts
        line = raw.strip()
        if not line or re.fullmatch(r"[-*_]{3,}", line):
            continue
        if line.startswith("#"):
            out.append(("h", _strip_md(line.lstrip("#").strip())))
        else:
            out.append(("p", _strip_md(line)))
    return out


def _strip_md(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)


class _TextOfHtml(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._buf: list[str] = []
        self._kind = "p"
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self._flush()
            self._kind = "h" if tag.startswith("h") and tag[1:].isdigit() else "p"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self._flush()
            self._kind = "p"

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", html.unescape("".join(self._buf))).strip()
        if text:
            self.blocks.append((self._kind, text))
        self._buf = []


def _meta(doc: DocumentLike) -> list[str]:
    parts = [
        ("文号", doc.doc_number or ""),
        ("发布机关", doc.issuer or ""),
        ("发布日期", doc.published or ""),
        ("施行日期", doc.effective or ""),
        ("效力状态", STATUS_LABELS.get(doc.status, "")),
    ]
    return [f"{k}：{v}" for k, v in parts if v]


def _lay_out(doc: DocumentLike) -> list[_Line]:
    lines = [_Line(t, BOLD, 17, center=True, space_before=0) for t in wrap(doc.title, BOLD, 17, WIDTH)]
    for i, t in enumerate(_pack(_meta(doc), REGULAR, 9.5, WIDTH)):
        lines.append(_Line(t, REGULAR, 9.5, center=True, space_before=4 * mm if i == 0 else 0))
    first = True
    blocks = paragraphs(doc.body, doc.body_format)
    if blocks and blocks[0] == ("h", doc.title.strip()):  # the body repeats the title as its heading
        blocks = blocks[1:]
    for kind, text in blocks:
        font, size = (BOLD, HEADING_SIZE) if kind == "h" else (REGULAR, BODY_SIZE)
        indent = 0.0 if kind == "h" else 2 * size  # 首行缩进两字
        wrapped = wrap(text, font, size, WIDTH - indent)
        if kind == "p" and wrapped:  # the first line is indented; re-wrap the rest to the full width
            head = wrapped[0]
            rest = text[len(head) :].lstrip() if text.startswith(head) else ""
            wrapped = [head, *wrap(rest, font, size, WIDTH)] if rest else [head]
        for j, t in enumerate(wrapped):
            before = (6 * mm if first else (3 * mm if kind == "h" else 1.2 * mm)) if j == 0 else 0.0
            lines.append(_Line(t, font, size, indent=indent if j == 0 else 0.0, space_before=before))
        first = False
    return lines


def _pack(items: list[str], font: str, size: float, width: float) -> list[str]:
    """Items joined by wide spaces, a line break only between items (an item wider than a line wraps)."""
    lines: list[str] = []
    for item in items:
        joined = f"{lines[-1]}　{item}" if lines else item
        if lines and fonts.width(joined, font, size) <= width:
            lines[-1] = joined
        else:
            lines.extend(wrap(item, font, size, width))
    return lines


def build_document_pdf(doc: DocumentLike) -> bytes:
    """The document as PDF bytes: title, meta line, body paragraphs, page numbers."""
    fonts.register()
    lines = _lay_out(doc)
    pages: list[list[tuple[_Line, float]]] = [[]]
    y = A4[1] - MARGIN_TOP
    for line in lines:
        step = line.space_before + line.size * LINE
        if y - step < MARGIN_BOTTOM and pages[-1]:
            pages.append([])
            y = A4[1] - MARGIN_TOP
            step = line.size * LINE
        y -= step
        pages[-1].append((line, y))
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=REGULAR, initialFontSize=10, pageCompression=1)
    c.setTitle(doc.title)
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        for line, y in page:
            if line.center:
                fonts.draw(c, A4[0] / 2, y, line.text, line.font, line.size, anchor="middle")
            else:
                fonts.draw(c, MARGIN_X + line.indent, y, line.text, line.font, line.size)
        c.setFont(REGULAR, 8.5)
        c.drawCentredString(A4[0] / 2, MARGIN_BOTTOM / 2, f"第 {n} 页 共 {total} 页")
        if n > 1:
            fonts.draw(c, MARGIN_X, A4[1] - MARGIN_TOP / 2, doc.title[:40], REGULAR, 8.5)
        c.showPage()
    c.save()
    return buf.getvalue()
