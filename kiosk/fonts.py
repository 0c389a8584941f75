"""The bundled font stack and which face draws which character (no Qt, no reportlab).

The kiosk draws every text — on screen, in PDFs, in receipt rasters — with one stack of bundled faces
(built by ``scripts/build_font.py``, committed under ``assets/fonts/``):

    Noto Sans SC Regular     Latin, punctuation, GBK, all CJK Unified Ideographs and Extension A
    Kiosk Fallback Han A     compatibility ideographs and part of Extension B (from HanaMinA)
    Kiosk Fallback Han B     Extensions B–F (from HanaMinB)

Bold text tries Noto Sans SC Bold first (GBK and symbols only), then the Regular stack.

:func:`face_for` says which face draws a character and :func:`undrawable` lists what none can (for the
staff warning of validation). Coverage comes from each file's own ``cmap`` table, read here directly
(formats 4 and 12) so the answer is the font's, and cheap: only the cmap is read, not the glyphs.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.paths import assets_dir


@dataclass(frozen=True)
class Face:
    """One bundled font file: ``name`` is its registration name (reportlab) and Qt family."""

    name: str
    family: str
    file: str

    @property
    def path(self) -> Path:
        return assets_dir() / "fonts" / self.file


REGULAR = Face("NotoSansSC", "Noto Sans SC", "NotoSansSC-Regular.ttf")
BOLD = Face("NotoSansSC-Bold", "Noto Sans SC", "NotoSansSC-Bold.ttf")
FALLBACK_A = Face("KioskFallbackHanA", "Kiosk Fallback Han A", "KioskFallbackHanA.ttf")
FALLBACK_B = Face("KioskFallbackHanB", "Kiosk Fallback Han B", "KioskFallbackHanB.ttf")
FALLBACKS = (FALLBACK_A, FALLBACK_B)
REGULAR_STACK = (REGULAR, *FALLBACKS)
BOLD_STACK = (BOLD, *REGULAR_STACK)
ALL_FACES = (REGULAR, BOLD, *FALLBACKS)


@lru_cache(maxsize=8)
def coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` maps to a glyph (its best Unicode cmap subtable)."""
    return frozenset(_read_cmap(face.path))


def _read_cmap(path: Path) -> Iterator[int]:
    with path.open("rb") as f:
        head = f.read(12)
        (num_tables,) = struct.unpack(">H", head[4:6])
        directory = f.read(16 * num_tables)
        tables = {
            directory[i : i + 4]: struct.unpack(">II", directory[i + 8 : i + 16]) for i in range(0, len(directory), 16)
        }
        if b"cmap" not in tables:
            raise ValueError(f"{path.name} has no cmap table")
        offset, length = tables[b"cmap"]
        f.seek(offset)
        cmap = f.read(length)
    (count,) = struct.unpack(">H", cmap[2:4])
    subtables = {}
    for i in range(count):
        platform, encoding, sub_offset = struct.unpack(">HHI", cmap[4 + 8 * i : 12 + 8 * i])
        subtables[(platform, encoding)] = sub_offset
    for key in ((3, 10), (0, 4), (0, 6)):  # full-repertoire subtables (format 12)
        if key in subtables:
            yield from _format12(cmap, subtables[key])
            return
    for key in ((3, 1), (0, 3), (0, 1), (0, 0)):  # BMP only (format 4)
        if key in subtables:
            yield from _format4(cmap, subtables[key])
            return
    raise ValueError(f"{path.name} has no Unicode cmap")


def _format12(cmap: bytes, at: int) -> Iterator[int]:
    fmt, _, _, _, groups = struct.unpack(">HHIII", cmap[at : at + 16])
    if fmt != 12:
        raise ValueError(f"unexpected cmap format {fmt}")
    for g in range(groups):
        start, end, glyph = struct.unpack(">III", cmap[at + 16 + 12 * g : at + 28 + 12 * g])
        if glyph:
            yield from range(start, end + 1)


def _format4(cmap: bytes, at: int) -> Iterator[int]:
    fmt, _, _, seg_x2 = struct.unpack(">HHHH", cmap[at : at + 8])
    if fmt != 4:
        raise ValueError(f"unexpected cmap format {fmt}")
    segs = seg_x2 // 2
    ends_at = at + 14
    starts_at = ends_at + seg_x2 + 2
    deltas_at = starts_at + seg_x2
    ranges_at = deltas_at + seg_x2
    for s in range(segs):
        (end,) = struct.unpack(">H", cmap[ends_at + 2 * s : ends_at + 2 * s + 2])
        (start,) = struct.unpack(">H", cmap[starts_at + 2 * s : starts_at + 2 * s + 2])
        (delta,) = struct.unpack(">h", cmap[deltas_at + 2 * s : deltas_at + 2 * s + 2])
        range_at = ranges_at + 2 * s
        (range_offset,) = struct.unpack(">H", cmap[range_at : range_at + 2])
        for cp in range(start, end + 1):
            if cp == 0xFFFF:
                continue
            if range_offset == 0:
                glyph = (cp + delta) & 0xFFFF
            else:
                glyph_at = range_at + range_offset + 2 * (cp - start)
                (glyph,) = struct.unpack(">H", cmap[glyph_at : glyph_at + 2])
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                yield cp


def face_for(ch: str, *, bold: bool = False) -> Face | None:
    """The first face of the stack that draws ``ch`` (one code point), or None when none does."""
    cp = ord(ch)
    for face in BOLD_STACK if bold else REGULAR_STACK:
        if cp in coverage(face):
            return face
    return None


def _invisible(ch: str) -> bool:
    """Spaces and line breaks need no glyph."""
    return ch in " \t\r\n\u3000\u00a0"


def undrawable(text: str) -> list[str]:
    """The distinct characters of ``text`` that no bundled face draws, in order of appearance."""
    main = coverage(REGULAR)
    out: list[str] = []
    for ch in text:
        if ord(ch) in main or _invisible(ch) or ch in out:
            continue
        if face_for(ch) is None:
            out.append(ch)
    return out


def runs(text: str, *, bold: bool = False) -> list[tuple[Face, str]]:
    """``text`` split into (face, piece) runs, each piece drawn by its face; a character no face has
    goes with the first face of the stack (it then shows that face's missing-glyph box, which
    validation has warned staff about)."""
    first = BOLD if bold else REGULAR
    main = coverage(first)
    if all(ord(ch) in main or _invisible(ch) for ch in text):
        return [(first, text)] if text else []
    out: list[tuple[Face, str]] = []
    for ch in text:
        face = first if (ord(ch) in main or _invisible(ch)) else (face_for(ch, bold=bold) or first)
        if out and out[-1][0] is face:
            out[-1] = (face, out[-1][1] + ch)
        else:
            out.append((face, ch))
    return out
