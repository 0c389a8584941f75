"""Finding a Han character the Pinyin keyboard does not offer (找字): by radical, strokes and parts.

Names are often written with characters outside the keyboard's dictionary (𬭎 hóng, U+2CB4E). A resident
finds one on the screen the way a paper dictionary's 部首检字 works — pick the radical (钅), then the
number of strokes beyond it (7), then the character among the candidates — or by the parts she can type
(宏), or by its reading in pinyin letters (hong: the Pinyin keyboard commits the letters on ⏎), alone or
together with a radical.

The data is ``assets/charfinder/`` (built by ``scripts/build_charfinder.py`` from Unihan and a
component-decomposition table; every character in it is one the bundled fonts draw):
- ``radicals.tsv``: radical number (``167``, or ``167'`` for the simplified form 钅), its standard form,
  everyday forms (亻 for 人), the radical's own strokes, how many characters it heads;
- ``hanzi.tsv``: each character with its radical, strokes beyond the radical, total strokes, Mandarin
  reading and parts, in the order candidates are offered (通用规范汉字 first).

Parts are matched loosely, as a resident means them: a radical's standard, simplified and everyday forms
are one part (金 finds 钅 characters, 人 finds 亻 ones), and a character's radical always counts as one
of its parts, also for characters the decomposition table does not list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from kiosk.paths import assets_dir


@dataclass(frozen=True)
class Radical:
    """A radical as the finder offers it (部首)."""

    number: str  # Unihan's radical number: "167", or "167'" for the simplified form
    char: str  # the standard form shown: 金, 钅
    variants: str  # everyday forms inside characters: 亻 for 人, 氵 for 水
    strokes: int  # the radical's own strokes, for grouping (1 画 … 17 画)
    count: int  # characters filed under it
    everyday: int = 0  # of them in the 通用规范汉字表 (how often the radical is met in names and texts)

    @property
    def label(self) -> str:
        """What its tile shows: the standard form and the everyday ones (人亻)."""
        return self.char + self.variants


class Hanzi(NamedTuple):
    """One character the finder can offer (a tuple: tens of thousands are made at load)."""

    char: str
    radical: str
    residual: int  # strokes beyond the radical (部首外笔画)
    total: int
    reading: str  # Mandarin reading with tone mark, "" when Unihan has none
    parts: str


@dataclass(frozen=True)
class StrokeGroup:
    """How many of a radical's characters have ``residual`` strokes beyond it."""

    residual: int
    count: int


def toneless(reading: str) -> str:
    """A pinyin reading as typed on a keyboard: no tone marks, ü as v (hóng → hong, lǘ → lv)."""
    plain = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x2FDF  # radicals supplement, Kangxi radicals
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
    )


