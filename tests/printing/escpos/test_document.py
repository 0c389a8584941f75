"""EscPosDocument: Chinese mode once, text or raster per line, QR by the printer, cut."""

from __future__ import annotations

from printing.escpos.document import EscPosDocument, Layout
from printing.escpos.raster import CELL_H, gs_v_0, render_line


def test_starts_with_init_and_chinese_mode_and_ends_with_cut() -> None:
    doc = EscPosDocument(Layout(columns=48))
    doc.line("受理回执")
    out = doc.finish()
    assert out.startswith(b"\x1b@\x1c&")
    assert "受理回执".encode("gb18030") + b"\n" in out
    assert out.endswith(b"\x1dV\x00")


def test_no_cut_when_the_printer_does_not_cut() -> None:
    doc = EscPosDocument(Layout(cut=False))
    doc.line("x")
    assert b"\x1dV" not in doc.finish()


def test_a_line_with_a_character_the_font_lacks_goes_as_a_gs_v_0_image() -> None:
    doc = EscPosDocument(Layout(columns=32, font_charset="gb2312"))
    doc.line("申请人：朱镕基")
    out = doc.finish()
    assert doc.raster_lines == 1
    header = b"\x1dv0\x00" + bytes([32 * 12 // 8, 0, CELL_H, 0])
    assert header in out
    image = gs_v_0(render_line("申请人：朱镕基", 32))
    assert image.startswith(header)
    assert image in out
    assert "朱镕基".encode("gb18030") not in out
    assert b"?" not in out.replace(image, b"")


def test_the_same_line_is_text_on_a_gbk_printer() -> None:
    doc = EscPosDocument(Layout(columns=32, font_charset="gbk", encoding="gbk"))
    doc.line("申请人：朱镕基")
    out = doc.finish()
    assert doc.raster_lines == 0
    assert "申请人：朱镕基".encode("gbk") in out


def test_raster_line_has_ink_where_the_characters_are() -> None:
    image = render_line("𬭎", 48, align="center")
    assert image.size == (576, 24)
    box = image.getbbox()  # bits set = black dots
    assert box is not None
    left, _, right, _ = box
    assert left >= 276
    assert right <= 300


def test_qr_is_the_printers_own_symbol() -> None:
    doc = EscPosDocument()
    doc.qr("WB01-20261127-0007")
    out = doc.finish()
    assert b"\x1d(k" in out
    assert b"1P0WB01-20261127-0007" in out
