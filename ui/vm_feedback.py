"""``Feedback`` (QML singleton): the five-level satisfaction rating, written to the outbox off the UI thread.

``submit(level, context)`` queues the rating through :func:`kiosk.feedback.record_rating` on the DB
worker; the outcome comes back as ``ratingSaved(level)`` or ``ratingFailed(reason)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.services import Services, of_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


@QmlElement
@QmlSingleton
class Feedback(QObject):
    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services

    @staticmethod
    def create(engine: object) -> Feedback:
        return Feedback(of_engine(engine))

    ratingSaved = Signal(int, arguments=["level"])
    ratingFailed = Signal(str, arguments=["reason"])

    @Slot(int, str)
    def submit(self, level: int, context: str) -> None:
        svc = self._svc
        term = svc.config.terminal

        def job(session: Session) -> str:
            from kiosk.feedback import record_rating

            return record_rating(session, level, terminal_id=term.id, zone=term.zone, context=context)

        def saved(_key: str) -> None:
            self.ratingSaved.emit(level)
            svc.record_usage("rating", level=level)

        svc.worker.submit("", job, saved, self.ratingFailed.emit, write=True)
