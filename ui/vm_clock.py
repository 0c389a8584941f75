"""``Clock`` (QML singleton): the time and date the header shows, in the terminal's configured zone
(:mod:`kiosk.localtime`), whatever zone the operating system runs in. Ticks once a second; ``time``
and ``date`` change only when their text does."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, QTimer, Signal
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk import localtime
from ui.services import of_engine

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


@QmlElement
@QmlSingleton
class Clock(QObject):
    def __init__(self, zone_name: str = localtime.DEFAULT_ZONE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone_name
        self._time = ""
        self._date = ""
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._tick()

    @staticmethod
    def create(engine: object) -> Clock:
        return Clock(of_engine(engine).config.terminal.timezone)

    changed = Signal()

    @Property(str, notify=changed)
    def time(self) -> str:
        return self._time

    @Property(str, notify=changed)
    def date(self) -> str:
        return self._date

    @Property(str, constant=True)
    def zone(self) -> str:
        return self._zone

    def _tick(self) -> None:
        moment = localtime.now(self._zone)
        time, date = localtime.clock_text(moment), localtime.date_text(moment)
        if (time, date) != (self._time, self._date):
            self._time, self._date = time, date
            self.changed.emit()
