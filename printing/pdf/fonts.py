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

REGULAR = stack.REGULAR.name
BOLD = stack.BOLD.name


def _utf16_hex(cp: int) -> str:
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
    # the common case first: one face draws it all (a reportlab standard font has no fallback)
    if face is None or text.isascii() or all(map(stack.coverage(face).__contains__, map(ord, text))):
        return float(pdfmetrics.stringWidth(text, font, size))
    return float(sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text, font)))


def draw(  # noqa: PLR0917 (canvas.drawString's x, y, text, plus the font and size it sets)
    c: Canvas, x: float, y: float, text: str, font: str, size: float, *, anchor: str = "start"
) -> float:
    """Draw ``text`` on the baseline ``y``, starting at ``x`` (``anchor="start"``), centred on it
    (``"middle"``) or ending at it (``"end"``); returns its width."""
    pieces = runs(text, font)
    total = sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in pieces)
    if anchor == "middle":
        x -= total / 2
    elif anchor == "end":
        x -= total
    for name, piece in pieces:
        c.setFont(name, size)
        c.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    c.setFont(font, size)
    return float(total)
