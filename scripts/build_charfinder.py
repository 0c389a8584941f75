"""Build the rare-character finder's data: ``assets/charfinder/hanzi.tsv`` and ``radicals.tsv``.

A resident whose name holds a character the Pinyin keyboard does not offer (𬭎, U+2CB4E) finds it on the
screen by its radical and the strokes beyond the radical, or by parts she can type (宏 in 𬭎):
``kiosk/charfinder.py`` searches these files. Every character listed is one the bundled fonts draw
(``assets/fonts``: Noto Sans SC Regular and the two Kiosk Fallback Han faces; their cmaps decide).

Sources, all build inputs only (nothing is fetched at run time), and why each licence fits a product
whose own code is not open:

- Unihan 15.0 (``kRSUnicode``, ``kTotalStrokes``, ``kMandarin``) and ``CJKRadicals.txt``, from the
  Debian package ``unicode-data`` (``/usr/share/unicode``, installed by ``scripts/setup --dev``):
  Unicode License (permissive; copies and derived data may be distributed with the notice, which
  ``assets/charfinder/NOTICE.txt`` carries).
- Component decompositions of the 通用规范汉字表 characters, simplified and traditional forms, from the
  PyPI wheel ``cjk-semantic-split`` 0.6.0 (requirements-dev.txt): MIT License (notice copied too).
  Chosen over CHISE IDS and cjkvi-ids, which are GPL: their data would bring copyleft terms into the
  terminal's bundle. The decompositions are flat (𬭎 = 钅 宀 厷); a character whose own parts form a
  contiguous run of another's (宏 = 宀 厷) is recorded as a part of it too, so 宏 finds 𬭎.

Characters outside the decomposition data are still found by radical and strokes (all of Unihan's
``kRSUnicode``), and by their radical as a part.

Order within a radical and stroke count: 通用规范汉字表 characters first (the ones names are written
with), then GBK, then the rest, each by code point. The output is deterministic (sorted, no
timestamps); run once by a developer and commit the result:

    .venv/bin/python scripts/build_charfinder.py            # build
    .venv/bin/python scripts/build_charfinder.py --check    # exit 1 if the committed files differ
"""

from __future__ import annotations

import bz2
import pathlib
import re
import sys
from collections import defaultdict

from fontTools.ttLib import TTFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "charfinder"
UCD = pathlib.Path("/usr/share/unicode")
FONTS = ("NotoSansSC-Regular.ttf", "KioskFallbackHanA.ttf", "KioskFallbackHanB.ttf")

# The everyday shapes of radicals whose Kangxi form is seldom seen inside a character (亻 for 人, 氵 for
# 水 …): shown on the radical's tile beside its standard form, and accepted as the same part when typed.
# Simplified radicals (钅, 讠, 纟 …) have radical numbers of their own in Unihan (167' …) and are not here.
VARIANT_FORMS: dict[str, str] = {
    "9": "亻",
    "18": "刂",
    "26": "㔾",
    "47": "川",
    "58": "彑",
    "61": "忄⺗",
    "64": "扌",
    "66": "攵",
    "85": "氵",
    "86": "灬",
    "87": "爫",
    "93": "牜",
    "94": "犭",
    "96": "王",
    "113": "礻",
    "122": "罒",
    "125": "耂",
    "130": "⺼",
    "140": "艹",
    "145": "衤",
    "146": "覀",
    "157": "⻊",
    "162": "辶",
    "163": "阝",
    "170": "阝",
}


