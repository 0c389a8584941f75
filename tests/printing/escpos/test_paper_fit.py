"""Receipts fit the paper: 32, 42 and 48 columns, decoded back with our ESC/POS reader."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from escpos_decode import decode

from printing.escpos.cjk import char_width, encode_line, text_width
from printing.escpos.document import Layout
from printing.escpos.receipt import SEE_FORM, build_receipt

LONG_NO = "LP01-20260213-0003"


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_tracking_number_and_deadline_never_break(columns: int, receipt_data: Any) -> None:
    data = dataclasses.replace(receipt_data, tracking_no=LONG_NO)
    out = decode(build_receipt(data, Layout(columns=columns)))
    texts = out.texts()
    assert LONG_NO in texts  # on one line, whole
    line = out.lines[texts.index(LONG_NO)]
    assert line.scale == (2 if len(LONG_NO) * 2 <= columns else 1)  # double size only where it fits
    assert any("2026年12月25日" in t for t in texts)  # the date is never split
    assert any("（星期五）" in t for t in texts)
    assert any("前（含当日）" in t for t in texts)
    for t, ln in zip(texts, out.lines, strict=True):
        if ln.image is None:
            assert text_width(t) * ln.scale <= columns, t
    assert out.qr_ec == [49]  # error correction M


def test_a_long_description_is_shortened_with_a_pointer_to_the_form(receipt_data: Any) -> None:
    data = dataclasses.replace(receipt_data, description="请公开本街道加装电梯的审批文件和补贴发放记录。" * 100)
    texts = decode(build_receipt(data, Layout(columns=32))).texts()
    start = next(i for i, t in enumerate(texts) if t.startswith("所需信息："))
    end = next(i for i, t in enumerate(texts) if "详见申请表" in t)
    assert end - start <= 4
    assert SEE_FORM.strip("…") in "".join(texts[start : end + 1]).replace(" ", "")


def test_columns_beyond_the_printers_dots_are_refused() -> None:
    with pytest.raises(ValueError, match="64 columns need 768 dots"):
        Layout(columns=64)
    with pytest.raises(ValueError, match="at most 32 columns"):
        Layout(columns=42, dots=384)
    assert Layout(columns=64, dots=832).columns == 64


def test_widths_follow_east_asian_width() -> None:
    assert char_width("é") == 1 and char_width("ü") == 1 and char_width("Я") == 1
    assert char_width("王") == 2 and char_width("·") == 2 and char_width("（") == 2
    # é goes as an image (one column), not as a two-column GBK glyph
    assert encode_line("José", "gb18030", "gbk") is None


def test_a_gb18030_printer_gets_text_only_for_what_its_font_has() -> None:
    assert encode_line("䶮", "gb18030", "gb18030") == "䶮".encode("gb18030")  # Extension A: in its font
    assert encode_line("ཀ", "gb18030", "gb18030") is None  # Tibetan: GB18030 encodes it, the font lacks it
    assert encode_line("ئ", "gb18030", "gb18030") is None  # Uyghur (Arabic script)
    assert encode_line("䶮", "gb18030", "gbk") is None
