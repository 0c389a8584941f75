"""Search the way residents type: query folding (full-width, traditional characters), filler words,
full pinyin with or without spaces, homophones by sound, partial matches ranked after strict ones and
flagged, the suggestion offered by sound, and the upgrade of a mirror indexed before full pinyin."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from searchkit import ids, mirror_of, rec
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kiosk.db import open_engine, session_factory
from kiosk.mirror.store import apply_document
from kiosk.search import index as search_index
from kiosk.search import search
from kiosk.search import tokenize as tk
from kiosk.search import understand as und

DOCS = [
    rec("dibao", "娄星区城乡最低生活保障实施办法", "最低生活保障对象的认定和保障标准。", published="2021-03-01"),
    rec("dibaojin", "低保金发放办事指南", "低保金每月发放。", published="2023-05-10"),
    rec("yibao", "城乡居民基本医疗保险参保缴费通知", "集中参保缴费。", published="2024-01-02"),
    rec("hukou", "户口登记办事指南", "办理户口登记需要居民身份证。", published="2021-01-01"),
    rec("xian", "西安路改造工程的公告", "道路施工。", published="2020-05-05"),
    rec("gaoling", "高龄津贴申领办事指南", "八十周岁以上老年人可以申领高龄津贴。", published="2022-02-02"),
    rec("ruxue", "义务教育入学报名办事指南", "适龄儿童入学报名。", published="2022-06-01"),
    rec("bank", "银行业金融机构管理办法", "银行。", published="2019-01-01"),
]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with mirror_of(tmp_path_factory.mktemp("understand") / "mirror.db", DOCS) as engine:
        yield engine


@pytest.fixture
def s(mirror: Engine) -> Iterator[Session]:
    with session_factory(mirror)() as session:
        yield session


# --- the parts --------------------------------------------------------------------------------------


def test_fold_full_width_and_traditional() -> None:
    assert und.fold("ＤＢＪ２０２３") == "dbj2023"
    assert und.fold("醫保 戶口 養老") == "医保 户口 养老"
    assert und.fold("程序") == "程序"  # characters only: no Taiwan phrase rewriting


def test_fold_leaves_simplified_text_alone() -> None:
    """OpenCC's t2s phrase table rewrites 打坏 (broken) as 打坯 (adobe making) even in simplified text:
    only a text with a traditional character is converted."""
    assert und.fold("打雷把电视打坏了") == "打雷把电视打坏了"
    assert und.fold("電視打壞了") == "电视打坏了"


def test_fillers_come_from_the_data_file() -> None:
    assert "怎么" in und.fillers() and "吗" in und.fillers()
    assert und.strip_fillers("怎么交医保").split() == ["交医保"]
    assert und.strip_fillers("我家孩子上学要办什么").split() == ["孩子上学要办"]
    assert und.strip_fillers("土地承包").split() == ["土地承包"]
    # 啥 alone left 时候 behind (啥时候), a word no title holds that then counted as a part
    assert und.strip_fillers("退休金每个月啥时候涨").split() == ["退休金每个月", "涨"]
    assert und.strip_fillers("五险一金到底是啥").split() == ["五险一金", "是"]


def test_syllable_segmentation_with_ambiguity_and_a_partial_last_syllable() -> None:
    assert und.segmentations("dibao")[0] == ("di", "bao")
    assert {("xian",), ("xi", "an")} <= set(und.segmentations("xian"))
    assert ("di", "b*") in und.segmentations("dib")
    assert und.segmentations("dbj") == []
    assert und.segmentations("dib", partial=False) == []


def test_readings_include_heteronyms_and_the_reading_in_context_first() -> None:
    assert und.readings("银行")[0] == ("yin", "hang")
    assert ("yin", "xing") in und.readings("银行")
    assert und.readings("滴保")[0] == ("di", "bao")


def test_title_syllables_index_other_readings_of_heteronyms() -> None:
    sylls = und.title_syllables("银行业管理")
    assert sylls[:5] == ["yin", "hang", "ye", "guan", "li"]
    assert "xing" in sylls[5:]


@pytest.mark.parametrize(
    "title",
    ["娄星区城乡最低生活保障实施办法", "银行业管理", "重庆长安", "ABC 低保金2023年", "𬭎字测试", "关于dbj的通知", ""],
)
def test_title_pinyin_is_the_initials_and_syllables_in_one_pass(title: str) -> None:
    assert und.title_pinyin(title) == (tk.pinyin_initials(title), und.title_syllables(title))


def test_lexicon_hears_residents_words() -> None:
    assert und.lexicon_terms([("di", "bao")]) == ["低保"]
    assert "低保" in und.lexicon_terms([("wo", "xiang", "ban", "di", "bao")])


# --- searching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "doc"),
    [
        ("dibao", "dibaojin"),
        ("di bao", "dibaojin"),
        ("hukou", "hukou"),
        ("HUKOU", "hukou"),
        ("yibao", "yibao"),
        ("gaolingjintie", "gaoling"),
        ("醫保", "yibao"),
        ("戶口登記", "hukou"),
        ("ｈｕｋｏｕ", "hukou"),
        ("怎么交医保", "yibao"),
        ("我家孩子上学要办什么", "ruxue"),
        ("老人的高龄补贴在哪领", "gaoling"),
        ("yinhang", "bank"),
        ("xian", "xian"),
        ("dibao怎么申请", "dibaojin"),
        ("我想查hukou", "hukou"),
        ("滴保金", "dibaojin"),
    ],
)
def test_residents_queries_find_the_document(s: Session, q: str, doc: str) -> None:
    assert doc in ids(s, q)[:3], q


def test_full_pinyin_finds_synonym_titles_too(s: Session) -> None:
    found = ids(s, "dibao")
    assert {"dibao", "dibaojin"} <= set(found)


def test_homophone_is_found_by_sound_below_exact_matches_and_flagged(s: Session) -> None:
    res = search(s, "滴保")
    assert {"dibao", "dibaojin"} <= {h.id for h in res.hits}
    assert res.relaxed and all(h.partial for h in res.hits)
    assert res.suggestion == "低保"
    exact = search(s, "低保")
    assert not exact.relaxed and exact.suggestion == ""
    mixed = search(s, "低保金发放")
    assert mixed.hits[0].id == "dibaojin" and not mixed.hits[0].partial


def test_partial_matches_follow_strict_ones_only_when_they_hold_most_of_the_query(s: Session) -> None:
    res = search(s, "户口登记办事指南")
    assert res.hits[0].id == "hukou" and not res.hits[0].partial
    for h in res.hits[1:]:
        assert h.partial
    sentence = search(s, "我想办低保怎么弄")
    assert sentence.relaxed and sentence.hits


def test_a_query_of_only_filler_words_is_searched_as_typed(s: Session) -> None:
    assert search(s, "什么").total >= 0
    assert search(s, "吗").total >= 0


# --- upgrade --------------------------------------------------------------------------------------


def test_a_mirror_indexed_before_full_pinyin_upgrades_and_hears_pinyin(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    engine = open_engine(db)  # at head: documents written through the real store
    with session_factory(engine)() as s, s.begin():
        for r in DOCS:
            apply_document(s, r)
    engine.dispose()
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(search_index.__file__).parents[1] / "migrations"))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{db}")
    command.downgrade(cfg, "0008_search_pgsz")
    con = sqlite3.connect(db)  # an 0008 mirror whose whole-text index is current
    with con:
        con.execute("INSERT INTO kv(key, value) VALUES (?, ?)", (search_index.KV_KEY, search_index.INDEX_VERSION))
        assert "pyf" not in [r[1] for r in con.execute("PRAGMA table_info(search_title)")]
    con.close()
    engine = open_engine(db)  # upgrades to head again: the title table is rebuilt from the titles alone
    with session_factory(engine)() as s:
        assert "pyf" in [r[1] for r in s.execute(text("PRAGMA table_info(search_title)"))]
        assert search_index.ensure_current(s) is False  # nothing else to rebuild
        assert "dibaojin" in ids(s, "dibao")
        assert ids(s, "户口登记")[0] == "hukou"
        assert ids(s, "低保金")[0] == "dibaojin"
    engine.dispose()
