"""The bundled font stack registered with reportlab, and text drawn with per-character font switching.

``REGULAR`` and ``BOLD`` are the reportlab names of Noto Sans SC. Characters Noto lacks (Extension B
and later, compatibility ideographs) are drawn from the fallback faces of :mod:`kiosk.fonts`, switched
per run of characters: :func:`draw` and :func:`width` take the place of ``canvas.drawString`` and
``stringWidth`` for any text that may hold such characters. All faces are TrueType and embedded as
subsets, so a PDF carries exactly the glyphs it shows.

reportlab (5.1) writes each subset's ToUnicode CMap entry as ``<%04X>``, which for a supplementary-plane
character gives five hex digits that PDF readers misparse (𪚥 U+2A6A5 extracts as U+2A6A): copy, search
and ``pdftotext`` then get the wrong character although the glyph is right. :func:`_to_unicode_cmap`
writes the UTF-16BE surrogate pair the PDF specification asks for and replaces reportlab's function.

A line in another script (:func:`kiosk.textlayout.needs_layout`: Uyghur, Mongolian, Tibetan, letters
with diacritics) is laid out in visual order by :mod:`kiosk.textlayout` and each run shaped by HarfBuzz
through reportlab's own uharfbuzz support (``shapeFragWord``: glyphs placed with HarfBuzz's advances and
offsets; a glyph with no character of its own, such as an Arabic joining form, gets a private-use code
in the subset). Such glyphs alone would extract as the wrong characters, so the drawn line is wrapped in
a marked-content span whose ``/ActualText`` is the line as typed (PDF 32000-1 §14.9.4): ``pdftotext``,
copy and search get the name back in logical order.

Noto is registered by :func:`register` (parsing it takes ~0.3 s: do it at start-up); a fallback face
(0.7 s for the Extension B face) only when a text first needs it.
"""

from __future__ import annotations

import struct
import threading
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk import fonts as stack
from kiosk import textlayout
from printing.pdf import shaping

REGULAR = stack.REGULAR.name
BOLD = stack.BOLD.name


def _utf16_hex(cp: int) -> str:
    """The UTF-16BE hex of ``cp``, or of the text a shaped glyph's private code stands for."""
    text = shaping.PRIVATE_TEXT.get(cp)
    if text is not None:
        return text.encode("utf-16-be").hex().upper()
    return "".join(f"{unit:04X}" for unit in struct.unpack(f">{2 if cp > 0xFFFF else 1}H", chr(cp).encode("utf-16-be")))


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ``makeToUnicodeCMap`` with each destination as UTF-16BE (surrogate pairs beyond the BMP)."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_lock = threading.Lock()
_registered: set[str] = set()
_BY_NAME = {face.name: face for face in stack.ALL_FACES}


def _ensure(face: stack.Face) -> None:
    if face.name in _registered:
        return
    with _lock:
        if face.name not in _registered:
            pdfmetrics.registerFont(TTFont(face.name, str(face.path)))
            _registered.add(face.name)


def register() -> None:
    """Register both Noto weights with reportlab (idempotent, thread-safe)."""
    _ensure(stack.REGULAR)
    _ensure(stack.BOLD)


def has_glyph(char: str) -> bool:
    """Whether some bundled face can draw ``char`` (a single code point)."""
    return stack.face_for(char) is not None


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` as (reportlab font name, piece) runs for a text set in ``font`` (REGULAR or BOLD)."""
    out = []
    for face, piece in stack.runs(text, bold=font == BOLD):
        _ensure(face)
        out.append((face.name, piece))
    return out


@lru_cache(maxsize=65536)
def _char_width(ch: str, font: str, size: float) -> float:
    return _width(ch, font, size)


def width(text: str, font: str, size: float) -> float:
    """The advance width of ``text`` in points, each run measured in the face that draws it."""
    # Wrapping measures one character at a time: those are cached (single characters only, so no
    # resident's words stay in memory).
    return _char_width(text, font, size) if len(text) == 1 else _width(text, font, size)


def _width(text: str, font: str, size: float) -> float:
    face = _BY_NAME.get(font)
    if face is not None and textlayout.needs_layout(text):
        return sum(w for _, _, w, _ in _laid_out(text, font, size))
    # the common case first: one face draws it all (a reportlab standard font has no fallback)
    if face is None or text.isascii() or all(map(stack.coverage(face).__contains__, map(ord, text))):
        return float(pdfmetrics.stringWidth(text, font, size))
    return float(sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text, font)))


def draw(  # noqa: PLR0917 (canvas.drawString's x, y, text, plus the font and size it sets)
    c: Canvas, x: float, y: float, text: str, font: str, size: float, *, anchor: str = "start"
) -> float:
    """Draw ``text`` on the baseline ``y``, starting at ``x`` (``anchor="start"``), centred on it
    (``"middle"``) or ending at it (``"end"``); returns its width."""
    laid_out = textlayout.needs_layout(text) and font in _BY_NAME
    pieces = _laid_out(text, font, size) if laid_out else _plain(text, font, size)
    total = sum(piece[2] for piece in pieces)
    if anchor == "middle":
        x -= total / 2
    elif anchor == "end":
        x -= total
    for name, piece, w, actual in pieces:
        if actual:
            c._code.append(f"/Span <</ActualText <FEFF{actual.encode('utf-16-be').hex().upper()}>>> BDC")
        c.setFont(name, size)
        c.drawString(x, y, piece)
        if actual:
            c._code.append("EMC")
        x += w
    c.setFont(font, size)
    return float(total)


def _plain(text: str, font: str, size: float) -> list[tuple[str, str, float, str]]:
    return [(name, piece, pdfmetrics.stringWidth(piece, name, size), "") for name, piece in runs(text, font)]


def _laid_out(text: str, font: str, size: float) -> list[tuple[str, str, float, str]]:
    """(font name, text to draw, width, actual text) in visual order. Shaped runs come back as
    reportlab ``ShapedStr`` (glyphs at HarfBuzz's positions), which ``drawString`` places glyph by glyph.

    A left-to-right shaped run also carries its text as ``/ActualText``: its marks and stacks sit off
    the baseline, where a reader would take them for another line. A right-to-left run does not: a
    reader lays an actual text out left to right and would then reverse it; its glyphs' own
    ToUnicode entries (:mod:`printing.pdf.shaping`) read back in logical order instead."""
    out: list[tuple[str, str, float, str]] = []
    for run in textlayout.layout_runs(text, bold=font == BOLD):
        _ensure(run.face)
        if run.shaped:
            shaped, w = shaping.shape(run.text, run.face.name, size, rtl=run.rtl)
            out.append((run.face.name, shaped, w, "" if run.rtl else run.text))
        else:
            out.append((run.face.name, run.text, pdfmetrics.stringWidth(run.text, run.face.name, size), ""))
    return out