class CharFinder:
    """The searchable character table; build with :meth:`load` (or :func:`default_finder`)."""

    def __init__(self, radicals: list[Radical], hanzi: list[Hanzi]) -> None:
        self._radicals = radicals
        self._by_number = {r.number: r for r in radicals}
        self._hanzi = hanzi
        self._by_radical: dict[str, list[int]] = defaultdict(list)
        self._by_part: dict[str, set[int]] = defaultdict(set)
        self._by_char = {h.char: h for h in reversed(hanzi)}
        self._by_reading: dict[str, set[int]] = defaultdict(set)
        for i, h in enumerate(hanzi):
            self._by_radical[h.radical].append(i)
            if h.reading:
                self._by_reading[toneless(h.reading)].add(i)
            for part in h.parts:
                self._by_part[part].add(i)
        # one part, many shapes: 金 = 钅, 人 = 亻, 水 = 氵 (a radical's standard, simplified, everyday forms)
        self._same_part: dict[str, set[str]] = defaultdict(set)
        families: dict[str, set[str]] = defaultdict(set)
        for r in radicals:
            families[r.number.rstrip("'")] |= {r.char, *r.variants}
        for r in radicals:
            family = families[r.number.rstrip("'")]
            for ch in family:
                self._same_part[ch] |= family
            for i in self._by_radical[r.number]:
                for ch in family:
                    self._by_part[ch].add(i)

    @classmethod
    def load(cls, folder: Path) -> CharFinder:
        """Read ``radicals.tsv`` and ``hanzi.tsv`` from ``folder``."""
        radicals = [
            Radical(number, char, variants, int(strokes), int(count), int(everyday))
            for number, char, variants, strokes, count, everyday in _rows(folder / "radicals.tsv", 6)
        ]
        hanzi = [
            Hanzi(row[0], row[1], int(row[2]), int(row[3] or 0), row[4], row[5])
            for row in _rows(folder / "hanzi.tsv", 6)
        ]
        return cls(radicals, hanzi)

    def __len__(self) -> int:
        return len(self._hanzi)

    def radicals(self) -> list[Radical]:
        """Every radical, by its own strokes then number (the order of a dictionary's 部首目录)."""
        return sorted(self._radicals, key=lambda r: (r.strokes, int(r.number.rstrip("'")), r.number))

    def common_radicals(self, n: int = 24) -> list[Radical]:
        """The ``n`` radicals heading the most 通用规范 characters (亻 氵 扌 口 木 钅 …), in dictionary order."""
        top = sorted(self._radicals, key=lambda r: (-r.everyday, r.number))[:n]
        return sorted(top, key=lambda r: (r.strokes, int(r.number.rstrip("'")), r.number))

    def radical(self, number: str) -> Radical | None:
        return self._by_number.get(number)

    def lookup(self, char: str) -> Hanzi | None:
        return self._by_char.get(char)

    def stroke_groups(self, radical: str, parts: str = "") -> list[StrokeGroup]:
        """The stroke counts beyond ``radical`` that have characters (with ``parts``), in order."""
        counts: dict[int, int] = defaultdict(int)
        for i in self._matching(radical, parts):
            counts[self._hanzi[i].residual] += 1
        return [StrokeGroup(n, counts[n]) for n in sorted(counts)]

    def search(self, radical: str = "", residual: int | None = None, parts: str = "") -> list[Hanzi]:
        """Characters under ``radical`` (any when empty) with ``residual`` strokes beyond it (any when
        None) that contain every Han part typed in ``parts`` and, when ``parts`` also holds pinyin letters
        (hong), read so; in the order they are offered. Nothing chosen at all finds nothing."""
        if not radical and not self.typed_parts(parts) and not self.typed_reading(parts):
            return []
        found = self._matching(radical, parts)
        return [self._hanzi[i] for i in found if residual is None or self._hanzi[i].residual == residual]

    @staticmethod
    def typed_parts(parts: str) -> str:
        """The Han characters of ``parts`` (what was typed may hold Latin letters, spaces, punctuation)."""
        return "".join(dict.fromkeys(ch for ch in parts if _is_han(ch)))

    @staticmethod
    def typed_reading(text: str) -> str:
        """The first word of pinyin letters in ``text``, toneless and lower case ("" when none)."""
        found = re.search(r"[A-Za-zÀ-ɏü]+", text)
        return toneless(found.group()) if found else ""

    def _matching(self, radical: str, parts: str) -> list[int]:
        typed = self.typed_parts(parts)
        reading = self.typed_reading(parts)
        pool: set[int] | None = set(self._by_reading.get(reading, ())) if reading else None
        for part in typed:
            with_part: set[int] = set()
            for shape in self._same_part.get(part, {part}):
                with_part |= self._by_part.get(shape, set())
            pool = with_part if pool is None else pool & with_part
        if radical:
            base = self._by_radical.get(radical, [])
            return [i for i in base if pool is None or i in pool]
        # without a radical: the listed (通用规范) characters, which have parts of their own, first; then
        # fewer strokes first
        return sorted(pool or (), key=lambda i: (not self._hanzi[i].parts, self._hanzi[i].total, i))


def _rows(path: Path, width: int) -> list[list[str]]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line[:1] not in ("#", "")]
    if any(len(fields) != width for fields in rows):
        raise ValueError(f"{path.name}: a row without its {width} fields")
    return rows


@cache
def default_finder() -> CharFinder:
    """The finder over the bundled data, read once per process (about 1 s here: docs/benchmarks.md)."""
    return CharFinder.load(assets_dir() / "charfinder")
