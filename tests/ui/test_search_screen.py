"""The search screen follows the search: every example the home and search hints show finds documents
in the demo district, a homophone slip offers the resident's word as one tap (您是不是要找：低保),
and partial matches say so quietly (部分匹配)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from uishell import Shell

from kiosk.config import Config
from kiosk.db import open_engine, session_factory
from kiosk.search import search

QML = Path(__file__).resolve().parents[2] / "ui" / "qml" / "Kiosk"


def hint_examples() -> list[str]:
    """The examples in the hint texts of the home and search screens: what follows 如：(separated
    by 、), what stands in “…”, and Latin words (pinyin)."""
    found: list[str] = []
    for name in ("pages/HomePage.qml", "pages/SearchPage.qml"):
        for hint in re.findall(r'qsTr\("([^"]*如[^"]*)"\)', (QML / name).read_text(encoding="utf-8")):
            for m in re.finditer(r"如：([^）)。]*)", hint):
                found += [x.strip() for x in m.group(1).split("、")]
            found += re.findall(r"“([^”]+)”", hint)
            found += re.findall(r"\b[a-z]{3,}\b", hint)
    return [x for x in dict.fromkeys(found) if x and not re.search("[，,（(]", x)]


def test_the_hints_show_examples(demo_cfg: Config) -> None:
    examples = hint_examples()
    assert {"低保", "dibao", "lsjz", "怎么申请低保", "娄星政发〔2026〕5号"} <= set(examples)


@pytest.mark.parametrize("example", hint_examples())
def test_each_hint_example_finds_documents_in_the_demo_district(demo_cfg: Config, example: str) -> None:
    engine = open_engine(demo_cfg.db_path)
    try:
        with session_factory(engine)() as s:
            assert search(s, example, limit=5).hits, example
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_homophone_offers_the_residents_word_as_a_tap(shell: Shell) -> None:
    shell.window.openRoute("search", {"initialQuery": "滴保"})
    shell.wait_page("searchPage")
    shell.wait(lambda: shell.has("searchSuggestion") and shell.find("searchSuggestion").isVisible())
    chip = shell.find("searchSuggestion")
    assert chip.property("text") == "低保"
    shell.wait(lambda: shell.find_all("result-"))
    first = shell.find_all("result-")[0]
    assert first.property("tag") == "部分匹配"  # found by sound, said quietly
    shell.tap(chip)
    shell.wait(lambda: shell.find("searchField").property("text") == "低保")
    shell.wait(lambda: not shell.find("searchSuggestion").isVisible())
    shell.wait(lambda: shell.find_all("result-") and shell.find_all("result-")[0].property("tag") == "")


@pytest.mark.slow
def test_only_partial_matches_are_said_before_the_list(shell: Shell) -> None:
    shell.window.openRoute("search", {"initialQuery": "老人去世了丧葬费怎么领"})
    shell.wait_page("searchPage")
    shell.wait(lambda: shell.find_all("result-"))
    assert all(r.property("tag") == "部分匹配" for r in shell.find_all("result-"))
    note = shell.find("searchOnlyPartial")
    shell.wait(note.isVisible)
    assert note.property("text") == "没有找到完全相符的内容，以下是相关的文件"
    shell.find("searchField").setProperty("text", "低保")
    shell.wait(lambda: shell.find_all("result-") and shell.find_all("result-")[0].property("tag") == "")
    assert not note.isVisible(), "full matches: nothing to say"
