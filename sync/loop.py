"""The sync loop the app runs on a worker thread: a run every ``sync_interval_s``, sooner on request,
exponential backoff with jitter after failures. It opens its own engine (its own SQLite connections);
the screens read the outcome through ``kiosk.sync_state.read_status``. No Qt here.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from kiosk.config import Config
from kiosk.db import open_engine
from sync.client import SyncReport, sync_once

log = logging.getLogger("sync.loop")

BACKOFF_BASE_S = 10.0
BACKOFF_MAX_S = 1800.0


def next_delay(interval_s: float, failures: int, rng: random.Random) -> float:
    """Seconds until the next run: the interval after a success, else backoff with full jitter."""
    if failures == 0:
        return interval_s * rng.uniform(0.9, 1.1)
    ceiling = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** min(failures, 16), max(interval_s, BACKOFF_BASE_S))
    return rng.uniform(BACKOFF_BASE_S / 2, ceiling)


class SyncLoop:
    """``start()`` a daemon thread that syncs until ``stop()``; ``trigger()`` asks for a run now."""

    def __init__(
        self,
        cfg: Config,
        *,
        on_report: Callable[[SyncReport], None] | None = None,
        printer_state: Callable[[], str] | None = None,
        busy: Callable[[], str | None] | None = None,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.cfg = cfg
        self.busy = busy  # why a release switch must wait now (a visit), or None
        self.on_restart = on_restart  # the run switched releases: the process must restart into it
        self.on_report = on_report
        self.printer_state = printer_state
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0
        self.runs = 0
        self._rng = random.Random()  # noqa: S311 - jitter, not security

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name="sync-loop", daemon=True)
            self._thread.start()

    def trigger(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to end and wait for the current run to finish (runs are crash-safe anyway)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _main(self) -> None:
        engine = open_engine(self.cfg.db_path)
        try:
            while not self._stop.is_set():
                try:
                    report = sync_once(
                        self.cfg,
                        engine=engine,
                        printer_state=self.printer_state() if self.printer_state else None,
                        busy=self.busy,
                    )
                except Exception:  # a bug must not kill the loop; it is logged and retried later
                    log.exception("sync run failed unexpectedly")
                    report = SyncReport(errors=["同步出现内部错误"])
                self.runs += 1
                self.failures = self.failures + 1 if report.error else 0
                if self.on_report is not None:
                    self.on_report(report)
                if report.restart:  # the new release starts in a new process (the supervisor restarts it)
                    log.info("switched releases: asking for a restart")
                    if self.on_restart is not None:
                        self.on_restart()
                    return
                self._wake.wait(next_delay(self.cfg.server.sync_interval_s, self.failures, self._rng))
                self._wake.clear()
        finally:
            engine.dispose()
