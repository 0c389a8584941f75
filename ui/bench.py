"""Screens benchmark (``kiosk bench screens``): start, transition, keystroke→results, frames under
writes, memory — each beside a baseline measured in the same run.

- cold start: ``kiosk run --smoke`` on the mirror as a subprocess, to home painted; baseline: a
  subprocess that starts Qt and paints an empty QML window.
- transition: push of the category screen until it is ready and painted; baseline: one empty frame.
- keystroke→results: a query typed one character at a time into the search field, each keystroke
  to its results painted; baseline: the same typing on an empty mirror.
- longest frame while a background thread writes documents into the mirror (a sync's write pattern)
  and the category list scrolls; baseline: the same scrolling without writes.
- resident memory at home on the mirror; baseline: the empty QML window's.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from kiosk.config import Config, demo_config

QUERIES = ("最低生活保障", "医疗保险", "住房公积金")
EMPTY_WINDOW = """
import sys, time, os, json
t0 = time.perf_counter()
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
app = QGuiApplication(sys.argv)
e = QQmlApplicationEngine()
e.loadData(b"import QtQuick\\nWindow { width: 1920; height: 1080; visible: true }")
w = e.rootObjects()[0]
def done():
    rss = int([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]) // 1024
    print(json.dumps({"ms": round((time.perf_counter() - t0) * 1000), "rss_mb": rss}), flush=True)
    app.quit()
w.frameSwapped.connect(done)
app.exec()
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", required=True, help="terminal data folder whose mirror.db is the large mirror")
    p.add_argument("--json", action="store_true")


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _cold_start(cfg_path: Path, env: dict[str, str]) -> tuple[float, float, int]:
    smoke = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--smoke", "--config", str(cfg_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    ms = json.loads(smoke.stdout.strip().splitlines()[-1])["ms"]
    base = subprocess.run(
        [sys.executable, "-c", EMPTY_WINDOW], capture_output=True, text=True, env=env, check=True, timeout=60
    )
    b = json.loads(base.stdout.strip().splitlines()[-1])
    return float(ms), float(b["ms"]), int(b["rss_mb"])


def _frame(app: Any) -> float:
    """Time of one requested frame (update → frameSwapped)."""
    from ui.commands import _wait

    seen = {"n": 0}

    def swapped() -> None:
        seen["n"] += 1

    app.window.frameSwapped.connect(swapped)
    t0 = time.perf_counter()
    app.window.update()
    _wait(app, lambda: seen["n"] > 0, 5)
    app.window.frameSwapped.disconnect(swapped)
    return (time.perf_counter() - t0) * 1000


def _until_painted(app: Any, predicate: Any) -> float:
    from ui.commands import _wait

    t0 = time.perf_counter()
    _wait(app, predicate, 20)
    _frame(app)
    return (time.perf_counter() - t0) * 1000


def _typing(app: Any) -> list[float]:
    from ui.commands import _wait

    app.window.openRoute("search", {})
    _wait(
        app,
        lambda: (
            app.window.property("currentPage").objectName() == "searchPage"
            and app.window.property("currentPage").property("StackView.status") != 1
        ),
        10,
    )
    page = app.window.property("currentPage")
    model = next(c for c in page.children() if c.metaObject().className().startswith("SearchModel"))
    field = next(i for i in _walk(page) if i.objectName() == "searchField")
    times = []
    for q in QUERIES:
        for n in range(1, len(q) + 1):
            field.setProperty("text", q[:n])
            times.append(_until_painted(app, lambda q=q, n=n: model.property("answeredQuery") == q[:n]))
        field.setProperty("text", "")
    return times


def _walk(root: Any) -> Any:
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.childItems())


