"""The task pool: blocking calls that are neither mirror reads nor writes (a printer probe, a PDF to
build, a request to the district server) run here, off the UI thread.

Two kinds of background work, two mechanisms (as Anki keeps one executor for its collection and one
pool for the network): the mirror has its one worker thread (:class:`ui.worker.DbWorker`), everything
else this small pool of its own — not Qt's global pool, so a receipt waiting on an offline printer
never takes a thread something else of Qt's needs. :meth:`TaskPool.run` delivers ``on_done(result)``
or ``on_error(exc)`` back on the UI thread through one queued signal.

:class:`Deferred` hands a service that starts in the background (the print service) to code that
runs on these threads: ``get()`` waits until it is there.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

POOL_THREADS = 2


class _Job(QRunnable):
    def __init__(self, pool: TaskPool, key: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._pool, self._key, self._fn = pool, key, fn

    def run(self) -> None:
        try:
            outcome: tuple[int, Any, BaseException | None] = (self._key, self._fn(), None)
        except Exception as exc:  # delivered to on_error on the UI thread
            log.debug("background call failed: %s", type(exc).__name__)
            outcome = (self._key, None, exc)
        self._pool._finished.emit(outcome)


class TaskPool(QObject):
    """A pool of :data:`POOL_THREADS` threads whose outcomes come back on the UI thread."""

    # one tuple (key, result, exception): a bare None through an ``object`` argument of a queued
    # signal is best avoided with PySide6
    _finished = Signal(object)

    def __init__(self, threads: int = POOL_THREADS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._pool.setObjectName("kiosk-task-pool")
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._keys = itertools.count(1)
        self._finished.connect(self._deliver)

    def run(
        self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        """Run ``fn`` on a pool thread; ``on_done``/``on_error`` run later on the UI thread."""
        key = next(self._keys)
        self._callbacks[key] = (on_done, on_error)
        self._pool.start(_Job(self, key, fn))

    @Slot(object)
    def _deliver(self, outcome: tuple[int, Any, BaseException | None]) -> None:
        key, result, exc = outcome
        callbacks = self._callbacks.pop(key, None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        try:
            if isinstance(exc, BaseException):
                on_error(exc)
            else:
                on_done(result)
        except RuntimeError as err:
            # the screen that asked has been closed (its view-model deleted) before the answer came
            if "deleted" not in str(err):
                raise
            log.debug("dropped a result for a closed screen: %s", err)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Wait until every call has run (orderly shutdown, tests); True when all finished."""
        return bool(self._pool.waitForDone(timeout_ms))

    @property
    def pending(self) -> int:
        return len(self._callbacks)


class Deferred[T]:
    """A value made on another thread; :meth:`get` waits for it (never call that on the UI thread)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._ready = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def set(self, value: T) -> None:
        self._value = value
        self._ready.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._ready.set()

    def get(self, timeout: float = 60.0) -> T:
        if not self._ready.wait(timeout):
            raise TimeoutError(f"{self._what} did not start within {timeout:.0f} s")
        if self._error is not None:
            raise RuntimeError(f"{self._what} failed to start") from self._error
        assert self._value is not None
        return self._value

    def peek(self) -> T | None:
        """The value if it is there already (shutdown), else None."""
        return self._value
