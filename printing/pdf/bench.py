"""A4 PDF generation times (``kiosk bench forms``): each form against a one-line PDF in the same run.

Figures: median and 95th percentile milliseconds per PDF over ``--repeat`` builds, after one warm-up
build each (the one-time font registration is reported on its own line), and each median as a ratio
to the baseline — a one-line reportlab PDF in the same embedded font built the same number of times
in the same process. Target (DESIGN.md "Bars"): an A4 form ≤ 150 ms. A form with a name in another
script is timed shaped and on the old one-glyph-per-character path in the same run.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.bench import time_builds
from printing.pdf import fonts

TARGET_MS = 150.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=30, help="builds per PDF kind (default 30)")


def _baseline() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, initialFontName=fonts.REGULAR, initialFontSize=10, pageCompression=1)
    c.drawString(72, 770, "政府信息公开申请表")
    c.save()
    return buf.getvalue()


def run(args: argparse.Namespace) -> int:
    from kiosk.applications.model import Issued
    from kiosk.paths import app_root
    from printing.forms import build_document_pdf, build_form, build_receipt_pdf, sample_application

    t0 = time.perf_counter()
    fonts.register()
    register_ms = (time.perf_counter() - t0) * 1000

    app = sample_application()
    app = replace(
        app,
        applicant=replace(app.applicant, name="王\U0002cb4e喆"),
        issued=Issued(
            "WB01-20261127-0001",
            "wanbao",
            "demo-wanbao-01",
            datetime(2026, 11, 27, 10, 30, tzinfo=timezone(timedelta(hours=8))),
            date(2026, 12, 25),
            "自受理次日（2026年11月28日）起计20个工作日，期间无法定节假日",
        ),
    )
    zone = _Zone()
    law = app_root().parent / "shared" / "corpus" / "zhengfu-xinxi-gongkai-tiaoli.md"
    doc = _Doc(law.read_text(encoding="utf-8") if law.is_file() else "正文。" * 3000)
    cases: list[tuple[str, Callable[[], bytes]]] = [
        ("baseline: one-line PDF, same font", _baseline),
        ("form blank", lambda: build_form("blank")),
        ("form sample (填写样例)", lambda: build_form("sample")),
        ("form filled (rare name 𬭎)", lambda: build_form("filled", app)),
        *_script_cases(app, build_form),
        ("receipt A4 (with QR)", lambda: build_receipt_pdf(app, zone)),
        (f"document A4 ({len(doc.body)} chars)", lambda: build_document_pdf(doc)),
    ]
    print(f"font registration (once per process): {register_ms:.0f} ms")
    print(f"{'PDF':<36} {'median ms':>10} {'p95 ms':>8} {'× baseline':>11} {'bytes':>8}")
    base = 0.0
    worst_form = 0.0
    for name, fn in cases:
        med, p95, size = time_builds(fn, args.repeat)
        base = base or med
        if name.startswith("form"):
            worst_form = max(worst_form, p95)
        print(f"{name:<36} {med:>10.1f} {p95:>8.1f} {med / base:>11.1f} {size:>8}")
    verdict = "meets" if worst_form <= TARGET_MS else "MISSES"
    print(f"worst form p95 {worst_form:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    return 0


def _script_cases(app: Any, build_form: Callable[..., bytes]) -> list[tuple[str, Callable[[], bytes]]]:
    from printing.bench import SCRIPT_NAMES, old_path

    out: list[tuple[str, Callable[[], bytes]]] = []
    for script, name in SCRIPT_NAMES.items():
        named = replace(app, applicant=replace(app.applicant, name=name))

        def shaped(a: Any = named) -> bytes:
            return build_form("filled", a)

        def old(a: Any = named) -> bytes:
            with old_path():
                return build_form("filled", a)

        out.append((f"form filled, {script}, shaped", shaped))
        out.append((f"form filled, {script}, old path", old))
    return out


class _Zone:
    name = "万宝街道政务公开专区"
    address = "万宝街道便民服务中心一楼"
    hours = "周一至周五 9:00—17:00"
    phone = "0738-8123456"


class _Doc:
    title = "中华人民共和国政府信息公开条例"
    doc_number: str | None = "国务院令第711号"
    issuer: str | None = "国务院"
    published: str | None = "2019-04-03"
    effective: str | None = "2019-05-15"
    status = "in_force"
    body_format = "markdown"

    def __init__(self, body: str) -> None:
        self.body = body


if __name__ == "__main__":  # ``python -m printing.pdf.bench`` runs it without the kiosk command line
    _parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(_parser)
    raise SystemExit(run(_parser.parse_args()))
