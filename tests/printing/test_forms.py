"""The A4 application form read back with poppler: fonts embedded (pdffonts), the applicant's Chinese
exact (pdftotext), a supplementary-plane name character present as the font's own glyph in the embedded
subset (pdftotext cannot extract it), check boxes, the continuation page."""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    Proxy,
    ProxyKind,
    RequestedInfo,
)
from kiosk.paths import font_path
from printing.forms import build_form, sample_application

RARE = "\U0002cb4e"  # 𬭎, CJK Extension E: outside the BMP


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdffonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(f)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))  # type: ignore[union-attr]


def embedded_fonts(pdf: bytes) -> list[TTFont]:
    """Every TrueType font program embedded in ``pdf`` (FontFile2 streams), parsed with fontTools."""
    fonts = []
    refs = {int(n) for n in re.findall(rb"/FontFile2\s+(\d+)\s+0\s+R", pdf)}
    for n in refs:
        m = re.search(rb"(?<!\d)%d 0 obj\s*<<(.*?)>>\s*stream\r?\n" % n, pdf, re.DOTALL)
        assert m, f"font stream object {n} not found"
        length = int(re.search(rb"/Length\s+(\d+)", m.group(1)).group(1))  # type: ignore[union-attr]
        raw = pdf[m.end() : m.end() + length]
        if b"/FlateDecode" in m.group(1):
            raw = zlib.decompress(raw)
        fonts.append(TTFont(io.BytesIO(raw)))
    return fonts


@cache
def glyph_outline(char: str) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    font = TTFont(str(font_path("Regular")), lazy=True)
    name = font.getBestCmap()[ord(char)]
    return _outline(font, name)


def _outline(font: TTFont, name: str) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    glyf = font["glyf"]
    g = glyf[name]
    coords, ends, _flags = g.getCoordinates(glyf)
    return tuple(ends), tuple((int(x), int(y)) for x, y in coords)


def subset_has_glyph(pdf: bytes, char: str) -> bool:
    wanted = glyph_outline(char)
    for font in embedded_fonts(pdf):
        for name in font.getGlyphOrder():
            if _outline(font, name) == wanted:
                return True
    return False


CST = timezone(timedelta(hours=8))
ISSUED = Issued(
    tracking_no="WB01-20260213-0001",
    zone_code="wanbao",
    terminal_id="demo-wanbao-01",
    submitted_at=datetime(2026, 2, 13, 10, 30, tzinfo=CST),
    deadline=date(2026, 3, 19),
    deadline_explanation="自受理次日（2026年2月14日）起计20个工作日，已扣除春节假期9天，含调休上班日2天",
)


def citizen(name: str = "王喆", description: str = "2025年度老旧小区改造项目清单及资金安排情况") -> Application:
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=name,
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            employer="长沙市岳麓区堃镕建材经营部",
            phone="13912345678",
            address="湖南省娄底市娄星区乐坪街道长青中街18号",
            postcode="417000",
            email="wangzhe@example.com",
        ),
        request=RequestedInfo(description=description, doc_number="娄星政发〔2025〕3号", purpose="了解改造安排"),
        media=(Medium.PAPER, Medium.EMAIL),
        delivery=(Delivery.EMAIL, Delivery.COLLECT),
        pledge_accepted=True,
        consent_personal_data=True,
        issued=ISSUED,
    )


@pytest.mark.parametrize("kind", ["blank", "sample", "filled"])
def test_every_font_is_the_bundled_one_and_embedded(kind: str, tmp_path: Path) -> None:
    pdf = build_form(kind, citizen() if kind == "filled" else None)  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF")
    rows = pdffonts(pdf, tmp_path)
    assert rows, "no fonts listed"
    for row in rows:
        assert "NotoSansSC" in row[0], row
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # emb sub uni
    assert b"STSong" not in pdf
    assert pages(pdf) == 1


