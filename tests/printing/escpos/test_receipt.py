"""Receipts and queue tickets decoded back independently: emupos prints them, zbarimg reads the QR."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date, datetime
from typing import Any

import pytest
from PIL import Image

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    RequestedInfo,
)
from printing.backends import TcpPrinter
from printing.escpos.document import EscPosDocument, Layout
from printing.escpos.raster import render_line
from printing.escpos.receipt import (
    TicketData,
    ZoneInfo,
    build_receipt,
    build_test_page,
    build_ticket,
    receipt_from_application,
)

pytestmark = pytest.mark.slow  # emupos start-up (about a second, once per session)


def print_on(emupos: Any, data: bytes) -> str:
    before = emupos.receipt_ids()
    TcpPrinter("emupos", emupos.target, status_timeout=5.0).send(data)
    return str(emupos.wait_new_receipt(before))


def image_band_in(png: Any, band: Image.Image) -> bool:
    """Whether emupos's picture of the receipt holds ``band`` (our raster line) dot for dot."""
    paper = Image.open(png).convert("L").point(lambda v: 255 if v < 128 else 0).convert("1")
    if paper.width != band.width:
        return False
    want = band.tobytes()
    rows = band.height
    data = paper.tobytes()
    stride = (paper.width + 7) // 8
    return any(data[y * stride : (y + rows) * stride] == want for y in range(paper.height - rows + 1))


def zbar(png: Any) -> str:
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_receipt_reads_back_as_the_same_chinese_with_the_rare_name_as_an_image(emupos: Any, receipt_data: Any) -> None:
    rid = print_on(emupos, build_receipt(receipt_data, Layout(columns=48)))
    lines = emupos.text_lines(rid)
    text = "\n".join(lines)
    assert "政府信息公开申请" in lines
    assert "受理回执" in lines
    assert "WB01-20261127-0007" in lines
    assert "受理时间：2026年11月27日 10:30" in lines
    assert "居民身份证：4301**********1234" in lines
    assert "联系电话：138****5678" in lines
    assert "答复期限：2026年12月25日（星期五）前（含当日）" in lines
    assert "文号：万宝政发〔2024〕12号" in lines
    assert "受理地点：万宝镇政务公开专区" in lines
    assert "金额￥" in text.replace("\n", "").replace(" ", "")
    # the name with 𬭎 came out as an image, exactly where the name line belongs, and nothing as "?"
    i = lines.index("受理时间：2026年11月27日 10:30")
    assert lines[i + 1] == "[image 576x24]"
    assert lines[i + 2] == "申请人类型：公民"
    assert "?" not in text.replace("?no=", "")
    assert image_band_in(emupos.png(rid), render_line("申请人：王𬭎", 48))
    assert f"[qr {receipt_data.qr_payload}]" in lines
    assert emupos.meta(rid)["boundary"] == "cut"
    assert zbar(emupos.png(rid)) == receipt_data.qr_payload


def test_58mm_gb2312_printer_draws_names_outside_gb2312_and_keeps_32_columns(emupos: Any, receipt_data: Any) -> None:
    data = dataclasses.replace(receipt_data, applicant_name="朱镕基 王堃 李喆")
    rid = print_on(emupos, build_receipt(data, Layout(columns=32, font_charset="gb2312")))
    lines = emupos.text_lines(rid)
    assert "[image 384x24]" in lines
    assert not any("镕" in line or "堃" in line or "喆" in line for line in lines)
    # every text line fits 32 columns (each GB character is two bytes = two cells)
    raw = (emupos.receipts_dir / f"{rid}.txt").read_text(encoding="utf-8").splitlines()
    assert all(len(line) <= 32 for line in raw if not line.startswith("[")), raw
    assert "申请人类型：公民" in lines


def test_punctuation_only_and_full_width_lines_come_back_exactly(emupos: Any) -> None:
    doc = EscPosDocument(Layout(columns=32, font_charset="gb2312", encoding="gbk"))
    lines = ["。，、；：！？（）《》“”……", "ＡＢＣ１２３￥", "金额¥12.50"]
    for line in lines:
        doc.line(line)
    rid = print_on(emupos, doc.finish())
    assert emupos.text_lines(rid) == ["。，、；：！？（）《》“”……", "ＡＢＣ１２３￥", "金额￥12.50"]
    assert doc.raster_lines == 0


