"""The DB worker: jobs run off the UI thread, results come back on it, a newer job on a channel replaces
a waiting one, background jobs wait for foreground ones, and a failing job reports instead of raising."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop

from kiosk.config import Config


def test_order_coalescing_background_and_failure(qapp: Any, demo_cfg: Config) -> None:
    from ui.worker import DbWorker

    worker = DbWorker(demo_cfg.db_path)
    worker.start()
    gate = threading.Event()
    started = threading.Event()
    ran: list[str] = []
    delivered: list[tuple[str, Any, bool]] = []
    main = threading.get_ident()

    def job(name: str, wait: bool = False) -> Any:
        def run(session: Any) -> Any:
            if wait:
                started.set()
                gate.wait(10)
            ran.append(name)
            assert threading.get_ident() != main
            return session.connection().exec_driver_sql("SELECT count(*) FROM documents").scalar()

        return run

    def done(name: str) -> Any:
        return lambda value: delivered.append((name, value, threading.get_ident() == main))

    try:
        worker.submit("blocker", job("blocker", wait=True), done("blocker"))
        assert started.wait(10)  # the blocker is running; everything below queues behind it
        worker.submit("counts", job("counts"), done("counts"), background=True)
        worker.submit("search", job("search-1"), done("search-1"))
        worker.submit("search", job("search-2"), done("search-2"))  # replaces search-1
        worker.submit("", lambda s: 1 / 0, done("never"), lambda reason: delivered.append(("failed", reason, True)))
        gate.set()
        # processEvents, not a nested event loop: an earlier test may have called QCoreApplication.exit()
        # (staff mode's "leave kiosk mode"), after which nested loops return at once
        deadline = time.perf_counter() + 10
        while len(delivered) < 4 and time.perf_counter() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
    finally:
        worker.stop()
    assert ran == ["blocker", "search-2", "counts"]
    assert [d[0] for d in delivered] == ["blocker", "search-2", "failed", "counts"]
    assert delivered[2][1] == "ZeroDivisionError"
    assert all(on_main for _, _, on_main in delivered), "results arrive on the UI thread"
    assert delivered[0][1] > 200
