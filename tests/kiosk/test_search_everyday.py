"""Residents' everyday words (kiosk/search/everyday.tsv): the vocabulary is well-formed and reviewed
(a reason on every entry), widens a query one way only (煤气 → 燃气, never 燃气 → 煤气), finds documents
whose titles or only bodies hold the official term, and a result made only of partial matches says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from searchkit import ids, mirror_of, rec
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.db import session_factory
from kiosk.search import search
from kiosk.search import understand as und

DOCS = [
    rec("ranqi", "城镇燃气管理条例", "燃气经营者应当向燃气用户持续、稳定、安全供应符合国家质量标准的燃气。"),
    rec("yangquan", "养犬管理规定", "养犬实行登记制度。携犬出户应当束犬链。"),
    rec("binzang", "殡葬管理条例", "遗体火化后骨灰安放。殡葬服务收费应当明码标价。"),
    rec("zhengshou", "国有土地上房屋征收与补偿条例", "房屋征收应当给予公平补偿。"),
    rec("zaosheng", "噪声污染防治法", "社会生活噪声污染防治。禁止夜间在居民区进行产生噪声的建筑施工作业。"),
    rec("dianche", "电动自行车管理办法", "电动自行车应当登记并悬挂号牌。"),
    rec(
        "shebao",
        "社会保险法",
        "个人死亡同时符合领取基本养老保险丧葬补助金的，其遗属可以领取。" * 3,
    ),
    rec("hunyin", "婚姻登记条例", "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。"),
    rec("laoren", "老年人权益保障法", "老年人有从国家和社会获得物质帮助的权利。老年人的合法权益受法律保护。" * 5),
]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with mirror_of(tmp_path_factory.mktemp("everyday") / "mirror.db", DOCS) as engine:
        yield engine


@pytest.fixture
def s(mirror: Engine) -> Iterator[Session]:
    with session_factory(mirror)() as session:
        yield session


def _entries() -> list[list[str]]:
    lines = und.EVERYDAY_FILE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def test_the_vocabulary_is_reviewed_data_with_a_reason_per_entry() -> None:
    entries = _entries()
    assert len(entries) >= 300
    words = [e[0] for e in entries]
    assert len(words) == len(set(words)), "an everyday word listed twice"
    for e in entries:
        assert len(e) in (3, 4) and all(c.strip() == c and c for c in e), e
        assert len(e) == 3 or e[3] == "context", e  # the only mark a fourth column may hold
        official = e[1].split("|")
        assert official and all(official) and e[0] not in official, e
    assert und.everyday_words()["煤气"] == ("燃气",)
    assert und.everyday_words()["狗"] == ("犬", "养犬")


def test_everyday_words_widen_a_query_one_way_only() -> None:
    assert "燃气漏气" in und.expand("煤气漏气")
    assert und.expand("燃气") == ["燃气"]
    assert und.known_terms("养狗要办证")[0] == "养狗"  # the longer word, not 狗 inside it
    assert "养犬" in und.expand("养狗")


@pytest.mark.parametrize(
    ("q", "doc"),
    [
        ("家里煤气漏了找谁", "ranqi"),
        ("养狗要办证吗", "yangquan"),
        ("遛狗不牵绳", "yangquan"),
        ("人死了火化", "binzang"),
        ("拆迁补偿", "zhengshou"),
        ("楼下工地太吵了", "zaosheng"),
        ("电瓶车上牌", "dianche"),
        ("扯证", "hunyin"),  # dialect: found nothing at all before
        ("俩人过不下去了 去哪办手续", "hunyin"),
        ("放鞭炮", None),  # no document on fireworks here: nothing wrong is forced to the top
    ],
)
def test_everyday_words_find_the_official_document(s: Session, q: str, doc: str | None) -> None:
    found = ids(s, q)
    if doc is None:
        assert "ranqi" not in found[:1] and "laoren" not in found[:1]
    else:
        assert doc in found[:3], (q, found)


def test_a_word_titles_never_use_is_found_in_bodies(s: Session) -> None:
    found = ids(s, "老人去世了丧葬费怎么领")
    assert found[0] == "binzang"  # 丧葬 → 殡葬 in a title
    assert "shebao" in found  # 丧葬补助金 only in its body


def test_the_result_says_when_only_partial_matches_came_back(s: Session) -> None:
    only = search(s, "老人去世了丧葬费怎么领")
    assert only.hits and only.only_partial and only.relaxed and all(h.partial for h in only.hits)
    exact = search(s, "燃气")
    assert exact.hits and not exact.only_partial
    assert not search(s, "煤气").only_partial  # found through the vocabulary: a match, not a partial one
    nothing = search(s, "量子计算机")
    assert not nothing.hits and not nothing.only_partial
