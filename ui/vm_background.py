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


def guard_pyside_refcounts() -> bool:
    """Work around a PySide6 6.12 reference-count bug on Python < 3.12; True when applied.

    On Python 3.11, every ``Signal.emit()`` made from Python drops one reference to ``True`` and every
    static void call such as ``QCoreApplication.processEvents()`` one to ``None`` (Python 3.12 made
    these objects immortal, which hides the bug there). ``True`` starts with a few hundred references,
    so a kiosk would abort with "bool_dealloc: deallocating True or False" after a few hundred
    view-model signals — minutes of use. Adding 2**40 references to ``None``, ``True`` and ``False``
    makes them immortal in effect. Idempotent; does nothing on Python ≥ 3.12.
    Reproduce: ``for _ in range(1000): obj.someSignal.emit("x")`` on PySide6 6.12.0, Python 3.11.
    """
    import ctypes
    import sys

    if sys.version_info >= (3, 12) or getattr(sys, "_kiosk_pyside_guard", False):
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40  # ob_refcnt is PyObject's first field
    sys._kiosk_pyside_guard = True  # type: ignore[attr-defined]
    return True


# Every process that imports the view-models (the kiosk, tests, benchmarks) needs it before it emits.
guard_pyside_refcounts()


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
