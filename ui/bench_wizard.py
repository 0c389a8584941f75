"""Wizard submission: from the resident's 提交申请 to the tracking number on screen, and to the receipt.

``kiosk bench wizard [--runs N]`` starts the real shell offscreen on a throwaway terminal (no content
pack: the wizard needs only its zone), fills the wizard through its view-model and submits N times. The
baseline, measured in the same run on the same database, is the core alone: ``kiosk.applications.
service.submit`` called directly (validation, tracking number, deadline, application row and outbox
entry in one fsynced transaction). The figures say what the screen adds on top: the worker hand-off
and the repaint, then the receipt through the persisted print queue into the file printer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

BODY = "43130219850612003"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=15, help="submissions per measurement (default 15)")


def _values() -> dict[str, Any]:
    from kiosk.applications.validation import resident_id_check_digit

    return {
        "applicant.name": "张三",
        "applicant.id_number": BODY + resident_id_check_digit(BODY),
        "applicant.phone": "13812345678",
        "applicant.address": "娄星区万宝镇幸福路8号",
        "request.description": "2025年万宝镇农村低保资金发放情况",
        "consent_personal_data": True,
        "pledge_accepted": True,
    }


def _prepare(data_dir: Path) -> Any:
    """A terminal with an empty mirror holding just its zone."""
    import dataclasses

    from kiosk.config import demo_config
    from kiosk.db import open_engine, session_factory
    from kiosk.mirror.models import Zone

    cfg = demo_config(data_dir)
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, content_pack=""))
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        s.add(Zone(code=cfg.terminal.zone, name="万宝镇", kind="township", prefix="WB"))
    engine.dispose()
    return cfg


def _baseline(cfg: Any, runs: int) -> list[float]:
    from datetime import datetime

    from kiosk.applications import service
    from kiosk.applications.form import application_from_wizard
    from kiosk.applications.tracking import CHINA_TZ
    from kiosk.db import make_engine, session_factory
    from kiosk.mirror.models import Zone
    from ui.vm_application import blank_values, to_application_json

    values = blank_values()
    values.update(_values(), **{"applicant.kind": "citizen"})
    app = application_from_wizard(to_application_json(values, proxy=False))
    engine = make_engine(cfg.db_path)
    times = []
    for _ in range(runs):
        with session_factory(engine)() as s:
            zone = s.get(Zone, cfg.terminal.zone)
            if zone is None:
                raise SystemExit(f"the mirror has no zone {cfg.terminal.zone!r}: seed it first")
            t0 = time.perf_counter()
            service.submit(s, app, zone=zone, terminal_id=cfg.terminal.id, now=datetime.now(CHINA_TZ))
            times.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    return times


def _through_the_screen(cfg: Any, runs: int) -> tuple[list[float], list[float]]:
    from PySide6.QtCore import QEventLoop

    from ui.app import KioskApp
    from ui.vm_application import ApplyWizard

    app = KioskApp(cfg, initial={"fullscreen": False, "width": 1920, "height": 1080, "startRoute": "wizard"})
    app.load()
    wizard = app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    if not isinstance(wizard, ApplyWizard):
        raise SystemExit("the QML module has no ApplyWizard singleton")

    loop = QEventLoop()

    def pump_until(pred: Any, timeout: float = 30.0) -> None:
        end = time.perf_counter() + timeout
        while not pred():
            if time.perf_counter() > end:
                raise SystemExit("the wizard did not finish in time")
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    swaps = {"n": 0}
    app.window.frameSwapped.connect(lambda: swaps.__setitem__("n", swaps["n"] + 1))
    shown, printed = [], []
    for _ in range(runs):
        wizard.start()
        wizard.chooseKind(ApplyWizard.Kind.Citizen)
        for key, value in _values().items():
            wizard.setValue(key, value)
        for _step in range(3):
            wizard.next()
        pump_until(lambda: wizard.property("step") == 4)
        t0 = time.perf_counter()
        wizard.submit()
        pump_until(lambda: wizard.property("phase") == ApplyWizard.Phase.Done)
        frame = swaps["n"]
        pump_until(lambda frame=frame: swaps["n"] > frame)  # the tracking number is painted
        shown.append((time.perf_counter() - t0) * 1000)
        pump_until(lambda: wizard.property("receiptState") in (ApplyWizard.Receipt.Printed, ApplyWizard.Receipt.Failed))
        if wizard.property("receiptState") != ApplyWizard.Receipt.Printed:
            raise SystemExit("the receipt did not print into the file printer")
        printed.append((time.perf_counter() - t0) * 1000)
    app.shutdown()
    return shown, printed


def run(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    runs = max(3, int(args.runs))
    with tempfile.TemporaryDirectory(prefix="bench-wizard-") as tmp:
        cfg = _prepare(Path(tmp) / "terminal")
        base = _baseline(cfg, runs)
        shown, printed = _through_the_screen(cfg, runs)

    def med(xs: list[float]) -> float:
        return round(statistics.median(xs), 1)

    result = {
        "event": "bench_wizard",
        "runs": runs,
        "baseline_core_submit_ms": med(base),
        "tap_to_tracking_number_painted_ms": med(shown),
        "tap_to_receipt_printed_ms": med(printed),
        "screen_over_core": round(med(shown) / med(base), 2),
        "receipt_over_core": round(med(printed) / med(base), 2),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0
