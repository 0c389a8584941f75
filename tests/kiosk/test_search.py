"""Search over a real SQLite mirror written through kiosk.mirror.store: tokenisation, synonyms,
文号 in any bracket style, pinyin initials, ranking by status, filters and counts, paging past the
ranking window, snippets with marks, index upkeep on update/repeal/delete, hostile input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from searchkit import ids, mirror_of, rec
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import DocStatus
from kiosk.mirror.store import apply_document, delete_document, set_status
from kiosk.search import index as search_index
from kiosk.search import query as search_query
from kiosk.search import search, strip_marks, suggest
from kiosk.search import tokenize as tk
from kiosk.search import window as search_window

BODY_DIBAO = (
    "# 娄星区城乡居民最低生活保障办法\n\n第一条 为了规范城乡居民最低生活保障工作，保障困难群众基本生活，"
    "制定本办法。\n\n第二条 共同生活的家庭成员人均收入低于当地最低生活保障标准的，可以申请最低生活保障。"
)


DOCS = [
    rec(
        "dibao",
        "娄星区城乡居民最低生活保障办法",
        BODY_DIBAO,
        doc_number="娄政发〔2019〕8号",
        issuer="娄星区人民政府",
        published="2019-03-01",
        categories=("type-zhengce-wenjian",),
    ),
    rec("dibaojin", "低保金发放办事指南", published="2023-05-10", zone_id="wanbao", categories=("type-banshi-zhinan",)),
    rec(
        "xxgk-old",
        "政府信息公开条例",
        "2007年公布的政府信息公开条例全文。",
        status=DocStatus.REPEALED,
        published="2007-04-05",
    ),
    rec(
        "xxgk",
        "政府信息公开条例",
        "2019年修订的政府信息公开条例全文。",
        doc_number="国务院令第711号",
        published="2019-04-03",
    ),
    rec("hukou", "户口登记办事指南", "办理户口登记需要居民身份证。", published="2021-01-01", zone_id="huangnitang"),
    rec(
        "xss",
        "关于<script>alert(1)</script>的公告",
        "正文含有 <b>标签</b> & 符号，以及公告内容。",
        published="2020-02-02",
    ),
    rec("en", "COVID-19 疫苗接种指南", "Vaccination guide: covid vaccine 接种。", published="2022-01-01"),
]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with mirror_of(tmp_path_factory.mktemp("search") / "mirror.db", DOCS) as engine:
        yield engine


@pytest.fixture
def s(mirror: Engine) -> Iterator[Session]:
    with session_factory(mirror)() as session:
        yield session


# --- tokenisation ---------------------------------------------------------------------------------


def test_cjk_bigrams_unigrams_and_words() -> None:
    assert tk.index_tokens("低保金ABC 12") == "低 低保 保 保金 金 abc 12"
    assert tk.index_tokens("低保金，法", unigrams=False) == "低保 保金 法"
    assert tk.index_tokens("ＡＢＣ１２") == "abc12"  # full-width folded
    runs = [(r.text, r.cjk) for r in tk.runs("社保2024年")]
    assert runs == [("社保", True), ("2024", False), ("年", True)]


def test_doc_number_forms_tokenise_and_normalise_alike() -> None:
    forms = ["国办发〔2019〕8号", "国办发[2019]8号", "国办发(2019)8号", "国办发（2019）8号", "国办发【2019】8号"]
    assert len({tk.index_tokens(f) for f in forms}) == 1
    assert {tk.normalize_doc_number(f) for f in forms} == {"国办发〔2019〕8号"}


def test_pinyin_initials() -> None:
    assert tk.pinyin_initials("低保金") == "dbj"
    assert tk.pinyin_initials("政府信息公开条例") == "zfxxgktl"
    assert tk.letter_bigrams("dbj") == "db bj"


# --- matching and ranking -------------------------------------------------------------------------


def test_title_query_finds_regulation_and_in_force_ranks_above_repealed(s: Session) -> None:
    res = search(s, "政府信息公开条例")
    assert [h.id for h in res.hits][:2] == ["xxgk", "xxgk-old"]
    assert res.total == 2
    assert res.hits[0].status == "in_force" and res.hits[1].status == "repealed"


def test_synonym_finds_what_titles_call_otherwise(s: Session) -> None:
    assert ids(s, "低保")[:2] == ["dibaojin", "dibao"] or set(ids(s, "低保")[:2]) == {"dibao", "dibaojin"}
    assert "hukou" in ids(s, "户籍")
    res = search(s, "低保")
    dibao = next(h for h in res.hits if h.id == "dibao")
    assert "<b>最低生活保障</b>" in dibao.title_html


def test_doc_number_in_any_bracket_style_ranks_first(s: Session) -> None:
    for q in ("娄政发〔2019〕8号", "娄政发[2019]8号", "娄政发(2019)8号", "娄政发（2019）8号"):
        assert ids(s, q)[0] == "dibao", q
    assert ids(s, "国务院令第711号")[0] == "xxgk"


def test_pinyin_initials_search_titles(s: Session) -> None:
    res = search(s, "dbj")
    assert res.hits and res.hits[0].id == "dibaojin"
    assert res.hits[0].title_html.startswith("<b>低保金</b>")
    assert ids(s, "zfxxgk")[:1] in (["xxgk"], ["xxgk-old"])
    assert "xxgk" in ids(s, "ZFXXGK")


def test_one_character_and_ascii_words(s: Session) -> None:
    assert set(ids(s, "户")) == {"hukou"}
    assert ids(s, "covid") == ["en"]
    assert ids(s, "Vaccine") == ["en"]


def test_relaxed_match_for_a_residents_sentence(s: Session) -> None:
    res = search(s, "我想办低保怎么弄")
    assert res.relaxed
    assert {"dibao", "dibaojin"} <= {h.id for h in res.hits}
    assert not search(s, "低保").relaxed


def test_filters_and_counts(s: Session) -> None:
    # zone: district-wide documents plus that zone's
    assert "dibaojin" in ids(s, "办事指南", zone="wanbao")
    assert "hukou" not in ids(s, "办事指南", zone="wanbao")
    assert set(ids(s, "办事指南", zone="huangnitang")) == {"hukou"}
    assert search(s, "办事指南").total == 2
    assert ids(s, "低保", category="type-banshi-zhinan") == ["dibaojin"]
    assert ids(s, "政府信息公开条例", status="repealed") == ["xxgk-old"]
    assert ids(s, "政府信息公开条例", status="现行有效") == ["xxgk"]
    assert ids(s, "政府信息公开条例", year=2007) == ["xxgk-old"]
    assert search(s, "政府信息公开条例", year=2030).total == 0
    with pytest.raises(ValueError, match="unknown status"):
        search(s, "低保", status="gone")


def test_snippets_mark_matches_on_escaped_text(s: Session) -> None:
    hit = search(s, "公告").hits[0]
    assert hit.id == "xss"
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<b>公告</b>" in hit.title_html
    assert "&lt;b&gt;标签&lt;/b&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert "<b>公告</b>" in hit.snippet
    assert strip_marks(hit.snippet).startswith("正文含有 <b>标签</b> & 符号")
    dibao = search(s, "最低生活保障").hits[0]
    assert dibao.id == "dibao" and dibao.snippet.count("<b>最低生活保障</b>") >= 2
    assert not dibao.snippet.startswith("娄星区城乡居民最低生活保障办法")  # the heading is not repeated


def test_suggest_returns_titles(s: Session) -> None:
    assert "户口登记办事指南" in suggest(s, "户口")
    assert suggest(s, "  ") == []


# --- hostile input --------------------------------------------------------------------------------

HOSTILE = [
    '"',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(低保 户口)",
    "*",
    "低保*",
    ")(",
    "^",
    "{title}:",
    "title:低保",
    "-",
    "+",
    "''",
    "\\",
    "%",
    "_",
    "😀",
    "低保😀户口",
    "\x00",
    "低\x00保",
    "。，！",
    "   ",
    "",
    "政府" * 1000,
    "a" * 2000,
    "\ud800",
    "国\ud8001号",
    "低\udcff保2019",
    "\u202e低保",
    "<b>",
    "'; DROP TABLE documents; --",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_text_is_a_query(s: Session, q: str) -> None:
    res = search(s, q)
    assert res.total >= len(res.hits)
    assert len(res.query) <= search_query.MAX_QUERY_CHARS


def test_hostile_queries_still_find(s: Session) -> None:
    assert "dibao" in ids(s, '"低保"')
    assert "dibao" in ids(s, "低保 AND")
    assert "hukou" in ids(s, "户口)(")
    assert s.execute(text("SELECT count(*) FROM documents")).scalar_one() == len(DOCS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(st.characters(blacklist_categories=()), max_size=80),  # surrogates too
    zone=st.sampled_from([None, "wanbao", "x'y"]),
    offset=st.integers(min_value=-5, max_value=50),
    limit=st.integers(min_value=-1, max_value=30),
)
def test_any_text_any_paging_never_errors(s: Session, q: str, zone: str | None, offset: int, limit: int) -> None:
    res = search(s, q, zone=zone, offset=offset, limit=limit)
    assert res.total >= 0 and len(res.hits) <= max(limit, 0)
    for h in res.hits:  # escaped text: the only tags are the marks
        assert "<" not in re.sub("</?b>", "", h.snippet + h.title_html)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(
        alphabet=st.sampled_from(list('"*()^:{}-+ANDORNEAR 低保户口政府公开号〔〕[]0123456789😀\x00')), max_size=40
    )
)
def test_fts_syntax_soup_never_errors(s: Session, q: str) -> None:
    search(s, q)


# --- index upkeep -------------------------------------------------------------------------------


@contextmanager
def writing(s: Session) -> Iterator[None]:
    """A write transaction on a session that may have read (and so begun) already."""
    s.commit()
    with s.begin():
        yield


def _fresh(tmp_path: Path) -> Engine:
    return open_engine(tmp_path / "m.db")


def test_update_repeal_delete_keep_index_in_step(tmp_path: Path) -> None:
    engine = _fresh(tmp_path)
    with session_factory(engine)() as s:
        with writing(s):
            apply_document(s, rec("a", "养犬管理办法", "犬只登记的规定。", zone_id="wanbao", published="2020-01-01"))
        assert ids(s, "养犬") == ["a"]
        with writing(s):  # higher version with a new title and zone
            apply_document(s, rec("a", "电动自行车管理办法", "电动自行车登记。", version=2, published="2021-01-01"))
        assert ids(s, "养犬") == [] and ids(s, "犬只") == []
        assert ids(s, "电动车") == ["a"]  # synonym 电动车 → 电动自行车
        assert ids(s, "电动自行车", zone="shijing") == ["a"]  # now district-wide
        assert ids(s, "电动自行车", year=2020) == [] and ids(s, "电动自行车", year=2021) == ["a"]
        with writing(s):
            set_status(s, "a", DocStatus.REPEALED)
        assert ids(s, "电动自行车", status="repealed") == ["a"]
        assert ids(s, "电动自行车", status="in_force") == []
        with writing(s):
            apply_document(
                s,
                rec(
                    "a",
                    "电动自行车管理办法",
                    "电动自行车登记。",
                    version=2,
                    published="2021-01-01",
                    status=DocStatus.IN_FORCE,
                ),
            )
        assert ids(s, "电动自行车", status="in_force") == ["a"]
        with writing(s):
            delete_document(s, "a")
        assert search(s, "电动自行车").total == 0
        assert s.execute(text("SELECT count(*) FROM search_docs")).scalar_one() == 0
        # the deletes handed FTS5 exactly the tokens inserted: nothing is left in either vocabulary
        for table in ("search_title", "search_text"):
            s.execute(text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')"))
            s.execute(text(f"CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab(main, {table}, 'row')"))
            assert s.execute(text(f"SELECT count(*) FROM temp.v_{table}")).scalar_one() == 0
    engine.dispose()


def test_rebuild_and_version_check(tmp_path: Path) -> None:
    engine = _fresh(tmp_path)
    with session_factory(engine)() as s:
        with writing(s):
            for r in DOCS:
                apply_document(s, r)
        before = {q: ids(s, q) for q in ("低保", "户口", "dbj", "娄政发〔2019〕8号")}
        assert search_index.ensure_current(s) is False
        s.execute(text("UPDATE kv SET value = 'old' WHERE key = :k"), {"k": search_index.KV_KEY})
        s.commit()
        assert search_index.ensure_current(s) is True
        assert {q: ids(s, q) for q in before} == before
    engine.dispose()


def test_paging_past_the_ranking_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_window, "WINDOW", 3)
    engine = _fresh(tmp_path)
    with session_factory(engine)() as s:
        with writing(s):
            for i in range(12):
                status = DocStatus.REPEALED if i % 4 == 0 else DocStatus.IN_FORCE
                title = f"社会救助通知第{i}号" if i % 2 else f"关于第{i}批材料的公告"
                apply_document(s, rec(f"d{i}", title, f"本文涉及社会救助事项{i}。", status=status))
        seen: list[str] = []
        for offset in range(0, 12, 5):
            res = search(s, "社会救助", offset=offset, limit=5)
            assert res.total == 12
            seen += [h.id for h in res.hits]
        assert sorted(seen) == sorted(f"d{i}" for i in range(12))  # every match once, none twice
        first = search(s, "社会救助", limit=3).hits
        assert all("社会救助" in h.title for h in first)  # title matches ranked first
    engine.dispose()


def test_pinyin_paging_past_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_window, "WINDOW", 2)
    engine = _fresh(tmp_path)
    with session_factory(engine)() as s:
        with writing(s):
            for i in range(7):
                apply_document(s, rec(f"p{i}", f"第{i}期低保金发放名单", "名单。"))
            apply_document(s, rec("w", "说明", "缩写 dbj 的含义。"))  # the letters as a word in a body
        res = search(s, "dbj", limit=3)
        assert res.total == 8
        seen = [h.id for off in range(0, 9, 3) for h in search(s, "dbj", offset=off, limit=3).hits]
        assert sorted(seen) == sorted([f"p{i}" for i in range(7)] + ["w"])
    engine.dispose()


def test_a_query_whose_parts_only_bodies_hold_never_gets_an_empty_page(tmp_path: Path) -> None:
    """Neither level found anything for 想给灾区捐点钱 (no title holds a part; the partial level's
    bodies asked for its two rarest-in-titles parts, the whole run and 想给, which no text holds):
    any part some text holds (灾区) now finds the document, flagged as only partial. A query no
    text holds any part of still finds nothing."""
    docs = [
        rec("cishan", "慈善事业促进条例", "第十条 向灾区捐赠款物的，受赠人应当及时发放。" * 3),
        rec("other", "城市绿化条例", "第一条 为了促进城市绿化事业的发展，制定本条例。"),
    ]
    with mirror_of(tmp_path / "m.db", docs) as engine, session_factory(engine)() as s:
        r = search(s, "想给灾区捐点钱")
        assert [h.id for h in r.hits] == ["cishan"]
        assert r.only_partial and r.relaxed and r.total == 1 and r.hits[0].partial
        assert "<b>灾区</b>" in r.hits[0].snippet
        assert search(s, "扯证").hits == []
