"""What a query becomes before it reaches FTS5 (kiosk/search/plan.py, understand.expand) and the
partial title window chosen by coverage (kiosk/search/window.covering_titles): the expressions match
exactly what they mean, no more (operator precedence) and no less (alternatives dropped only when
another alternative already matches every document they would), and cost no phrase that can match
nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from searchkit import ids, mirror_of, rec
from sqlalchemy import Engine, text

from kiosk.db import session_factory
from kiosk.search import search
from kiosk.search import tokenize as tk
from kiosk.search import window as win
from kiosk.search.plan import Freq, Unit, _partial_level, minimal, parse
from kiosk.search.understand import expand


def test_expand_makes_no_variant_that_is_not_a_word() -> None:
    # 公积金 → 住房公积金 (everyday word) must not turn 住房公积金 into 住房住房公积金
    assert expand("住房公积金") == ["住房公积金", "公积金"]
    assert all("住房住房" not in v for v in expand("住房公积金提取"))
    # 租房 inside 廉租房 is part of a longer word: not replaced (廉租赁住房 is no word)
    assert "廉租赁住房" not in expand("廉租房")
    assert "廉租住房" in expand("廉租房")
    # what was replaced before still is
    assert expand("低保") == ["低保", "最低生活保障"]
    assert "燃气漏气" in expand("煤气漏气")


def test_minimal_drops_alternatives_that_hold_another() -> None:
    assert minimal(["垃圾分类", "生活垃圾分类", "生活垃圾", "生活垃圾管理"]) == ["垃圾分类", "生活垃圾"]
    assert minimal(["医保", "医疗保障", "医疗保险"]) == ["医保", "医疗保障", "医疗保险"]
    # a single character or mixed text never stands in for another (its expression differs by table)
    assert minimal(["法", "民法典"]) == ["法", "民法典"]
    assert minimal(["2023年补贴", "补贴"]) == ["2023年补贴", "补贴"]


def _fts(rows: dict[int, str]) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='ascii')")
    con.executemany(
        "INSERT INTO t(rowid, text) VALUES (?, ?)", [(k, tk.index_tokens(v, unigrams=False)) for k, v in rows.items()]
    )
    return con


def _matches(con: sqlite3.Connection, expr: str) -> set[int]:
    return {r for (r,) in con.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,))}


def test_the_two_word_body_window_needs_both_words() -> None:
    # FTS5's AND binds tighter than OR: an OR of alternatives beside AND must be one operand
    units = [Unit(("老人", "老年人"), word=True), Unit(("去世", "死亡"), word=True)]
    level = _partial_level(units, Freq({}, {}, 10.0))
    assert level is not None and level.text is not None
    con = _fts({1: "老人去世后", 2: "死亡证明", 3: "老年人权益", 4: "老年人死亡后的抚恤"})
    assert _matches(con, level.text) == {1, 4}
    assert _matches(con, level.extra_text[0]) == {1, 2, 3, 4}  # then either word


@pytest.mark.parametrize("q", ["垃圾分类", "生活垃圾", "医保", "廉租房", "公积金"])
def test_minimal_expressions_match_what_every_alternative_does(tmp_path: Path, q: str) -> None:
    """The count (and so the page) is the set of documents holding any alternative of the query,
    computed here by LIKE over the same documents."""
    bodies = [
        "生活垃圾分类投放",
        "垃圾分类知识",
        "生活垃圾管理条例",
        "生活垃圾收运",
        "医疗保障待遇",
        "医疗保险参保",
        "医保卡",
        "廉租住房申请",
        "住房保障",
        "廉租房轮候",
        "住房公积金缴存",
        "公积金贷款",
        "无关的内容",
    ]
    docs = [rec(f"d{i}", f"通知{i}", body * 3) for i, body in enumerate(bodies)]
    with mirror_of(tmp_path / "m.db", docs) as engine, session_factory(engine)() as s:
        want = set()
        for alt in expand(q):
            found = s.execute(text("SELECT id FROM documents WHERE body LIKE :p"), {"p": f"%{alt}%"}).scalars()
            want.update(found)
        got = search(s, q, limit=50)
        assert {h.id for h in got.hits if not h.partial} == want
        assert got.total >= len(want)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An old title holding two parts of a query, then 300 newer titles holding one part each."""
    docs = [rec("both", "关于殡葬补助和抚恤金发放的通知", "殡葬补助与抚恤金按月发放。")]
    docs += [rec(f"one{i}", f"关于殡葬服务收费第{i}号公告", "殡葬服务收费标准。") for i in range(300)]
    with mirror_of(tmp_path_factory.mktemp("many") / "m.db", docs) as engine:
        yield engine


def test_the_partial_title_window_prefers_titles_holding_more_of_the_query(many: Engine) -> None:
    with session_factory(many)() as s:
        p = parse("丧葬补助抚恤金申请")
        assert p is not None
        freq = win.doc_freq(s, (), (t for u in p.parts for t in u.texts))
        level = _partial_level(list(p.parts), freq)
        assert level is not None and level.title_units
        weights = win.unit_idf(level.units, freq.title, freq.n)
        found, more = win.covering_titles(s, level, win.Filters(), weights)
        row = s.execute(text("SELECT rowid FROM documents WHERE id = 'both'")).scalar_one()
        assert found[0] == row  # older than every other, and first: it holds two parts
        assert len(found) == win.PARTIAL_WINDOW and more
        assert ids(s, "丧葬补助抚恤金申请")[0] == "both"
