"""The bundled CJK font registered with reportlab (once per process; parsing it takes ~0.7 s).

``REGULAR`` and ``BOLD`` are the reportlab font names to use. Both are TrueType fonts that reportlab
embeds as subsets, so a PDF carries exactly the glyphs it shows — including supplementary-plane name
characters such as 𬭎, which the font has.
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.paths import font_path

REGULAR = "NotoSansSC"
BOLD = "NotoSansSC-Bold"

_lock = threading.Lock()
_registered: set[str] = set()


def register() -> None:
    """Register both weights with reportlab (idempotent, thread-safe)."""
    with _lock:
        for name, weight in ((REGULAR, "Regular"), (BOLD, "Bold")):
            if name not in _registered:
                pdfmetrics.registerFont(TTFont(name, str(font_path(weight))))
                _registered.add(name)


def has_glyph(char: str) -> bool:
    """Whether the bundled font can draw ``char`` (a single code point)."""
    register()
    font = pdfmetrics.getFont(REGULAR)
    return ord(char) in font.face.charToGlyph
