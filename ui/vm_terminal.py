"""``Terminal`` (QML singleton): the zone this terminal serves, when content was last updated, the
home screen's announcements and the visit's end (privacy wipe).

QML reads ``Terminal.zoneTitle`` for the header, ``Terminal.lastUpdated`` beside the clock,
``Terminal.announcements`` for the scrolling line; ``Terminal.endVisit()`` is called when the idle
timeout fires and wipes whatever the resident entered (every screen registered with the visit session).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from ui.qttypes import QVariantList
from ui.services import Services, of_engine

if TYPE_CHECKING:  # imported lazily at run time: start-up does not wait for SQLAlchemy
    from sqlalchemy.orm import Session

    from kiosk import catalog

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

REFRESH_MS = 60_000


@QmlElement
@QmlSingleton
class Terminal(QObject):
    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        cfg = self._svc.config
        self._zone_code = cfg.terminal.zone
        self._zone_name = self._zone_code
        self._district_name = ""
        self._zone_title = "政务公开专区"
        self._zone_phone = ""
        self._zone_hours = ""
        self._last_updated = ""
        self._announcements: list[dict[str, str]] = []
        self._document_count = 0
        self._ready = False
        self._visit_docs = 0
        self._sync_warning = ""
        # after a sync the header's "last updated" and the stale warning follow within a minute
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    @staticmethod
    def create(engine: object) -> Terminal:
        return Terminal(of_engine(engine))

    # --- properties -------------------------------------------------------------------------------
    zoneChanged = Signal()

    @Property(str, notify=zoneChanged)
    def zoneCode(self) -> str:
        return self._zone_code

    @Property(str, notify=zoneChanged)
    def zoneName(self) -> str:
        return self._zone_name

    @Property(str, notify=zoneChanged)
    def districtName(self) -> str:
        return self._district_name

    @Property(str, notify=zoneChanged)
    def zoneTitle(self) -> str:
        return self._zone_title

    @Property(str, notify=zoneChanged)
    def zonePhone(self) -> str:
        return self._zone_phone

    @Property(str, notify=zoneChanged)
    def zoneHours(self) -> str:
        return self._zone_hours

    syncWarningChanged = Signal()

    @Property(str, notify=syncWarningChanged)
    def syncWarning(self) -> str:
        """内容可能不是最新 when a terminal with a server has not synced (or its manifest expired)."""
        return self._sync_warning

    lastUpdatedChanged = Signal()

    @Property(str, notify=lastUpdatedChanged)
    def lastUpdated(self) -> str:
        return self._last_updated

    announcementsChanged = Signal()

    @Property(QVariantList, notify=announcementsChanged)
    def announcements(self) -> list[dict[str, str]]:
        return self._announcements

    documentCountChanged = Signal()

    @Property(int, notify=documentCountChanged)
    def documentCount(self) -> int:
        return self._document_count

    readyChanged = Signal()

    @Property(bool, notify=readyChanged)
    def ready(self) -> bool:
        return self._ready

    @Property(bool, constant=True)
    def largeTextDefault(self) -> bool:
        return self._svc.config.terminal.large_text

    @Property(int, constant=True)
    def printPageCap(self) -> int:
        """Pages one resident may print in one visit (``terminal.print_pages_per_visit``)."""
        return self._svc.config.terminal.print_pages_per_visit

    @Property(int, constant=True)
    def idleTimeout(self) -> int:
        return self._svc.config.terminal.idle_timeout_s

    @Property(str, constant=True)
    def terminalId(self) -> str:
        return self._svc.config.terminal.id

    visitDocumentsChanged = Signal()

    @Property(int, notify=visitDocumentsChanged)
    def visitDocuments(self) -> int:
        """How many documents this visit opened (the rating prompt appears after the first)."""
        return self._visit_docs

    visitEnded = Signal(str, arguments=["reason"])

    # --- actions ----------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Reload zone, last-updated and announcements on the worker (sync calls this after a pull)."""
        from kiosk import catalog

        zone = self._zone_code
        has_server = bool(self._svc.config.server.url)

        def job(session: Session) -> dict[str, Any]:
            warning = ""
            if has_server:
                from kiosk.sync_state import read_status

                warning = read_status(session).warning or ""
            return {
                "zone": catalog.zone_info(session, zone),
                "updated": catalog.last_updated(session),
                "ann": catalog.announcements(session, zone),
                "count": catalog.document_count(session),
                "warning": warning,
            }

        self._svc.worker.submit("terminal.refresh", job, self._apply)

    def _apply(self, data: dict[str, Any]) -> None:
        z: catalog.ZoneInfo = data["zone"]
        changed = (z.name, z.district_name, z.title, z.phone, z.hours) != (
            self._zone_name,
            self._district_name,
            self._zone_title,
            self._zone_phone,
            self._zone_hours,
        )
        self._zone_name, self._district_name, self._zone_title = z.name, z.district_name, z.title
        self._zone_phone, self._zone_hours = z.phone, z.hours
        if changed:
            self.zoneChanged.emit()
        updated = str(data["updated"])[:16].replace("T", " ")
        if updated != self._last_updated:
            self._last_updated = updated
            self.lastUpdatedChanged.emit()
        ann = [{"docId": a.id, "title": a.title} for a in data["ann"]]
        if ann != self._announcements:
            self._announcements = ann
            self.announcementsChanged.emit()
        if data["count"] != self._document_count:
            self._document_count = int(data["count"])
            self.documentCountChanged.emit()
        if data["warning"] != self._sync_warning:
            self._sync_warning = data["warning"]
            self.syncWarningChanged.emit()
        if not self._ready:
            self._ready = True
            self.readyChanged.emit()

    @Slot()
    def noteDocumentOpened(self) -> None:
        self._visit_docs += 1
        self.visitDocumentsChanged.emit()

    @Slot(str)
    def endVisit(self, reason: str) -> None:
        """End the resident's visit: wipe everything registered with the visit session."""
        self._svc.visit.end(reason)
        if self._visit_docs:
            self._visit_docs = 0
            self.visitDocumentsChanged.emit()
        self.visitEnded.emit(reason)
