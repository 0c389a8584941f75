"""The one thread that reads the mirror for the screens (and writes the odd rating), so the UI never waits.

A view-model calls :meth:`DbWorker.submit` with a job (a function of a SQLAlchemy ``Session``) and a
callback; the job runs on the worker thread with its own engine and connection, and the callback runs
back on the UI thread with the result (or ``failed`` with a short reason). Jobs on the same *channel*
coalesce: while a keystroke's search waits, the next keystroke replaces it, so typing never queues up
stale work. Jobs submitted with ``background=True`` (counts for the home tiles, warming up the
search engine) run only when no other job waits, so they never delay what the resident is looking at.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:  # SQLAlchemy is imported on the worker thread itself, not on the UI thread at start
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Job = Callable[["Session"], Any]


@dataclass
class _Task:
    job: Job
    done: Callable[[Any], None]
    failed: Callable[[str], None] | None
    write: bool
    queued_at: float


class DbWorker(QThread):
    """Runs database jobs one at a time off the UI thread; delivers results on the UI thread."""

    _delivered = Signal(object)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk-db-worker")
        self._db_path = Path(db_path)
        self._cond = threading.Condition()
        self._tasks: OrderedDict[str, _Task] = OrderedDict()
        self._background: OrderedDict[str, _Task] = OrderedDict()
        self._seq = 0
        self._stopping = False
        self._delivered.connect(self._deliver)
        self.jobs_run = 0

    def submit(
        self,
        channel: str,
        job: Job,
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
        *,
        write: bool = False,
        background: bool = False,
    ) -> None:
        """Queue ``job``; a job still waiting on the same ``channel`` is dropped in its favour.

        ``channel=""`` never coalesces. ``write=True`` runs the job on a writer session (BEGIN IMMEDIATE).
        ``background=True`` runs it only when no foreground job is waiting.
        """
        with self._cond:
            if not channel:
                self._seq += 1
                channel = f"#{self._seq}"
            queue = self._background if background else self._tasks
            queue.pop(channel, None)
            queue[channel] = _Task(job, done, failed, write, time.perf_counter())
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._tasks.clear()
            self._background.clear()
            self._cond.notify()
        self.wait(5000)

    def run(self) -> None:
        from sqlalchemy.orm import Session

        from kiosk.catalog import reader_engine
        from kiosk.db import make_engine

        reader: Engine = reader_engine(self._db_path)
        writer: Engine | None = None
        try:
            while True:
                with self._cond:
                    while not self._tasks and not self._background and not self._stopping:
                        self._cond.wait()
                    if self._stopping:
                        return
                    _, task = (self._tasks or self._background).popitem(last=False)
                if task.write and writer is None:
                    writer = make_engine(self._db_path)
                engine = writer if task.write and writer is not None else reader
                try:
                    with Session(engine, expire_on_commit=False) as session:
                        value = task.job(session)
                    self._delivered.emit((task.done, value))
                except Exception as exc:  # reported to the screen, never raised into Qt
                    log.exception("database job failed")
                    if task.failed is not None:
                        self._delivered.emit((task.failed, type(exc).__name__))
                self.jobs_run += 1
        finally:
            reader.dispose()
            if writer is not None:
                writer.dispose()

    @Slot(object)
    def _deliver(self, item: tuple[Callable[[Any], None], Any]) -> None:
        callback, value = item
        try:
            callback(value)
        except RuntimeError as exc:
            # the screen that asked has been closed (its view-model deleted) before the answer came
            if "deleted" not in str(exc):
                raise
            log.debug("dropped a result for a closed screen: %s", exc)
