"""The bundled font stack and which face draws which character (no Qt, no reportlab).

The kiosk draws every text — on screen, in PDFs, in receipt rasters — with one stack of bundled faces
(built by ``scripts/build_font.py``, committed under ``assets/fonts/``):

    Noto Sans SC Regular     Latin, punctuation, GBK, all CJK Unified Ideographs and Extension A
    Kiosk Fallback Han A     compatibility ideographs and part of Extension B (from HanaMinA)
    Kiosk Fallback Han B     Extensions B–F (from HanaMinB)
    Kiosk Fallback Han G     Extension G, Unicode 14–15 additions (from BabelStone Han)
    Noto Sans                Latin and Latin Extended (Zhuang too), diacritics, Greek, Cyrillic
    Noto Sans KR             Hangul (Korean names)
    Noto Sans Yi             Yi syllables
    Noto Sans Arabic         Uyghur (right to left, joined)
    Noto Sans Mongolian      traditional Mongolian (in a horizontal line, see below)
    Noto Serif Tibetan       Tibetan (stacked consonants)

Bold text tries Noto Sans SC Bold first (GBK and symbols only), then the Regular stack.

Traditional Mongolian is written in columns, top to bottom; in a horizontal line of a form or receipt
it is set as typography does when it meets horizontal text (W3C "Mongolian Layout Requirements";
r12a's Mongolian orthography notes): the vertical line turned 90° counterclockwise, reading left to
right, which is how Noto Sans Mongolian draws it horizontally. A name field is one horizontal line, so
the kiosk prints it that way; an identity card sets it in its own vertical column.

A combining mark or a joiner goes with the character before it when that character's face has it, so
a base letter and its marks are shaped together (:mod:`kiosk.textlayout` orders and shapes the runs).

:func:`face_for` says which face draws a character and :func:`undrawable` lists what none can (for the
staff warning of validation). Coverage comes from each file's own ``cmap`` table, read here directly
(formats 4 and 12) so the answer is the font's, and cheap: only the cmap is read, not the glyphs.
"""

from __future__ import annotations

import re
import struct
import unicodedata
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
FALLBACK_G = Face("KioskFallbackHanG", "Kiosk Fallback Han G", "KioskFallbackHanG.ttf")
LATIN = Face("NotoSans", "Noto Sans", "NotoSans-Regular.ttf")
HANGUL = Face("NotoSansKR", "Noto Sans KR", "NotoSansKR-Regular.ttf")
YI = Face("NotoSansYi", "Noto Sans Yi", "NotoSansYi-Regular.ttf")
ARABIC = Face("NotoSansArabic", "Noto Sans Arabic", "NotoSansArabic-Regular.ttf")
MONGOLIAN = Face("NotoSansMongolian", "Noto Sans Mongolian", "NotoSansMongolian-Regular.ttf")
TIBETAN = Face("NotoSerifTibetan", "Noto Serif Tibetan", "NotoSerifTibetan-Regular.ttf")
# Faces whose text is never one glyph per character: always laid out by the shaping engine.
SHAPED_FACES = frozenset({ARABIC, MONGOLIAN, TIBETAN})
# Faces set with their own advances (never on the one-or-two-cell grid of Chinese text): the above, and
# Latin/Greek/Cyrillic and Yi, whose letters a fixed grid would space apart.
PROPORTIONAL_FACES = SHAPED_FACES | {LATIN, YI}
FALLBACKS = (FALLBACK_A, FALLBACK_B, FALLBACK_G, LATIN, HANGUL, YI, ARABIC, MONGOLIAN, TIBETAN)
REGULAR_STACK = (REGULAR, *FALLBACKS)
BOLD_STACK = (BOLD, *REGULAR_STACK)
ALL_FACES = (REGULAR, BOLD, *FALLBACKS)


@lru_cache(maxsize=16)
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


# Joiners and selectors that change how their neighbours are drawn but have no glyph of their own:
# ZWNJ, ZWJ, LRM, RLM, Mongolian free variation selectors and vowel separator.
JOINERS = frozenset("\u200c\u200d\u200e\u200f\u180b\u180c\u180d\u180e\u180f")


def _invisible(ch: str) -> bool:
    """Spaces, line breaks and joiners need no glyph."""
    return ch in " \t\r\n\u3000\u00a0" or ch in JOINERS


def _attaches(ch: str) -> bool:
    """A combining mark or joiner: drawn with the character before it, in its face."""
    return ch in JOINERS or unicodedata.category(ch).startswith("M")


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


# A word of Latin, Greek or Cyrillic letters and their diacritics.
_LATIN_WORD = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u036f\u0370-\u03ff\u0400-\u052f\u1ab0-\u1aff\u1c80-\u1c8f"
    "\u1dc0-\u1fff\u2c60-\u2c7f\u2de0-\u2dff\ua640-\ua69f\ua720-\ua7ff\uab30-\uab6f]+"
)


def _latin_words(text: str, main: frozenset[int]) -> set[int]:
    """Indices of the Latin, Greek or Cyrillic words with a letter the first face lacks: such a word is
    drawn whole in Noto Sans (one design for the whole word, marks shaped with their letters)."""
    out: set[int] = set()
    latin = coverage(LATIN)
    for m in _LATIN_WORD.finditer(text):
        word = m.group()
        if not all(ord(ch) in main for ch in word) and all(ord(ch) in latin for ch in word):
            out.update(range(m.start(), m.end()))
    return out


def _face_in_run(ch: str, out: list[tuple[Face, str]], first: Face, main: frozenset[int], *, bold: bool) -> Face:
    """The face for ``ch`` given the runs before it (``out``, changed when a base letter has to move to
    the face of its combining mark)."""
    prev = out[-1][0] if out else None
    # a joiner, or a mark or space the run's face has, stays inside a run of another script
    if (
        prev is not None
        and prev is not first
        and (ch in JOINERS or ((_attaches(ch) or ch == " ") and ord(ch) in coverage(prev)))
    ):
        return prev
    if ord(ch) in main or _invisible(ch):
        return first
    face = face_for(ch, bold=bold) or first
    if prev is not None and _attaches(ch) and face is not prev and face is not first:
        base = out[-1][1][-1]
        if ord(base) in coverage(face):  # the mark's face has its base too: draw them together
            out[-1] = (prev, out[-1][1][:-1])
            if not out[-1][1]:
                out.pop()
            out.append((face, base))
    return face


def runs(text: str, *, bold: bool = False) -> list[tuple[Face, str]]:
    """``text`` split into (face, piece) runs, each piece drawn by its face; a character no face has
    goes with the first face of the stack (it then shows that face's missing-glyph box, which
    validation has warned staff about)."""
    first = BOLD if bold else REGULAR
    main = coverage(first)
    if all(ord(ch) in main or _invisible(ch) for ch in text):
        return [(first, text)] if text else []
    out: list[tuple[Face, str]] = []
    latin = _latin_words(text, main)
    for i, ch in enumerate(text):
        face = LATIN if i in latin else _face_in_run(ch, out, first, main, bold=bold)
        if out and out[-1][0] is face:
            out[-1] = (face, out[-1][1] + ch)
        else:
            out.append((face, ch))
    return out