@pytest.mark.parametrize("name", ["王喆", "朱镕基", "李堃", "欧阳堃喆"])
def test_filled_form_gives_the_applicants_chinese_back_exactly(name: str) -> None:
    app = citizen(name)
    text = squeeze(pdftotext(build_form("filled", app)))
    for value in (
        name,
        app.applicant.employer,
        app.applicant.address,
        app.applicant.id_number,
        app.applicant.phone,
        app.request.description,
        app.request.doc_number,
        "WB01-20260213-0001",
        "2026年3月19日（星期四）前（含当日）",
        "2026年2月13日",
    ):
        assert squeeze(value) in text, value


def test_organisation_fills_its_own_rows() -> None:
    org = replace(
        citizen(),
        applicant=Applicant(
            kind=ApplicantKind.ORGANISATION,
            name="娄底市娄星区喆镕商贸有限公司",
            id_type=IdType.USCC,
            id_number="91350100M000100Y43",
            legal_representative="赵堃",
            contact_person="钱喆",
            phone="0738-8123456",
            address="娄底市娄星区长青中街1号",
            postcode="417000",
        ),
    )
    text = squeeze(pdftotext(build_form("filled", org)))
    for value in ("娄底市娄星区喆镕商贸有限公司", "91350100M000100Y43", "赵堃", "钱喆", "0738-8123456"):
        assert value in text


def test_checked_boxes_are_the_chosen_ones() -> None:
    text = pdftotext(build_form("filled", citizen()))
    ticked = re.findall(r"✓\s*(\S+)", text)
    assert sorted(ticked) == sorted(["纸质", "电子邮件", "电子邮件", "自行领取", "已阅读并承诺"])
    assert sorted(re.findall(r"□ (\S+)", text)) == sorted(["光盘", "邮寄", "当场阅读、抄录"])
    blank = pdftotext(build_form("blank"))
    assert "✓" not in blank


def test_rare_name_character_is_in_the_embedded_subset() -> None:
    with_rare = build_form("filled", citizen("王" + RARE))
    without = build_form("filled", citizen("王喆"))
    assert subset_has_glyph(with_rare, RARE)
    assert not subset_has_glyph(without, RARE)  # the check can fail
    assert subset_has_glyph(with_rare, "王")


def test_blank_and_sample_carry_the_official_layout_and_notes() -> None:
    blank = squeeze(pdftotext(build_form("blank")))
    for label in (
        "政府信息公开申请表",
        "姓名",
        "工作单位",
        "证件号码",
        "法定代表人或者主要负责人",
        "统一社会信用代码",
        "所需信息的名称、文号或者其他特征性描述",
        "所需信息的指定提供载体形式（可多选）",
        "获取信息的方式（可多选）",
        "当场阅读、抄录",
        "申请人签名（盖章）",
        "受理编号",
        "第二十九条",
        "第三十三条",
        "20个工作日",
    ):
        assert label in blank, label
    sample = squeeze(pdftotext(build_form("sample")))
    assert "填写样例" in sample
    assert sample_application().applicant.name in sample
    assert squeeze(sample_application().request.description) in sample


def test_long_description_continues_on_a_second_page() -> None:
    description = "".join(f"第{i}项：请公开本街道{i}号楼加装电梯的审批文件和补贴发放记录；" for i in range(1, 40))
    pdf = build_form("filled", citizen(description=description))
    assert pages(pdf) == 2
    text = squeeze(pdftotext(pdf))
    assert "全文见附页" in text
    first = squeeze(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    )
    second = squeeze(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", "2", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    )
    cut = max(n for n in range(len(description) + 1) if description[:n] in first)
    assert 0 < cut < len(description)  # the cell shows the beginning …
    assert "所需信息的名称、文号或者其他特征性描述（全文）：" + description in second  # … the 附页 all of it


def test_filled_needs_an_application() -> None:
    with pytest.raises(ValueError, match="needs the application"):
        build_form("filled")


def test_proxy_filing_is_shown() -> None:
    app = replace(citizen(), proxy=Proxy(kind=ProxyKind.STAFF, staff_id="S007", note="申请人书写困难"))
    text = squeeze(pdftotext(build_form("filled", app)))
    assert "工作人员代为填写" in text
    assert "S007" in text
