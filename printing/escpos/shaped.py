"""Runs of a receipt line set by the shaping engine: Pillow's Raqm layout (HarfBuzz, FriBiDi).

Used by :mod:`printing.escpos.raster` to draw a name in Uyghur, Mongolian, Tibetan, Yi or Latin with
diacritics, and by :mod:`printing.escpos.cjk` to know how many font-A cells it takes on paper. Widths
come from HarfBuzz directly (uharfbuzz: the same advances Raqm draws with, unhinted, about seven times
quicker than asking Pillow, and wrapping asks for every word).
"""

from __future__ import annotations

import math
from functools import lru_cache

import uharfbuzz as hb  # type: ignore[import-untyped]
from PIL import ImageFont, features

from kiosk import fonts, textlayout

CELL_W = 12  # font A cell, dots (203 dpi): 48 columns on 80 mm paper, 32 on 58 mm
CELL_H = 24
SIZE = 22  # the pixel size text is drawn at in a cell, at scale 1


@lru_cache(maxsize=32)
def font(size: int, face: fonts.Face) -> ImageFont.FreeTypeFont:
    """``face`` at ``size`` pixels with Raqm layout."""
    # Pillow's wheels carry Raqm and HarfBuzz and load FriBiDi (Debian libfribidi0) at run time; without
    # it Pillow would quietly draw letters unjoined and left to right: refuse instead (the job stays
    # queued for staff, and ``kiosk self-test`` names the missing library).
    if not features.check_feature("raqm"):
        raise RuntimeError("Pillow has no Raqm text layout (is libfribidi0 installed?)")
    return ImageFont.truetype(str(face.path), size, layout_engine=ImageFont.Layout.RAQM)


def direction(run: textlayout.Run) -> str:
    return "rtl" if run.rtl else "ltr"


@lru_cache(maxsize=16)
def _hb_font(face: fonts.Face) -> tuple[object, int]:
    hb_face = hb.Face(hb.Blob.from_file_path(str(face.path)))
    return hb.Font(hb_face), int(hb_face.upem)


def length(run: textlayout.Run, scale: int = 1) -> float:
    """The run's advance in dots."""
    hb_font, upem = _hb_font(run.face)
    buf = hb.Buffer()
    buf.add_str(run.text)
    buf.guess_segment_properties()
    buf.direction = direction(run)
    hb.shape(hb_font, buf, {})
    advance: int = sum(pos.x_advance for pos in buf.glyph_positions)
    return advance * SIZE * scale / upem


def cells(run: textlayout.Run, scale: int = 1) -> int:
    """The whole font-A cells a shaped run takes."""
    return max(1, math.ceil(length(run, scale) / (CELL_W * scale)))
