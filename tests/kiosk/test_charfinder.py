"""The rare-character finder's search (kiosk/charfinder.py) over the bundled table, and the table itself:
every character in it drawn by the bundled fonts, and the committed files what the build script makes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kiosk.charfinder import CharFinder, Hanzi, Radical, default_finder
from kiosk.paths import assets_dir

ROOT = Path(__file__).resolve().parents[2]
HONG = "\U0002cb4e"  # 𬭎 hóng: 钅 + 宏, CJK Extension E, not in the Pinyin keyboard's dictionary


@pytest.fixture(scope="module")
def finder() -> CharFinder:
    return default_finder()


def chars(found: list[Hanzi]) -> list[str]:
    return [h.char for h in found]


def test_radical_and_strokes_beyond_it_find_the_rare_name_character(finder: CharFinder) -> None:
    entry = finder.lookup(HONG)
    assert entry is not None
    assert (entry.radical, entry.residual, entry.total, entry.reading) == ("167'", 7, 12, "hóng")
    found = chars(finder.search("167'", 7))
    assert HONG in found
    assert found[0] == "铸", "characters of the 通用规范汉字表 are offered first, by code point"
    assert all(finder.lookup(c).radical == "167'" and finder.lookup(c).residual == 7 for c in found)  # type: ignore[union-attr]
    assert found.index(HONG) < found.index("䦁"), "a 通用规范 character before one outside the list"


def test_a_typed_part_finds_the_characters_holding_it(finder: CharFinder) -> None:
    assert HONG in chars(finder.search(parts="宏"))
    assert "宏" not in chars(finder.search(parts="宏")), "a character is not a part of itself"
    # the simplified, traditional and everyday shapes of a radical are one part
    assert HONG in chars(finder.search(parts="金宏"))
    assert HONG in chars(finder.search(parts="钅宏"))
    assert "你" in chars(finder.search(parts="人尔"))
    assert "你" in chars(finder.search(parts="亻尔"))
    # letters, spaces and pinyin pre-edit left in the field are not parts
    assert chars(finder.search(parts="hong 宏")) == chars(finder.search(parts="宏"))


def test_the_reading_typed_in_letters_finds_characters_read_so(finder: CharFinder) -> None:
    by_reading = chars(finder.search(parts="hong"))
    assert HONG in by_reading and "红" in by_reading and "宏" in by_reading
    assert by_reading.index("红") < by_reading.index(HONG) < by_reading.index("仜"), (
        "listed characters first, fewest strokes first among them; unlisted ones after"
    )
    assert chars(finder.search(parts="Hóng")) == by_reading, "tone marks and capitals as typed do not matter"
    assert chars(finder.search(parts="hong宏")) == [HONG], "a reading and a part together"
    assert chars(finder.search("167'", parts="hong")) == ["\U0002b7f9", HONG]
    assert finder.search(parts="xyzq") == []
    assert CharFinder.typed_reading("宏 lǘ") == "lv" and CharFinder.typed_reading("宏") == ""


def test_parts_narrow_a_radical_and_its_stroke_groups(finder: CharFinder) -> None:
    assert chars(finder.search("167'", parts="宏")) == [HONG]
    assert chars(finder.search("167'", 6, parts="宏")) == []
    groups = finder.stroke_groups("167'", "宏")
    assert [(g.residual, g.count) for g in groups] == [(7, 1)]
    every = finder.stroke_groups("167'")
    assert sum(g.count for g in every) == finder.radical("167'").count  # type: ignore[union-attr]
    assert [g.residual for g in every] == sorted(g.residual for g in every)


def test_nothing_chosen_finds_nothing(finder: CharFinder) -> None:
    assert finder.search() == []
    assert finder.search(parts="abc ，") == []
    assert finder.search("no-such-radical") == []


def test_radicals_in_dictionary_order_with_everyday_forms(finder: CharFinder) -> None:
    radicals = finder.radicals()
    assert [r.strokes for r in radicals] == sorted(r.strokes for r in radicals)
    by_number = {r.number: r for r in radicals}
    assert by_number["9"].label == "人亻"
    assert by_number["85"].label == "水氵"
    assert by_number["167'"].label == "钅" and by_number["167'"].strokes == 5
    assert by_number["167"].label == "金" and by_number["167"].strokes == 8
    assert sum(r.count for r in radicals) == len(finder)
    common = [r.label for r in finder.common_radicals()]
    assert {"人亻", "水氵", "手扌", "口", "木", "钅", "讠", "纟"} <= set(common)
    assert len(common) == 24 and "金" not in common, "the simplified forms are the everyday ones"


def test_a_small_table_searches_the_same_way() -> None:
    """The finder over a hand-made table: the radical of a character always counts as one of its parts."""
    radicals = [Radical("85", "水", "氵", 4, 2), Radical("167", "金", "", 8, 1), Radical("167'", "钅", "", 5, 1)]
    hanzi = [
        Hanzi("江", "85", 3, 6, "jiāng", "工氵"),
        Hanzi("\U0002a6a5", "85", 3, 7, "", ""),  # nothing decomposed: found by its radical alone
        Hanzi("鋐", "167", 7, 15, "hóng", ""),
        Hanzi(HONG, "167'", 7, 12, "hóng", "宀厷宏钅"),
    ]
    small = CharFinder(radicals, hanzi)
    assert chars(small.search(parts="水")) == ["江", "\U0002a6a5"]
    assert chars(small.search(parts="氵工")) == ["江"]
    assert chars(small.search(parts="金")) == [HONG, "鋐"], "fewer strokes first when only parts are typed"
    assert chars(small.search("167", 7)) == ["鋐"]


def test_every_character_is_drawn_by_the_bundled_fonts(finder: CharFinder) -> None:
    covered: set[int] = set()
    for name in ("NotoSansSC-Regular.ttf", "KioskFallbackHanA.ttf", "KioskFallbackHanB.ttf"):
        covered |= set(TTFont(assets_dir() / "fonts" / name, lazy=True).getBestCmap())
    table = (assets_dir() / "charfinder" / "hanzi.tsv").read_text(encoding="utf-8")
    listed = [line.split("\t", 1)[0] for line in table.splitlines() if not line.startswith("#")]
    assert len(listed) == len(finder) > 80_000
    assert not [c for c in listed if ord(c) not in covered]
    labels = "".join(r.label for r in finder.radicals())
    assert not [c for c in labels if ord(c) not in covered]


def test_committed_table_is_what_the_build_script_makes() -> None:
    # its inputs are installed by scripts/setup --dev: Debian unicode-data, the cjk-semantic-split wheel
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_charfinder.py"), "--check"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
