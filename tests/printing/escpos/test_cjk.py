"""The per-character decision: printer font, printer encoding, or a raster image; widths and wrapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing.escpos.cjk import char_bytes, encode_line, normalise, text_width, wrap


def test_punctuation_only_line_is_sent_as_gb_bytes_not_question_marks() -> None:
    data = encode_line("。，、；：“”《》（）！", "gb18030", "gb2312")
    assert data is not None
    assert b"?" not in data
    assert data.decode("gb18030") == "。，、；：“”《》（）！"


def test_yen_sign_becomes_the_two_byte_fullwidth_sign() -> None:
    text = normalise("金额¥12")
    assert text == "金额￥12"
    data = encode_line(text, "gbk", "gbk")
    assert data == "金额".encode("gbk") + b"\xa3\xa412"


@pytest.mark.parametrize(
    ("ch", "charset", "printable"),
    [
        ("镕", "gb2312", False),
        ("镕", "gbk", True),
        ("堃", "gb2312", False),
        ("喆", "gbk", True),
        ("㐀", "gbk", False),  # CJK Extension A: GB18030 only
        ("㐀", "gb18030", True),
        ("𬭎", "gb18030", False),  # supplementary plane: no printer font has it
        ("·", "gb2312", True),  # the middle dot of minority names, A1A4 in every GB code
        ("é", "gb2312", False),  # a letter: one column wide, drawn, not the font's two-column glyph
    ],
)
def test_repertoire_follows_the_printers_font(ch: str, charset: str, printable: bool) -> None:
    assert (char_bytes(ch, "gb18030", charset) is not None) is printable


def test_gbk_encoding_cannot_carry_four_byte_characters_even_with_a_gb18030_font() -> None:
    assert char_bytes("㐀", "gbk", "gb18030") is None
    assert char_bytes("㐀", "gb18030", "gb18030") == "㐀".encode("gb18030")


def test_middle_dot_goes_as_a1a4() -> None:
    assert char_bytes("·", "gb18030", "gb2312") == b"\xa1\xa4"


def test_widths_are_cjk_double() -> None:
    assert text_width("AB12") == 4
    assert text_width("受理编号：") == 10
    assert text_width("𬭎") == 2


def test_wrap_keeps_ascii_words_and_avoids_closing_punctuation_at_line_start() -> None:
    lines = wrap("办公时间周一至周五 9:00—12:00，13:30—17:00", 22)
    assert all(text_width(line) <= 22 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)
    assert "".join(lines).replace(" ", "") == "办公时间周一至周五9:00—12:00，13:30—17:00"
    assert any("12:00" in line for line in lines)


ALPHABET = st.sampled_from(list("政务公开，。、（）《》abc 123-/：¥𬭎镕"))


@given(st.text(alphabet=ALPHABET, max_size=80), st.integers(8, 48))
def test_wrap_never_loses_text_or_overflows(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(text_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == normalise(text).replace(" ", "")


def test_controls_dropped_but_unknown_characters_kept() -> None:
    assert normalise("王\u200b明\x07") == "王明"
    assert normalise("\U00031350") == "\U00031350"  # CJK Extension H: drawn, never silently lost
    assert char_bytes("\U00031350", "gb18030", "gb18030") is None
