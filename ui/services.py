"""What the composition root hands the view-models: configuration, the two background mechanisms, the
visit session, the print queue's events and the ports.

:mod:`ui.app` builds one :class:`Services` and gives it to its QML engine (:class:`KioskEngine`).
Singletons are made by their ``create(engine)`` (PySide6 calls it with the engine) and take the
services in their constructor; elements QML instantiates (list models, the document view) find them
through the engine that created them (:func:`services_of`). Tests build view-models with their own
:class:`Services`. Nothing here is a module global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtQml import QQmlApplicationEngine, qmlEngine

from kiosk.config import Config
from kiosk.mirror.blobs import BlobStore
from kiosk.session import VisitSession

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ui.background import TaskPool
    from ui.events import PrintEvents, SyncEvents
    from ui.ports import ApplicationsPort, DocumentPrintPort, StaffPort, StatusPort
    from ui.worker import DbWorker


def _ignore(_value: object) -> None:
    """Usage counting never reaches the screen."""


def _stay() -> None:
    """The default for leaving kiosk mode where nothing runs an event loop (tests, screenshots)."""


@dataclass
class Services:
    config: Config
    worker: DbWorker
    pool: TaskPool
    print_events: PrintEvents
    sync_events: SyncEvents
    applications: ApplicationsPort
    status: StatusPort
    staff: StaffPort
    documents: DocumentPrintPort
    visit: VisitSession = field(default_factory=VisitSession)
    # what staff's 退出终端模式 does: the composition root ends the event loop
    leave_kiosk: Callable[[], None] = _stay

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.config.blob_dir)

    @property
    def zone(self) -> str:
        return self.config.terminal.zone

    def record_usage(self, kind: str, **facts: Any) -> None:
        """Count one event of this visit for the monthly evaluation (:mod:`kiosk.usage`: no personal data;
        written on the DB worker, never blocking, never failing the screen)."""

        def job(session: Session) -> None:
            from kiosk import usage

            usage.record(session, kind, **facts)

        self.worker.submit("", job, _ignore, _ignore, write=True)

    def end_usage_visit(self) -> None:
        """The visit ended: queue its events in the outbox (registered as a visit wipe by :mod:`ui.app`)."""
        term = self.config.terminal

        def job(session: Session) -> None:
            from kiosk import usage

            usage.end_visit(session, terminal_id=term.id, zone=term.zone)

        self.worker.submit("", job, _ignore, _ignore, write=True)

    def register_wipe(self, owner: QObject, name: str, wipe: Callable[[], None]) -> None:
        """Have the visit's end call ``wipe`` for as long as ``owner`` lives."""
        key = f"{name}-{id(owner):x}"
        self.visit.register(key, wipe)
        visit = self.visit
        owner.destroyed.connect(lambda *_: visit.unregister(key))


class KioskEngine(QQmlApplicationEngine):
    """The QML engine, carrying the services its view-models are built with."""

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services


def of_engine(engine: object) -> Services:
    """The services of the engine that creates a singleton (``create(engine)``)."""
    if not isinstance(engine, KioskEngine):
        raise TypeError("the kiosk's view-models are created by its own QML engine (ui.services.KioskEngine)")
    return engine.services


def services_of(obj: QObject) -> Services:
    """The services of the QML engine that instantiated ``obj`` (once it is part of a QML scene)."""
    return of_engine(qmlEngine(obj))