def test_queue_ticket_for_the_consultation_desk(emupos: Any) -> None:
    ticket = TicketData("A012", datetime(2026, 11, 27, 9, 5), ZoneInfo("万宝镇政务公开专区", hours="9:00—17:00"), 3)
    rid = print_on(emupos, build_ticket(ticket))
    lines = emupos.text_lines(rid)
    assert "政务信息咨询区" in lines
    assert "A012" in lines
    assert "前面还有 3 人等候" in lines
    assert "取号时间：2026年11月27日 09:05" in lines
    assert emupos.meta(rid)["boundary"] == "cut"


def test_receipt_from_the_applications_model_masks_id_and_phone() -> None:
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="王𬭎",
            id_type=IdType.RESIDENT_ID,
            id_number="430102199003071234",
            phone="13812345678",
            address="娄底市娄星区万宝镇1号",
        ),
        request=RequestedInfo("2024年度低保资金发放情况", doc_number="万宝政发〔2024〕12号"),
        media=(Medium.PAPER, Medium.EMAIL),
        delivery=(Delivery.COLLECT,),
        issued=Issued(
            tracking_no="WB01-20261127-0007",
            zone_code="wanbao",
            terminal_id="t1",
            submitted_at=datetime(2026, 11, 27, 10, 30),
            deadline=date(2026, 12, 25),
            deadline_explanation="20个工作日",
        ),
    )
    data = receipt_from_application(app, ZoneInfo("万宝镇政务公开专区"), "https://gk.example.gov.cn/status")
    assert data.id_masked == "4301**********1234"
    assert data.phone_masked == "138****5678"
    assert data.media == "纸质、电子邮件"
    assert data.qr_payload == "https://gk.example.gov.cn/status?no=WB01-20261127-0007"
    out = build_receipt(data)
    assert b"430102199003071234" not in out
    assert b"13812345678" not in out
    with pytest.raises(ValueError, match="tracking number"):
        receipt_from_application(dataclasses.replace(app, issued=None), ZoneInfo("x"))


@pytest.mark.parametrize(
    ("charset", "encoding", "as_text", "as_image"),
    [
        ("gb2312", "gb18030", ["GB2312：", "标点："], ["GBK：", "GB18030 扩展A：", "扩展B及以后："]),
        ("gbk", "gbk", ["GB2312：", "GBK：镕 堃 喆 珺 昇"], ["GB18030 扩展A：", "扩展B及以后："]),
        ("gb18030", "gb18030", ["GBK：镕 堃 喆 珺 昇", "GB18030 扩展A：㐀 䶮"], ["扩展B及以后："]),
    ],
)
def test_test_page_shows_what_the_printers_font_can_draw(
    emupos: Any, charset: str, encoding: str, as_text: list[str], as_image: list[str]
) -> None:
    layout = Layout(columns=48, encoding=encoding, font_charset=charset)
    rid = print_on(emupos, build_test_page(layout, name="前台小票"))
    lines = emupos.text_lines(rid)
    text = "\n".join(lines)
    for start in as_text:
        assert any(line.startswith(start) for line in lines), (start, lines)
    for start in as_image:
        assert not any(line.startswith(start) for line in lines), (start, lines)
    assert lines.count("[image 576x24]") == len(as_image)
    assert "?" not in text.replace("?no=", "")
    assert f"字库：{charset.upper()}" in lines


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_the_emulator_reads_the_tracking_number_on_one_line_at_each_width(
    emupos: Any, receipt_data: Any, columns: int
) -> None:
    data = dataclasses.replace(receipt_data, tracking_no="LP01-20260213-0003", applicant_name="王小明")
    lines = emupos.text_lines(print_on(emupos, build_receipt(data, Layout(columns=columns))))
    assert "LP01-20260213-0003" in lines
    assert any("2026年12月25日" in line for line in lines)
    assert any("前（含当日）" in line for line in lines)
