"""``Idle`` (QML singleton): the idle policy — a visible countdown, then back home with the visit wiped.

Activity is any touch or press anywhere in the window: a passive ``PointHandler`` over the whole shell
(``Main.qml``) calls :meth:`Idle.poke` without taking the touch from the item under it. (An
application-wide Python event filter would do the same but would run Python — and take the GIL — for
every Qt event, which costs frames while the sync thread runs.) After
``terminal.idle_timeout_s`` without any, ``warning`` turns true for the last :data:`COUNTDOWN_S`
seconds (the overlay shows ``secondsLeft``); at zero ``timedOut`` fires, and QML goes home and calls
``Terminal.endVisit("idle")``. While the attract screen shows, QML sets ``paused``.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.services import Services, of_engine

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

COUNTDOWN_S = 15


@QmlElement
@QmlSingleton
class Idle(QObject):
    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visit = services.visit
        self._timeout_s = services.config.terminal.idle_timeout_s
        self._last = time.monotonic()
        self._seconds_left = self._timeout_s
        self._paused = False
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    @staticmethod
    def create(engine: object) -> Idle:
        return Idle(of_engine(engine))

    secondsLeftChanged = Signal()

    @Property(int, notify=secondsLeftChanged)
    def secondsLeft(self) -> int:
        return self._seconds_left

    @Property(bool, notify=secondsLeftChanged)
    def warning(self) -> bool:
        return not self._paused and self._seconds_left <= COUNTDOWN_S

    timeoutChanged = Signal()

    @Property(int, notify=timeoutChanged)
    def timeout(self) -> int:
        return self._timeout_s

    @timeout.setter  # type: ignore[no-redef]
    def timeout(self, value: int) -> None:
        value = max(COUNTDOWN_S + 1, int(value))
        if value != self._timeout_s:
            self._timeout_s = value
            self.timeoutChanged.emit()
            self.poke()

    pausedChanged = Signal()

    @Property(bool, notify=pausedChanged)
    def paused(self) -> bool:
        return self._paused

    @paused.setter  # type: ignore[no-redef]
    def paused(self, value: bool) -> None:
        if value != self._paused:
            self._paused = value
            self.pausedChanged.emit()
            self.poke()

    timedOut = Signal()

    @Slot()
    def poke(self) -> None:
        """Activity: restart the idle clock."""
        self._last = time.monotonic()
        self._visit.touch()  # a release switch waits for the visit to end (sync.updater)
        self._update(self._timeout_s)

    @Slot()
    def expireNow(self) -> None:
        """Jump to the end of the idle time (tests, staff's "end visit" button)."""
        self._last = time.monotonic() - self._timeout_s
        self._tick()

    def _update(self, left: int) -> None:
        if left != self._seconds_left:
            self._seconds_left = left
            self.secondsLeftChanged.emit()

    def _tick(self) -> None:
        if self._paused:
            return
        left = max(0, round(self._timeout_s - (time.monotonic() - self._last)))
        self._update(left)
        if left == 0:
            self._last = time.monotonic()
            self._update(self._timeout_s)
            self.timedOut.emit()
