"""Run a blocking call (a database write, a print job, a network request) off the UI thread.

A :class:`BackgroundCall` hands ``fn`` to Qt's global thread pool and delivers its outcome back on the
thread that owns the caller (the UI thread) through ``on_done(result)`` or ``on_error(exc)``. It is the
one small pattern the wizard, status lookup and staff view-models share (Anki's ``QueryOp``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    # One tuple (result, exception): PySide6 mis-counts references to a bare None passed through an
    # ``object`` argument of a queued signal, and enough of them crash the interpreter (none_dealloc).
    finished = Signal(object)

    def __init__(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self.finished.connect(self._deliver)

    @Slot(object)
    def _deliver(self, outcome: tuple[Any, BaseException | None]) -> None:
        result, exc = outcome
        try:
            if isinstance(exc, BaseException):
                self._on_error(exc)
            else:
                self._on_done(result)
        finally:
            _PENDING.discard(self)
            self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to on_error on the UI thread
            log.debug("background call failed: %s", type(exc).__name__)
            self._relay.finished.emit((None, exc))
            return
        self._relay.finished.emit((result, None))


_PENDING: set[_Relay] = set()


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """Run ``fn`` on a pool thread; ``on_done``/``on_error`` run later on the calling (UI) thread."""
    relay = _Relay(on_done, on_error)
    _PENDING.add(relay)
    QThreadPool.globalInstance().start(_Job(fn, relay))


def wait_for_background(timeout_ms: int = 10_000) -> bool:
    """Wait until every pending call has run (tests and orderly shutdown); True when all finished."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


def register_wipe(owner: QObject, name: str, wipe: Callable[[], None]) -> None:
    """Have the visit session (ui.services) call ``wipe`` when the visit ends, for as long as ``owner``
    lives; without installed services (a bare test) nothing is registered."""
    from ui import services

    try:
        visit = services.current().visit
    except RuntimeError:
        return
    key = f"{name}-{id(owner):x}"
    visit.register(key, wipe)
    owner.destroyed.connect(lambda *_: visit.unregister(key))
