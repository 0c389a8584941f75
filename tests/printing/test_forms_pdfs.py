"""The A4 receipt (回执) and the document printout, read back with poppler and zbarimg."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from kiosk.mirror.models import Document, Zone
from printing.forms import build_document_pdf, build_receipt_pdf
from tests.printing.test_forms import ISSUED, citizen, pages, pdffonts, pdftotext, squeeze

ZONE = Zone(
    code="wanbao",
    name="万宝街道政务公开专区",
    kind="street",
    prefix="WB",
    address="万宝街道便民服务中心一楼",
    hours="周一至周五 9:00—17:00",
    phone="0738-8123456",
)
LAW = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "zhengfu-xinxi-gongkai-tiaoli.md"


def test_receipt_pdf_masks_the_id_and_its_qr_reads_back(tmp_path: Path) -> None:
    app = citizen("李堃")
    pdf = build_receipt_pdf(app, ZONE)
    for row in pdffonts(pdf, tmp_path):
        assert row[-5] == "yes", row  # embedded; no Helvetica from the QR drawing
    text = squeeze(pdftotext(pdf))
    for value in (
        "政府信息公开申请受理回执",
        ISSUED.tracking_no,
        "李堃",
        "1101**********002X",
        "139****5678",
        squeeze(app.request.description),
        "2026年3月19日（星期四）前（含当日）",
        "已扣除春节假期9天",
        ZONE.address,
        ZONE.phone,
    ):
        assert value in text, value
    assert app.applicant.id_number not in text
    assert app.applicant.phone not in text
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "r.pdf"), str(tmp_path / "r")], check=True
    )
    qr = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "r.png")], capture_output=True, text=True, check=True)
    assert qr.stdout.strip() == ISSUED.tracking_no


def test_receipt_needs_a_submitted_application() -> None:
    from dataclasses import replace

    import pytest

    with pytest.raises(ValueError, match="not been submitted"):
        build_receipt_pdf(replace(citizen(), issued=None), ZONE)


def test_document_pdf_paginates_the_whole_text(tmp_path: Path) -> None:
    doc = Document(
        id="gov-info-regs",
        title="中华人民共和国政府信息公开条例",
        doc_number="国务院令第711号",
        issuer="国务院",
        published="2019-04-03",
        effective="2019-05-15",
        status="in_force",
        body=LAW.read_text(encoding="utf-8"),
        body_format="markdown",
    )
    pdf = build_document_pdf(doc)
    n = pages(pdf)
    assert n >= 5
    for row in pdffonts(pdf, tmp_path):
        assert row[-5] == "yes", row
    flat = squeeze(pdftotext(pdf))
    assert f"第1页共{n}页" in flat
    assert f"第{n}页共{n}页" in flat
    assert "<!--" not in flat  # source comments in the Markdown are not printed
    assert "国务院令第711号" in flat
    # every article's text survives wrapping and page breaks
    for article in (
        "第二十九条公民、法人或者其他组织申请获取政府信息的",
        "行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复",
    ):
        assert article in flat


def test_document_pdf_from_html() -> None:
    doc = Document(
        id="h",
        title="关于做好2026年春节假期安排的通知",
        doc_number=None,
        issuer="区政府办公室",
        published="2026-01-05",
        effective=None,
        status="in_force",
        body_format="html",
        body="<h2>一、放假时间</h2><p>2月15日至23日放假调休，共9天。</p><script>x()</script><p>2月14日（周六）上班。</p>",
    )
    text = squeeze(pdftotext(build_document_pdf(doc)))
    assert "一、放假时间2月15日至23日放假调休，共9天。2月14日（周六）上班。" in text
    assert "x()" not in text
    assert re.search("第1页共1页", text)
