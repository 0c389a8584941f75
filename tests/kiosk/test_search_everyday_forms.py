"""How residents' words are found in what they type (kiosk/search/understand.py, plan.py): dialect
words read as common ones (dialect.tsv), gapped vocabulary words (丢…饭碗), words with particles after
their first character (放了鞭炮), vocabulary words holding a filler kept whole (走了), residents' words
never pushed out of a long question's parts, and the partial level's body window looking for the
parts some text holds, and vocabulary words written as they sound (进老院 for 敬老院)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from searchkit import ids, mirror_of, rec
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.db import session_factory
from kiosk.search import heard
from kiosk.search import understand as und
from kiosk.search.plan import Freq, Unit, _partial_level, parse
from kiosk.search.window import Cand, scores, unit_idf

DOCS = [
    rec("jingshen", "精神卫生法", "精神障碍患者的监护人应当履行监护职责。"),
    rec("shiye", "失业保险条例", "失业人员符合条件的，可以领取失业保险金。"),
    rec("gongzi", "保障农民工工资支付条例", "用人单位应当按时足额支付农民工工资。"),
    rec("hunyin", "婚姻登记条例", "办理结婚登记的内地居民应当出具本人的户口簿、身份证。"),
    rec("yanglao", "养老机构管理办法", "养老机构应当公示收费项目和标准。"),
]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with mirror_of(tmp_path_factory.mktemp("forms") / "mirror.db", DOCS) as engine:
        yield engine


@pytest.fixture
def s(mirror: Engine) -> Iterator[Session]:
    with session_factory(mirror)() as session:
        yield session


def _entries() -> list[list[str]]:
    lines = und.DIALECT_FILE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def test_the_dialect_table_is_reviewed_data_with_a_reason_per_entry() -> None:
    entries = _entries()
    assert len(entries) >= 30
    assert len({e[0] for e in entries}) == len(entries), "a dialect word listed twice"
    for e in entries:
        assert len(e) == 3 and all(c.strip() == c and c for c in e) and e[0] != e[1], e


def test_dialect_words_are_read_as_common_words_before_matching(s: Session) -> None:
    assert und.normalise_dialect("屋里崽子脑壳有毛病") == "家里孩子脑子有毛病"
    assert und.normalise_dialect("高压线底下能不能起屋") == "高压线底下能不能盖房"
    assert und.normalise_dialect("医保 dibao") == "医保 dibao"  # nothing else touched
    # 脑壳 (Hunan: head) is the dialect word; 脑子有毛病 is in the vocabulary (→ 精神卫生)
    assert ids(s, "屋里崽子脑壳有毛病，发起病来打人，能送哪里")[:1] == ["jingshen"]


def test_a_gapped_word_matches_its_pieces_with_a_few_characters_between() -> None:
    assert "丢了饭碗" in und.everyday_in("丢了饭碗每个月能领钱吗")
    assert und.official_terms("丢了饭碗") == ("失业保险", "失业")
    assert "丢掉饭碗" in und.everyday_in("丢掉饭碗了")
    found = und.everyday_in("工资一直拖着")
    assert "工资一直拖" in found and und.official_terms("工资一直拖") == ("工资支付", "劳动争议")
    # no punctuation between the pieces, and no more than MAX_GAP characters
    assert not any(w.startswith("丢") for w in und.everyday_in("丢了，饭碗"))
    assert not any(w.startswith("丢") for w in und.everyday_in("丢了一二三四五六七饭碗"))
    assert und.official_terms("丢了一二三四五六七饭碗") == ()


def test_a_word_split_by_particles_after_its_first_character_is_found() -> None:
    assert und.everyday_in("过年放了鞭炮要罚款吗") == ("放了鞭炮",)
    assert und.official_terms("放了鞭炮") == und.everyday_words()["放鞭炮"]
    assert "养了一条狗" in und.everyday_in("我家养了一条狗")
    assert und.official_terms("离了婚") == und.everyday_words()["离婚"]
    assert "打了个预防针" in und.everyday_in("孩子打了个预防针")
    assert "住的院" in und.everyday_in("在外地住的院回来咋报")  # 是…的 puts 的 there
    assert und.official_terms("住的院") == und.everyday_words()["住院"]
    # only particles, numbers and measure words may stand between: 放心鞭炮 is not 放鞭炮
    assert und.everyday_in("放心鞭炮") == ("鞭炮",)
    assert und.official_terms("放心鞭炮") == ()


def test_a_vocabulary_word_holding_a_filler_survives_the_fillers(s: Session) -> None:
    assert und.strip_fillers("人走了必须烧吗").split() == ["人走了必须烧"]
    assert und.strip_fillers("我丢了工作怎么办").split() == ["丢了工作"]
    assert und.strip_fillers("我想问一下怎么领").split() == ["领"]  # fillers elsewhere still go
    assert ids(s, "我丢了工作，每个月能领钱吗")[:1] == ["shiye"]
    assert ids(s, "离了婚要去哪里办")[:1] == ["hunyin"]


def test_residents_words_come_first_among_a_long_questions_parts() -> None:
    # thirteen bigrams of a long first segment used to push the later segment's 煤气 past MAX_PARTS
    p = parse("隔壁那家人天天半夜三更在楼道里大声说话，煤气")
    assert p is not None
    assert any(u.word and "燃气" in u.texts for u in p.parts)


def test_the_body_window_looks_for_parts_some_text_holds() -> None:
    # neither part is in any title; 盲狗 is in no text at all, 导盲 is in three bodies
    units = [Unit(("眼睛",)), Unit(("盲狗",)), Unit(("导盲",)), Unit(("超市",))]
    freq = Freq(
        text={"眼睛": 40.0, "盲狗": 0.0, "导盲": 3.0, "超市": 90.0},
        title={"眼睛": 0.0, "盲狗": 0.0, "导盲": 0.0, "超市": 0.0},
        n=3000.0,
    )
    level = _partial_level(units, freq)
    assert level is not None and level.text is not None
    assert "导盲" in level.text.replace(" ", "") and "盲狗" not in level.text.replace(" ", "")


def test_a_vocabulary_word_written_as_it_sounds_is_heard(s: Session) -> None:
    """One character written otherwise with the same sound, the back nasals merged as southern speakers
    say them (进 jin for 敬 jing): the word is heard; two slips, or a slice around a word found as
    written, are not."""
    assert heard.everyday_heard("养老斤怎么领") == ("养老金",)
    assert heard.everyday_heard("进老院收费") == ("敬老院",)
    assert heard.everyday_heard("野生动物保护") == ()  # 物保护 sounds like 五保户: two slips
    assert heard.everyday_heard("工伤保险条例") == ()  # 伤保险 like 上保险, but inside 工伤保险
    assert heard.everyday_heard("敬老院收费") == ()  # as written: everyday_in finds it
    assert ids(s, "进老院一个月收好多钱")[:1] == ["yanglao"]


def test_a_context_word_does_not_outrank_the_specific_word_of_the_question() -> None:
    """孩子 (marked context in everyday.tsv) stands for 未成年人, in many titles; 网吧 for a rarer term.
    In a title that holds only 未成年人, the 孩子 unit weighs as 未成年人 does, not as the rare 孩子."""
    assert "孩子" in und.context_words() and "网吧" not in und.context_words()
    child = Unit(("孩子", "儿童", "未成年人"), word=True, context=True)
    cafe = Unit(("网吧", "互联网上网服务营业场所"), word=True)
    df = {"孩子": 0.0, "儿童": 20.0, "未成年人": 60.0, "网吧": 4.0, "互联网上网服务营业场所": 4.0}
    cands = {
        1: Cand(True, title="未成年人保护条例", head="保护未成年人的身心健康"),
        2: Cand(True, title="互联网上网服务营业场所管理条例", head="加强对互联网上网服务营业场所的管理"),
    }
    units = (child, cafe)
    idf = unit_idf(units, df, 3000.0)
    before = scores(cands, units, idf)  # the unit's most specific text for every title
    after = scores(cands, units, idf, df, 3000.0)
    assert before[1] > before[2] and after[2] > after[1]
    # without a specific residents' word beside it, a context word weighs as before
    assert scores(cands, (child,), idf[:1], df, 3000.0) == scores(cands, (child,), idf[:1])
