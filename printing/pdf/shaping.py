"""HarfBuzz-shaped runs as reportlab strings whose glyphs extract as the characters they came from.

reportlab (5.x) draws a ``ShapedStr`` glyph by glyph at the positions in its shape data (its own
uharfbuzz support), but the characters of that string must be codes of the font's subset: a glyph
with no character of its own (an Arabic joining form, a Mongolian medial form, a Tibetan stack) needs
a made-up code. reportlab's own shaper gives such glyphs a private-use code per glyph, and the PDF's
ToUnicode map then says "private use": ``pdftotext`` and copy-paste get nothing readable.

:func:`shape` runs HarfBuzz itself and gives each glyph the code of the *text it stands for* (its
cluster, from the shaping engine): the glyph's own character where its cmap has exactly that, else a
code from the supplementary private-use plane registered with the face, remembered in
:data:`PRIVATE_TEXT` so that :func:`printing.pdf.fonts`'s ToUnicode writer maps it back to that text.
Glyphs after the first of a multi-glyph cluster (a mark drawn apart from its letter) map to nothing.
A right-to-left ligature (Arabic lam-alef, لا) maps to its one presentation-form character (U+FEFB,
whose compatibility decomposition is لا): a reader reverses the characters of a right-to-left word,
and would turn two characters of one glyph into ال.
PDF readers then extract the run as typed; a right-to-left run is drawn in visual order and read back in
logical order by the reader's own bidi handling, as for any right-to-left PDF.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from typing import Any

import uharfbuzz as hb  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr

# code → the text its glyph stands for (codes are unique across faces: one counter)
PRIVATE_TEXT: dict[int, str] = {}
_codes: dict[tuple[str, int, str], int] = {}
_next_code = [0xF0000]
_lock = threading.Lock()
_hb_fonts: dict[str, Any] = {}
_FEATURES = {"kern": True, "liga": True}  # plus what each script requires, which HarfBuzz always applies


@lru_cache(maxsize=1)
def _presentation_forms() -> dict[str, str]:
    """Arabic presentation-form ligatures by the characters they stand for (first form found)."""
    out: dict[str, str] = {}
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        decomposed = unicodedata.normalize("NFKC", chr(cp))
        if len(decomposed) > 1 and decomposed != chr(cp):
            out.setdefault(decomposed, chr(cp))
    return out


def _hb_font(name: str, ttf: Any) -> Any:
    font = _hb_fonts.get(name)
    if font is None:
        font = _hb_fonts[name] = hb.Font(hb.Face(hb.Blob(ttf.face._ttf_data)))
    return font


def _code_for(name: str, ttf: Any, gid: int, text: str) -> int:
    """A code of the face's character map that draws glyph ``gid`` and stands for ``text``."""
    face = ttf.face
    if len(text) == 1 and face.charToGlyph.get(ord(text)) == gid:
        return ord(text)
    key = (name, gid, text)
    code = _codes.get(key)
    if code is None:
        code = _codes[key] = _next_code[0]
        _next_code[0] += 1
        face.charToGlyph[code] = gid
        face.glyphToChar.setdefault(gid, []).append(code)
        face.charWidths[code] = face._pdfScale(face.hmetrics[gid][0])
        PRIVATE_TEXT[code] = text
    return code


def shape(text: str, name: str, size: float, *, rtl: bool) -> tuple[ShapedStr, float]:
    """``text`` (logical order) shaped in the registered TrueType font ``name``: the glyphs in visual
    order as a ``ShapedStr`` for ``canvas.drawString``, and their advance in points at ``size``."""
    ttf = pdfmetrics.getFont(name)
    with _lock:
        font = _hb_font(name, ttf)
        buf = hb.Buffer()
        buf.add_str(text)
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        buf.guess_segment_properties()
        buf.direction = "rtl" if rtl else "ltr"
        hb.shape(font, buf, _FEATURES)
        infos, positions = buf.glyph_infos, buf.glyph_positions
        clusters = sorted({info.cluster for info in infos})
        ends = dict(zip(clusters, [*clusters[1:], len(text)], strict=True))
        seen: set[int] = set()
        # the first glyph of each cluster in logical order stands for the cluster's text
        order = range(len(infos) - 1, -1, -1) if rtl else range(len(infos))
        stands_for: dict[int, str] = {}
        for i in order:
            cluster = infos[i].cluster
            piece = text[cluster : ends[cluster]]
            if rtl and len(piece) > 1:
                piece = _presentation_forms().get(piece, piece)
            stands_for[i] = "" if cluster in seen else piece
            seen.add(cluster)
        chars: list[str] = []
        data: list[ShapeData] = []
        scale = ttf.face._pdfScale
        for i, (info, pos) in enumerate(zip(infos, positions, strict=True)):
            code = _code_for(name, ttf, info.codepoint, stands_for[i])
            chars.append(chr(code))
            data.append(
                ShapeData(
                    info.cluster,
                    scale(pos.x_advance),
                    scale(pos.y_advance),
                    scale(pos.x_offset),
                    scale(pos.y_offset),
                    ttf.face.charWidths[code],
                )
            )
    width = sum(d.x_advance for d in data) * size / 1000
    return ShapedStr("".join(chars), shapeData=data), float(width)
