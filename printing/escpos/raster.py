"""Lines the printer's own font cannot draw, drawn with the bundled font as ``GS v 0`` raster images.

A line holding a character the printer lacks (𬭎, or 镕 on a GB2312-only printer) is drawn whole, each
character with the first face of the bundled stack that has it (:mod:`kiosk.fonts`: Noto Sans SC, then
the Extension B–F and compatibility fallbacks), on
the same 12 × 24-dot grid as font A (ASCII one cell, everything else two), so it lines up with the
text lines around it. The image spans the full print width and carries its own alignment: ``GS v 0``
prints as a block, and a printer ignores it while text waits in its line buffer, so the caller sends
it at the start of a line.

A line in another script (:func:`kiosk.textlayout.needs_layout`) is laid out in visual order by
:mod:`kiosk.textlayout`; each shaped run (Uyghur right to left and joined, Mongolian, Tibetan stacks,
letters with diacritics) is drawn by Pillow's Raqm layout, which shapes with HarfBuzz, and takes as
many whole cells as its width needs (:func:`run_cells`), so the text lines around it still line up.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from kiosk import fonts, textlayout
from printing.escpos import shaped
from printing.escpos.cjk import char_width, text_width
from printing.escpos.shaped import CELL_H, CELL_W


@lru_cache(maxsize=16)
def _font(size: int, face: fonts.Face) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), size)


def run_cells(run: textlayout.Run, scale: int = 1) -> int:
    """The cells a run takes: one or two per character, or as many as a shaped run's width needs."""
    return shaped.cells(run, scale) if run.shaped else text_width(run.text)


def _overhang(runs: list[textlayout.Run], scale: int) -> tuple[int, int]:
    """Dots a shaped run reaches above and below the cell (Tibetan stacks, Mongolian tails): the image
    line grows by as much, so nothing is cut."""
    cell_h = CELL_H * scale
    baseline = _baseline(scale)
    above = below = 0
    for run in runs:
        if run.shaped:
            font = shaped.font(shaped.SIZE * scale, run.face)
            _, top, _, bottom = font.getbbox(run.text, anchor="ls", direction=shaped.direction(run))
            above = max(above, math.ceil(-(baseline + top)))
            below = max(below, math.ceil(baseline + bottom - cell_h))
    return above, below


@lru_cache(maxsize=8)
def _baseline(scale: int) -> float:
    """Where, from a cell's top, the baseline of the Chinese text lies (its glyphs are centred in their
    cells, Pillow's "mm" anchor): shaped runs sit on the same baseline."""
    ascent, descent = _font(shaped.SIZE * scale, fonts.REGULAR).getmetrics()
    return float(CELL_H * scale / 2 + (ascent - descent) / 2)


def _paste_run(canvas: Image.Image, run: textlayout.Run, x: int, top: int, *, scale: int, bold: bool) -> int:
    """Draw ``run`` from ``x`` on ``canvas``, its cell's top at ``top``; returns the x after it."""
    cell_w = CELL_W * scale
    if not run.shaped:
        for ch in run.text:
            if ch != " " and x < canvas.width:
                canvas.paste(_glyph(ch, scale, bold), (x, top))
            x += char_width(ch) * cell_w
        return x
    cells = run_cells(run, scale)
    font = shaped.font(shaped.SIZE * scale, run.face)
    length = shaped.length(run, scale)
    left = x + (cells * cell_w - length if run.rtl else 0)  # flush with the text it follows
    ImageDraw.Draw(canvas).text(
        (left, top + _baseline(scale)), run.text, fill=255, font=font, anchor="ls", direction=shaped.direction(run)
    )
    return x + cells * cell_w


@lru_cache(maxsize=4096)
def _glyph(ch: str, scale: int, bold: bool) -> Image.Image:
    """One character centred in its cell(s), white on black ("L"): rendered once per process."""
    cell_w, cell_h = CELL_W * scale * char_width(ch), CELL_H * scale
    cell = Image.new("L", (cell_w, cell_h), 0)
    face = fonts.face_for(ch, bold=bold) or (fonts.BOLD if bold else fonts.REGULAR)
    font = _font(22 * scale, face)
    ImageDraw.Draw(cell).text((cell_w / 2, cell_h / 2), ch, fill=255, font=font, anchor="mm")
    return cell


def render_line(text: str, columns: int, *, align: str = "left", scale: int = 1, bold: bool = False) -> Image.Image:
    """``text`` drawn black on white (mode "1") at ``scale`` × the font-A cell, ``columns`` cells wide."""
    cell_w, cell_h = CELL_W * scale, CELL_H * scale
    width = columns * CELL_W
    runs = (
        textlayout.layout_runs(text, bold=bold)
        if textlayout.needs_layout(text)
        else [textlayout.Run(fonts.REGULAR, text, rtl=False, shaped=False)]
    )
    used = sum(run_cells(run, scale) for run in runs) * cell_w
    x = {"center": (width - used) // 2, "right": width - used}.get(align, 0)
    x = max(x, 0)
    above, below = _overhang(runs, scale)
    canvas = Image.new("L", (width, cell_h + above + below), 0)
    for run in runs:
        x = _paste_run(canvas, run, x, above, scale=scale, bold=bold)
    # Threshold to one bit: a set bit is a black dot, which is what GS v 0 wants.
    return canvas.point(_THRESHOLD).convert("1")


_THRESHOLD = [255 if v >= 110 else 0 for v in range(256)]


def gs_v_0(image: Image.Image) -> bytes:
    """The ``GS v 0`` command (normal density) printing ``image`` (mode "1", set bit = black dot)."""
    if image.mode != "1":
        raise ValueError("raster images must be mode '1'")
    width_bytes = (image.width + 7) // 8
    if image.width % 8:
        padded = Image.new("1", (width_bytes * 8, image.height), 0)
        padded.paste(image, (0, 0))
        image = padded
    header = b"\x1dv0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8, image.height & 0xFF, image.height >> 8])
    return header + image.tobytes()
