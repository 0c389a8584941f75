"""Progress of the print queue and of the sync loop, relayed from their threads to the UI thread.

**Printing.** ``PrintService.on_change`` becomes one Qt signal.

The print service calls :meth:`PrintEvents.relay` from its own threads with each job's new state;
:attr:`PrintEvents.jobChanged` delivers it on the UI thread as a :class:`ui.ports.JobUpdate`. A
view-model that queued a job (the receipt, a document, staff's forms and reprints) asks
:meth:`PrintEvents.when_finished` to hear its outcome, instead of a thread waiting on the printer. A job
may finish before the call that queued it has returned to the UI thread: the latest outcomes are kept,
so a late ``when_finished`` still hears it.

**Sync.** ``SyncLoop.on_report`` becomes :attr:`SyncEvents.reported` (staff's 立即同步 asks the running
loop for a run and hears its end here).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ui.ports import JobUpdate

log = logging.getLogger(__name__)

KEEP_FINISHED = 64

Finished = Callable[[JobUpdate], None]


class PrintEvents(QObject):
    jobChanged = Signal(object)  # JobUpdate, on the UI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished: OrderedDict[int, JobUpdate] = OrderedDict()
        self._waiting: dict[int, list[Finished]] = {}
        self.jobChanged.connect(self._changed)

    def relay(self, info: Any) -> None:
        """``PrintService.on_change``: any thread; only the id, state and reason code cross over."""
        self.jobChanged.emit(JobUpdate(int(info.id), str(info.state), str(info.reason or "")))

    def when_finished(self, job_id: int, callback: Finished) -> None:
        """Call ``callback(update)`` on the UI thread once the job is done or failed (at once if it is)."""
        update = self._finished.get(job_id)
        if update is not None:
            _call(callback, update)
        else:
            self._waiting.setdefault(job_id, []).append(callback)

    @Slot(object)
    def _changed(self, update: JobUpdate) -> None:
        if update.state not in ("done", "failed"):
            return
        self._finished[update.job_id] = update
        while len(self._finished) > KEEP_FINISHED:
            self._finished.popitem(last=False)
        for callback in self._waiting.pop(update.job_id, []):
            _call(callback, update)


def _call(callback: Finished, update: JobUpdate) -> None:
    try:
        callback(update)
    except RuntimeError as exc:  # the screen that asked was closed meanwhile
        if "deleted" not in str(exc):
            raise
        log.debug("dropped a print outcome for a closed screen: %s", exc)


class SyncEvents(QObject):
    """The sync loop's reports (``SyncLoop.on_report``, on its thread) relayed to the UI thread."""

    reported = Signal(object)  # the run's error ("" when it succeeded)
    restartWanted = Signal()  # the run switched to a new release: the app restarts into it

    def relay(self, report: Any) -> None:
        self.reported.emit(str(report.error or ""))

    def ask_restart(self) -> None:
        self.restartWanted.emit()
