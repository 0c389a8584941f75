"""Receipt and queue-ticket byte generation times (``kiosk bench receipts``) against a baseline run alongside.

Figures: median and 95th percentile milliseconds per document over ``--repeat`` builds, after one
warm-up build each (the one-time font load for raster lines is reported on its own line), and each
median as a ratio to the baseline — python-escpos's ``Dummy`` printing one plain ASCII text line and
a cut, built the same number of times in the same process. Target (DESIGN.md "Bars"): a receipt
≤ 20 ms. Names in other scripts are timed twice in the same run: laid out and shaped, and on the old
one-glyph-per-character path (:func:`old_path`; what printed them wrongly), for the cost of shaping.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock

from escpos.printer import Dummy

from kiosk import textlayout
from kiosk.bench import time_builds
from printing.escpos import cjk
from printing.escpos.document import Layout
from printing.escpos.raster import _glyph
from printing.escpos.receipt import ReceiptData, TicketData, ZoneInfo, build_receipt, build_ticket

TARGET_MS = 20.0
SCRIPT_NAMES = {"Uyghur": "ئەخمەت تۇرسۇن", "Tibetan": "ཚེ་རིང་དབང་འདུས", "Latin": "Nguyễn Thị Minh"}


def _never(text: str) -> bool:
    return False


@contextmanager
def old_path() -> Iterator[None]:
    """Every line on the one-glyph-per-character path, as before shaping (for the benchmarks only)."""
    with (
        mock.patch.object(textlayout, "needs_layout", new=_never),
        mock.patch.object(cjk, "needs_layout", new=_never),
    ):
        yield


def _old(fn: Callable[[], bytes]) -> Callable[[], bytes]:
    def call() -> bytes:
        with old_path():
            return fn()

    return call


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=200, help="builds per document kind (default 200)")


def _baseline() -> bytes:
    d = Dummy()
    d.text("Receipt WB-20261127-0001\n")
    d.cut()
    return bytes(d.output)


def sample_receipt(name: str = "王建国") -> ReceiptData:
    zone = ZoneInfo(
        "万宝镇政务公开专区",
        "娄底市娄星区万宝镇人民政府便民服务中心一楼",
        "周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）",
        "0738-8321234",
    )
    return ReceiptData(
        tracking_no="WB-20261127-0001",
        submitted_at=datetime(2026, 11, 27, 10, 30),
        applicant_name=name,
        applicant_kind="公民",
        id_label="居民身份证",
        id_masked="4301**********1234",
        phone_masked="138****5678",
        description="2024年度本镇最低生活保障资金发放情况，包括发放对象人数、发放金额（￥）及审核、公示流程的文件。",
        deadline=date(2026, 12, 25),
        deadline_explanation="自受理次日（2026年11月28日）起计20个工作日，不含法定节假日，已计入调休上班日。",
        zone=zone,
        qr_payload="https://gk.example.gov.cn/status?no=WB-20261127-0001",
        doc_number="万宝政发〔2024〕12号",
        media="纸质、电子邮件",
        delivery="自行领取",
    )


def _script_cases() -> list[tuple[str, Callable[[], bytes]]]:
    out: list[tuple[str, Callable[[], bytes]]] = []
    for script, name in SCRIPT_NAMES.items():
        data = sample_receipt(name)
        out.append((f"receipt 80 mm, {script} name, shaped", lambda d=data: build_receipt(d)))  # type: ignore[misc]
        out.append((f"receipt 80 mm, {script} name, old path", _old(lambda d=data: build_receipt(d))))  # type: ignore[misc]
    return out


def _uncached(data: ReceiptData) -> bytes:
    """The worst case: every character of the raster line drawn from the font afresh."""
    _glyph.cache_clear()
    return build_receipt(data)


def run(args: argparse.Namespace) -> int:
    repeat = max(int(args.repeat), 5)
    plain, rare = sample_receipt(), sample_receipt("王𬭎")
    narrow = Layout(columns=32, font_charset="gb2312")
    t0 = time.perf_counter()
    build_receipt(rare)  # first raster line: loads the bundled font
    cold_ms = (time.perf_counter() - t0) * 1000
    ticket = TicketData("A012", datetime(2026, 11, 27, 9, 5), plain.zone, 3)
    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("baseline: escpos Dummy, 1 ASCII line + cut", _baseline),
        ("receipt 80 mm, GBK font", lambda: build_receipt(plain)),
        ("receipt 80 mm, rare name 𬭎 (raster)", lambda: build_receipt(rare)),
        (
            "receipt 58 mm, GB2312 font, 镕喆 (raster)",
            lambda: build_receipt(dataclasses.replace(plain, applicant_name="朱镕喆"), narrow),
        ),
        ("receipt 80 mm, 𬭎, glyph cache emptied first", lambda: _uncached(rare)),
        *_script_cases(),
        ("queue ticket 80 mm", lambda: build_ticket(ticket)),
    ]
    print(f"first receipt in the process (font load for raster lines): {cold_ms:.1f} ms")
    print(f"{'document':<44} {'median ms':>10} {'p95 ms':>8} {'× baseline':>11} {'bytes':>7}")
    base_ms = 0.0
    worst = 0.0
    for label, fn in cases:
        median, p95, size = time_builds(fn, repeat)
        if not base_ms:
            base_ms = median
        else:
            worst = max(worst, median)
        print(f"{label:<44} {median:>10.3f} {p95:>8.3f} {median / base_ms:>10.0f}× {size:>7}")
    verdict = "within" if worst <= TARGET_MS else "OVER"
    print(
        f"slowest median {worst:.2f} ms: {verdict} the {TARGET_MS:.0f} ms target per receipt "
        f"({repeat} builds each; p95 on a shared machine mostly measures the scheduler)"
    )
    return 0 if worst <= TARGET_MS else 1
