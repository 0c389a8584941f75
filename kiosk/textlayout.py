"""A line of text as runs in visual order, each in one face and one direction (no Qt, no PDF, no PIL).

Chinese documents are left to right; a name in another script inside them is not always: a Uyghur name
runs right to left, and a Mongolian, Tibetan or Arabic word (or a letter with a combining mark) is not
one glyph per character. This module decides the *order* and what needs *shaping*; the shaping itself
(joining forms, stacks, mark positions, mirrored brackets) is HarfBuzz's, in the PDF and receipt code:

- :func:`needs_layout` is the cheap test that keeps the common case (Chinese, ASCII) on the old path;
- :func:`layout_runs` splits a line into the bundled faces' runs (:func:`kiosk.fonts.runs`), resolves
  the embedding levels with the Unicode Bidirectional Algorithm (python-bidi's implementation of UAX #9,
  paragraph level left to right: the page is Chinese) and returns the runs in visual order, each with
  its text in logical order (what a shaping engine takes) and its direction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bidi import algorithm as uax9  # type: ignore[import-untyped]

from kiosk import fonts

_RTL_TYPES = frozenset({"R", "AL", "RLE", "RLO", "RLI"})


@dataclass(frozen=True)
class Run:
    """A piece of a line drawn by one face in one direction; ``text`` is in logical order."""

    face: fonts.Face
    text: str
    rtl: bool
    shaped: bool  # set by the shaping engine with the face's own advances (not the grid), in its direction


@lru_cache(maxsize=65536)
def _complex(ch: str) -> bool:
    """Whether ``ch`` takes the laid-out path: right to left, a mark or joiner, or a shaped script."""
    if ch in fonts.JOINERS or unicodedata.bidirectional(ch) in _RTL_TYPES:
        return True
    if unicodedata.category(ch).startswith("M"):
        return True
    return fonts.face_for(ch) in fonts.PROPORTIONAL_FACES


def needs_layout(text: str) -> bool:
    """Whether ``text`` holds anything the one-glyph-per-character path would draw wrongly."""
    return not text.isascii() and any(map(_complex, text))


def _shaped(face: fonts.Face, text: str, rtl: bool) -> bool:
    return rtl or face in fonts.PROPORTIONAL_FACES or any(map(_complex, text))


def _visual_order(text: str) -> list[tuple[int, int]]:
    """(logical index, embedding level) of each character of ``text``, in visual order (UAX #9 X1–L2
    with a left-to-right paragraph; mirroring is left to the shaping engine)."""
    storage: dict[str, Any] = uax9.get_empty_storage()
    storage["base_level"] = 0
    storage["base_dir"] = "L"
    uax9.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uax9.explicit_embed_and_overrides(storage)
    uax9.resolve_weak_types(storage)
    uax9.resolve_neutral_types(storage, False)
    uax9.resolve_implicit_levels(storage, False)
    uax9.reorder_resolved_levels(storage, False)
    return [(ch["index"], ch["level"]) for ch in storage["chars"]]


def layout_runs(text: str, *, bold: bool = False) -> list[Run]:
    """``text`` as runs in visual order (left to right on the page)."""
    pieces = fonts.runs(text, bold=bold)
    if not any(unicodedata.bidirectional(ch) in _RTL_TYPES for ch in text):
        return [Run(face, piece, False, _shaped(face, piece, False)) for face, piece in pieces]
    face_at: list[fonts.Face] = [face for face, piece in pieces for _ in piece]
    groups: list[tuple[fonts.Face, int, list[int]]] = []  # face, level, logical indices in visual order
    for index, level in _visual_order(text):
        face = face_at[index]
        if groups and groups[-1][0] is face and groups[-1][1] == level:
            groups[-1][2].append(index)
        else:
            groups.append((face, level, [index]))
    out: list[Run] = []
    for face, level, indices in groups:
        rtl = level % 2 == 1
        piece = "".join(text[i] for i in sorted(indices))  # logical order, as a shaping engine takes it
        out.append(Run(face, piece, rtl, _shaped(face, piece, rtl)))
    return out