def _unihan(name: str) -> dict[str, dict[int, str]]:
    fields: dict[str, dict[int, str]] = defaultdict(dict)
    with bz2.open(UCD / name, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+"):
                cp, key, value = line.rstrip("\n").split("\t", 2)
                fields[key][int(cp[2:], 16)] = value
    return fields


def _font_coverage() -> set[int]:
    covered: set[int] = set()
    for name in FONTS:
        font = TTFont(ROOT / "assets" / "fonts" / name, lazy=True)
        covered |= set(font.getBestCmap())
    return covered


def _radicals() -> dict[str, str]:
    """Radical number (``167``, ``167'``) → its unified ideograph (金, 钅)."""
    table: dict[str, str] = {}
    for line in (UCD / "CJKRadicals.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            number, _radical, ideograph = (part.strip() for part in line.split(";"))
            table[number] = chr(int(ideograph, 16))
    return table


def _decompositions() -> dict[str, tuple[str, ...]]:
    """Character → its atoms in reading order, from cjk-semantic-split (simplified, then traditional)."""
    import chinese_decompose  # type: ignore[import-untyped]

    data = pathlib.Path(chinese_decompose.__file__).parent / "data"
    atoms: dict[str, tuple[str, ...]] = {}
    for name in ("decomp_zh-Hans-general.txt", "decomp_zh-Hant-general.txt"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            char, dsl = line.split("\t", 1)
            parts = tuple(re.findall(r"\]:(\S)", dsl))
            if len(char) == 1 and parts and char not in atoms:
                atoms[char] = parts
    return atoms


def general_list() -> set[str]:
    """The characters of the 通用规范汉字表 (GF 0013-2013) the decomposition data lists in simplified form."""
    import chinese_decompose

    path = pathlib.Path(chinese_decompose.__file__).parent / "data" / "decomp_zh-Hans-general.txt"
    return {line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line}


def _parts(atoms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Character → every part: its atoms and each listed character whose atoms are a contiguous run of them."""
    by_atoms: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for char, seq in atoms.items():
        if len(seq) >= 2:
            by_atoms[seq].add(char)
    parts: dict[str, str] = {}
    for char, seq in atoms.items():
        found = set(seq)
        for i in range(len(seq)):
            for j in range(i + 2, len(seq) + 1):
                if (i, j) != (0, len(seq)):
                    found |= by_atoms.get(seq[i:j], set())
        found.discard(char)
        parts[char] = "".join(sorted(found))
    return parts


def _rank(char: str, general: set[str]) -> int:
    if char in general:
        return 0
    try:
        char.encode("gbk")
        return 1
    except UnicodeEncodeError:
        return 2


def build() -> dict[str, str]:
    """The files' contents by name."""
    sources = _unihan("Unihan_IRGSources.txt.bz2")
    readings = _unihan("Unihan_Readings.txt.bz2")
    covered = _font_coverage()
    radicals = _radicals()
    parts = _parts(_decompositions())
    general = general_list()

    rows: list[tuple[int, int, int, int, str]] = []
    counts: dict[str, int] = defaultdict(int)
    everyday: dict[str, int] = defaultdict(int)  # of them in the 通用规范汉字表
    for cp, rs in sources["kRSUnicode"].items():
        if cp not in covered:
            continue
        radical, residual = rs.split()[0].split(".")
        if radical not in radicals:
            continue
        char = chr(cp)
        number = int(radical.rstrip("'"))
        rows.append((number, radical.count("'"), int(residual), _rank(char, general) * 0x110000 + cp, radical))
        counts[radical] += 1
        everyday[radical] += char in general

    hanzi = [
        "# Rare-character finder data, built by scripts/build_charfinder.py (see it for sources and licences).",
        "# char<TAB>radical<TAB>strokes beyond the radical<TAB>total strokes<TAB>Mandarin reading<TAB>parts",
    ]
    for _number, _simplified, residual, key, radical in sorted(rows):
        cp = key % 0x110000
        total = sources["kTotalStrokes"].get(cp, "").split()[0] if cp in sources["kTotalStrokes"] else ""
        reading = readings["kMandarin"].get(cp, "").split(" ")[0]
        char = chr(cp)
        hanzi.append(f"{char}\t{radical}\t{residual}\t{total}\t{reading}\t{parts.get(char, '')}")

    radical_lines = [
        "# Radicals for the rare-character finder, built by scripts/build_charfinder.py.",
        "# radical number<TAB>standard form<TAB>everyday forms<TAB>strokes of the radical<TAB>characters"
        "<TAB>of them in the 通用规范汉字表",
    ]
    strokes = sources["kTotalStrokes"]
    for number in sorted(counts, key=lambda r: (int(r.rstrip("'")), r.count("'"))):
        ideograph = radicals[number]
        radical_strokes = strokes.get(ord(ideograph), "0").split()[0]
        variants = VARIANT_FORMS.get(number, "")
        variants = "".join(v for v in variants if ord(v) in covered)
        radical_lines.append(
            f"{number}\t{ideograph}\t{variants}\t{radical_strokes}\t{counts[number]}\t{everyday[number]}"
        )
    return {"hanzi.tsv": "\n".join(hanzi) + "\n", "radicals.tsv": "\n".join(radical_lines) + "\n"}


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [n for n, text in files.items() if (OUT / n).read_text(encoding="utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"{name}: {text.count(chr(10)) - 2} rows, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