def _frames_during(app: Any, seconds: float, writer: threading.Thread | None) -> float:
    """Longest gap between frames while the category list keeps scrolling (and ``writer`` runs).

    The event loop runs in C++ (QEventLoop.exec), as in the real kiosk; a timer flicks the list every
    400 ms so there is always something to paint.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    page = app.window.property("currentPage")
    lst = next(i for i in _walk(page) if i.objectName() == "documentList")
    stamps: list[float] = []

    def swapped() -> None:
        stamps.append(time.perf_counter())

    direction = [1]

    def flick() -> None:
        lst.flick(0, -4000 * direction[0])
        direction[0] = -direction[0]

    app.window.frameSwapped.connect(swapped)
    flicker = QTimer()
    flicker.setInterval(400)
    flicker.timeout.connect(flick)
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    flick()
    flicker.start()
    if writer is not None:
        writer.start()
    loop.exec()
    flicker.stop()
    app.window.frameSwapped.disconnect(swapped)
    if writer is not None:
        writer.join()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]
    return max(gaps) if gaps else 0.0


def _writer(cfg: Config, n: int) -> threading.Thread:
    def work() -> None:
        from kiosk.db import make_engine, session_factory
        from kiosk.mirror.store import DocumentRecord, apply_document

        engine = make_engine(cfg.db_path)
        with session_factory(engine)() as s:
            for i in range(n):
                with s.begin():
                    apply_document(
                        s,
                        DocumentRecord(
                            id=f"bench-write-{time.time_ns()}-{i}",
                            title=f"基准测试写入文件第{i}号关于最低生活保障的通知",
                            body="根据有关规定，现将最低生活保障资金发放情况公示如下。" * 40,
                            published="2026-11-27",
                            categories=("type-gongshi-gonggao",),
                        ),
                    )
        engine.dispose()

    return threading.Thread(target=work, daemon=True)


def _transitions(app: Any) -> tuple[list[float], list[float]]:
    """Tap → the category screen painted (its list may still be loading), and tap → its first page
    painted, eight times each."""
    from ui.commands import wait_painted

    shown: list[float] = []
    filled: list[float] = []
    for _ in range(8):
        t0 = time.perf_counter()
        app.window.openRoute("category", {"categoryCode": "type-zhengce-wenjian", "categoryName": "政策文件"})
        _frame(app)
        shown.append((time.perf_counter() - t0) * 1000)
        _until_painted(
            app,
            lambda: (
                app.window.property("screenReady") and app.window.property("currentPage").objectName() == "categoryPage"
            ),
        )
        filled.append((time.perf_counter() - t0) * 1000)
        app.window.goHome()
        wait_painted(app, "homeReady", 10)
    return shown, filled


def _measure_large(big: Config) -> dict[str, Any]:
    from kiosk import catalog
    from ui.app import KioskApp
    from ui.commands import wait_painted

    app = KioskApp(big, initial={"fullscreen": False, "width": 1920, "height": 1080})
    app.load()
    wait_painted(app, "homeReady", 120)
    rss = _rss_mb()
    engine = catalog.reader_engine(big.db_path)
    with engine.connect() as conn:
        n_docs = conn.exec_driver_sql("SELECT count(*) FROM documents").scalar()
    engine.dispose()
    frame_ms = statistics.median(_frame(app) for _ in range(10))
    shown, filled = _transitions(app)
    typing = _typing(app)
    app.window.goHome()
    app.window.openRoute("category", {"categoryCode": "type-zhengce-wenjian", "categoryName": "政策文件"})
    wait_painted(app, "screenReady", 20)
    calm = _frames_during(app, 4, None)
    busy = _frames_during(app, 4, _writer(big, 200))
    app.shutdown()
    return {
        "documents": n_docs,
        "rss": rss,
        "frame": frame_ms,
        "shown": shown,
        "filled": filled,
        "typing": typing,
        "calm": calm,
        "busy": busy,
    }


def _typing_on_empty_mirror(tmp: Path) -> list[float]:
    from ui.app import KioskApp
    from ui.commands import wait_painted

    empty = demo_config(tmp / "empty")
    empty = dataclasses.replace(empty, terminal=dataclasses.replace(empty.terminal, content_pack=""))
    app = KioskApp(empty, initial={"fullscreen": False, "width": 1920, "height": 1080})
    app.load()
    wait_painted(app, "homeReady", 30)
    typing = _typing(app)
    app.shutdown()
    return typing


def run(args: argparse.Namespace) -> int:
    import os

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    data = Path(args.data_dir).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="bench-screens-"))
    cfg_path = tmp / "terminal.toml"
    cfg_path.write_text(f'[terminal]\ndata_dir = "{data}"\n', encoding="utf-8")
    from ui.app import open_mirror

    big = demo_config(data)
    open_mirror(big)  # migrate/seed once, so the cold start below is a start, not an upgrade
    start_ms, base_start_ms, base_rss = _cold_start(cfg_path, dict(os.environ))
    m = _measure_large(big)
    typing_empty = _typing_on_empty_mirror(tmp)
    typing = m["typing"]
    out = {
        "documents": m["documents"],
        "cold_start_ms": round(start_ms),
        "baseline_empty_window_start_ms": round(base_start_ms),
        "transition_p50_ms": round(statistics.median(m["shown"]), 1),
        "transition_max_ms": round(max(m["shown"]), 1),
        "transition_to_list_filled_p50_ms": round(statistics.median(m["filled"]), 1),
        "transition_to_list_filled_max_ms": round(max(m["filled"]), 1),
        "baseline_frame_ms": round(m["frame"], 1),
        "keystroke_p50_ms": round(statistics.median(typing), 1),
        "keystroke_p95_ms": round(_pct(typing, 0.95), 1),
        "baseline_empty_mirror_keystroke_p95_ms": round(_pct(typing_empty, 0.95), 1),
        "longest_frame_with_writes_ms": round(m["busy"], 1),
        "baseline_longest_frame_no_writes_ms": round(m["calm"], 1),
        "rss_home_mb": m["rss"],
        "baseline_empty_window_rss_mb": base_rss,
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:45s} {v}")
    return 0
