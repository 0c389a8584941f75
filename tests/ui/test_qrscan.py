"""The receipt's QR code read back to a tracking number, through the same decoding the camera's frames
go through (ui.qrscan.decode_image, zxing-cpp): from the receipt PDF as printed (rendered by pdftoppm),
photographed crooked and small, and from the status-page address form. No camera exists on a build
machine: the camera itself (Qt Multimedia's QCamera on the 高拍仪) is what is left untested."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtMultimedia import QVideoFrame

from kiosk.applications.tracking import tracking_from_scan
from ui.qrscan import QrScanner, decode_image

NUMBER = "WB01-20261208-0007"


def test_what_a_receipt_qr_may_hold() -> None:
    assert tracking_from_scan(NUMBER) == NUMBER
    assert tracking_from_scan("https://zwgk.example.cn/status?no=WB01-20261208-0007") == NUMBER
    assert tracking_from_scan("https://zwgk.example.cn/status?lang=zh&no=WB01-20261208-0007") == NUMBER
    assert tracking_from_scan("https://zwgk.example.cn/status") is None
    assert tracking_from_scan("https://weixin.qq.com/r/abc") is None
    assert tracking_from_scan("6901234567892") is None  # a product's bar code


@pytest.fixture
def receipt_png(tmp_path: Path) -> Path:
    """The A4 receipt (printing/pdf/receipt.py) of a submitted application, rendered at 150 dpi."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils)")
    from dataclasses import replace

    from kiosk.applications.model import Applicant, ApplicantKind, Application, IdType, Issued, RequestedInfo
    from printing.pdf.receipt import build_receipt_pdf

    body = "43130219500612003"
    from kiosk.applications.validation import resident_id_check_digit

    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="张三",
            id_type=IdType.RESIDENT_ID,
            id_number=body + resident_id_check_digit(body),
            phone="13812345678",
            address="万宝镇",
        ),
        request=RequestedInfo(description="低保资金发放情况"),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    issued = Issued(
        tracking_no=NUMBER,
        zone_code="wanbao",
        terminal_id="demo-wanbao-01",
        submitted_at=datetime(2026, 12, 8, 10, 0),
        deadline=date(2027, 1, 6),
        deadline_explanation="自受理次日起计20个工作日",
    )
    app = replace(app, issued=issued)

    class Zone:
        name, address, hours, phone = "万宝镇", "万宝镇便民服务中心一楼", "周一至周五", "0738-0000109"

    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(build_receipt_pdf(app, Zone(), "https://zwgk.example.cn/status"))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "receipt")], check=True)
    return tmp_path / "receipt.png"


def test_the_printed_receipts_qr_gives_its_number(receipt_png: Path) -> None:
    image = QImage(str(receipt_png))
    assert not image.isNull()
    assert decode_image(image) == NUMBER


def test_a_crooked_small_photo_of_the_receipt_still_reads(receipt_png: Path) -> None:
    """As a document camera sees a slip laid down askew: turned 8°, half the size, on a grey desk."""
    page = QImage(str(receipt_png))
    turned = page.transformed(QTransform().rotate(8)).scaledToWidth(page.width() // 2)
    desk = QImage(turned.width() + 200, turned.height() + 200, QImage.Format.Format_RGB32)
    desk.fill(QColor("#8a8a8a"))
    painter = QPainter(desk)
    painter.drawImage(100, 100, turned)
    painter.end()
    assert decode_image(desk) == NUMBER


def test_a_picture_without_a_receipt_gives_nothing() -> None:
    blank = QImage(640, 480, QImage.Format.Format_RGB32)
    blank.fill(QColor("white"))
    assert decode_image(blank) is None


def test_a_camera_frame_reaches_the_decoder_and_says_the_number(qapp: Any, receipt_png: Path) -> None:
    """The scanner's frame handler with a QVideoFrame made from the picture, as the camera's sink gives it."""
    from types import SimpleNamespace

    from ui.background import TaskPool

    services: Any = SimpleNamespace(pool=TaskPool())  # the scanner uses only the services' task pool
    scanner = QrScanner(services=services)
    scanner._active = True  # as after start() on a terminal with a camera
    got: list[str] = []
    scanner.scanned.connect(got.append)
    scanner.frame(QVideoFrame(QImage(str(receipt_png))))
    from test_wizard_driver import wait_until

    wait_until(lambda: got, 10, "the scanned number")
    assert got == [NUMBER] and not scanner.property("active")
