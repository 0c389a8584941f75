"""The composition root: starts Qt, loads the bundled fonts, opens the mirror, builds the long-lived
services once — the DB worker, the task pool, the print service, the sync loop, the ports over the
core — hands them to the QML engine the view-models are made by, and stops them in order.

Order matters: the CJK font is registered before anything renders (the terminal may have no CJK font
at all), ``QT_IM_MODULE`` and the keyboard's private ``XDG_CONFIG_HOME`` are set before the
QGuiApplication exists (the virtual keyboard is an input method plugin), and the services exist before
QML instantiates any view-model.

What starts with the program (each promise has a kill -9 test in ``tests/ui/test_startup.py``):

- the print service, on the task pool once the home screen's first queries are done: it recovers its
  queue (interrupted jobs are kept for staff, queued ones print) whether or not anyone prints;
- the purge of the personal data of applications the server has acknowledged
  (:func:`kiosk.applications.service.purge_delivered`), on the DB worker, so a crash between the
  server's ack and the purge is repaired at the next start;
- with a server configured, the one sync loop (:meth:`KioskApp.start_background`); staff's 立即同步
  asks it for a run.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.paths import app_root
from kiosk.startup import SEED_MARKER_KEY, mirror_ready, open_mirror, schema_heads

if TYPE_CHECKING:
    from printing.queue import PrintService
    from sync.loop import SyncLoop
    from ui.services import Services
    from ui.worker import DbWorker

__all__ = ["SEED_MARKER_KEY", "KioskApp", "mirror_ready", "open_mirror", "schema_heads"]

log = logging.getLogger(__name__)

QML_MODULE = "Kiosk"


def qml_dir() -> Path:
    return app_root() / "ui" / "qml"


def prepare_environment() -> None:
    """Environment the Qt plugins read at start-up; call before the QGuiApplication exists."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    # the keyboard lives in the shell's own InputPanel, never in a separate desktop window
    os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")


def load_fonts() -> str:
    """Register the bundled font stack (kiosk.fonts) and make Noto Sans SC the application font; the
    fallback faces (Extensions B–F, compatibility ideographs) are its substitutes, so any text set in
    Noto Sans SC draws a character Noto lacks from them rather than from whatever the system has."""
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

    from kiosk import fonts

    family = ""
    for face in fonts.ALL_FACES:
        fid = QFontDatabase.addApplicationFont(str(face.path))
        if fid < 0:
            raise RuntimeError(f"cannot load the bundled font {face.path}")
        family = family or QFontDatabase.applicationFontFamilies(fid)[0]
    QFont.insertSubstitutions(family, [face.family for face in fonts.FALLBACKS])
    font = QFont(family)
    font.setPixelSize(24)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    QGuiApplication.setFont(font)
    return family


def register_qml_types() -> None:
    """Import every view-model module so its @QmlElement types exist before QML loads."""
    import ui.idle
    import ui.qrscan
    import ui.speech
    import ui.vm_application
    import ui.vm_catalog
    import ui.vm_charfinder
    import ui.vm_clock
    import ui.vm_document
    import ui.vm_feedback
    import ui.vm_printing
    import ui.vm_search
    import ui.vm_staff
    import ui.vm_status_lookup
    import ui.vm_terminal  # noqa: F401


def build_services(
    cfg: Config,
    worker: DbWorker,
    *,
    printing: Callable[[], PrintService] | None = None,
    sync_trigger: Callable[[], None] | None = None,
    leave_kiosk: Callable[[], None] | None = None,
) -> Services:
    """The services and ports the view-models are given, over ``worker`` (the one place adapters are
    made; tests use it for view-models outside a whole kiosk). Without ``printing`` nothing can print."""
    from ui.adapters import CoreApplicationsPort, CoreDocumentPrintPort, CoreStaffPort, CoreStatusPort
    from ui.background import Deferred, TaskPool
    from ui.events import PrintEvents, SyncEvents
    from ui.services import Services

    unavailable: Deferred[PrintService] = Deferred("the print service")
    get_printing = printing or unavailable.get
    services = Services(
        config=cfg,
        worker=worker,
        pool=TaskPool(),
        print_events=PrintEvents(),
        sync_events=SyncEvents(),
        applications=CoreApplicationsPort(cfg, get_printing),
        status=CoreStatusPort(cfg),
        staff=CoreStaffPort(cfg, get_printing, sync_trigger),
        documents=CoreDocumentPrintPort(cfg, get_printing),
    )
    if leave_kiosk is not None:
        services.leave_kiosk = leave_kiosk
    services.visit.register("usage", services.end_usage_visit)  # the visit's events go to the outbox
    return services


def _search_index_current(session: Any) -> bool:
    """Worker job: rebuild the search index if an upgrade changed its tokeniser (also warms up the
    search engine's imports before the first keystroke)."""
    from kiosk.search import index

    return index.ensure_current(session)


def _purge_delivered(session: Any) -> int:
    """Worker job at start-up: the personal data of acknowledged applications leaves the terminal."""
    from kiosk.applications.service import purge_delivered

    return purge_delivered(session)


@dataclass
class KioskApp:
    """One running kiosk: Qt application, its services, QML engine, root window."""

    config: Config
    initial: dict[str, Any] = field(default_factory=dict)
    started_at: float = field(default_factory=time.perf_counter)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from PySide6.QtCore import QCoreApplication, Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtQuick import QQuickWindow  # noqa: F401 - root objects come back as QQuickWindow

        from ui.background import Deferred
        from ui.keyboard import KeyboardPrivacy, private_config_home
        from ui.netguard import LocalOnlyFactory
        from ui.qr import QrImageProvider
        from ui.services import KioskEngine
        from ui.worker import DbWorker

        prepare_environment()
        keyboard_home = private_config_home()  # before Qt reads XDG_CONFIG_HOME
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_SynthesizeMouseForUnhandledTouchEvents, True)
        self.qapp = QGuiApplication.instance() or QGuiApplication([])
        self.qapp.setApplicationName("zwgk-kiosk")
        self.qapp.setOrganizationName("zwgk")
        self.font_family = load_fonts()
        cfg = self.config
        db_path = open_mirror(cfg)

        # the two background mechanisms: the mirror's one worker, and a small pool for the rest
        self.worker = DbWorker(db_path)
        self.worker.start()
        self.printing: Deferred[PrintService] = Deferred("the print service")
        self._closing = False  # set by shutdown(): nothing may start after it (a late start-up step)
        self.sync_loop: SyncLoop | None = None
        if cfg.server.url:
            from sync.loop import SyncLoop

            self.sync_loop = SyncLoop(cfg, printer_state=self._printer_summary)
        self.services = build_services(
            cfg,
            self.worker,
            printing=self.printing.get,
            sync_trigger=self.sync_loop.trigger if self.sync_loop is not None else None,
            leave_kiosk=self.leave,
        )
        self.pool, self.print_events = self.services.pool, self.services.print_events
        if self.sync_loop is not None:
            self.sync_loop.on_report = self.services.sync_events.relay
        self.keyboard = KeyboardPrivacy(keyboard_home)
        self.services.visit.register("keyboard", self.keyboard.wipe)

        # start-up promises, off the UI thread: the purge first in the worker's queue (before the home
        # screen's own queries); the print service once those queries are done (a background job comes
        # after every waiting one), so its imports do not compete with the first paint
        self.worker.submit("startup.purge", _purge_delivered, self._purged, write=True)
        self.worker.submit("startup.printing", lambda _session: None, self._start_printing_later, background=True)

        register_qml_types()
        self.engine = KioskEngine(self.services)
        self.engine.addImportPath(str(qml_dir()))
        self.engine.addImageProvider("qr", QrImageProvider())
        # QML reaches no network: only the program's own files and the terminal's data folder
        self.net_factory = LocalOnlyFactory((qml_dir(), app_root() / "assets", self.config.data_dir))
        self.engine.setNetworkAccessManagerFactory(self.net_factory)
        self.engine.warnings.connect(self._on_qml_warnings)
        self.window: Any = None

    def _start_print_service(self) -> PrintService:
        """Task pool, at start-up: the print queue recovers (interrupted jobs kept, queued ones printed)."""
        from kiosk.db import make_engine
        from printing.queue import PrintService

        try:
            if self._closing:
                raise RuntimeError("the terminal is shutting down")
            service = PrintService.from_config(
                make_engine(self.config.db_path), self.config, on_change=self.print_events.relay
            )
            service.start()
        except Exception as exc:
            self.printing.fail(exc)
            raise
        self.printing.set(service)
        log.info("print service started")
        return service

    def _start_printing_later(self, _nothing: object) -> None:
        # The worker's answer can arrive after shutdown() (it was queued for the UI thread): a print
        # service started then would outlive the app and print, from the same queue, jobs of the next.
        if not self._closing:
            self.pool.run(self._start_print_service, lambda _s: None, self._print_service_failed)

    def _printer_summary(self) -> str:
        """Sync thread, each heartbeat: every printer's state as the print service sees it now."""
        from printing.status import heartbeat_summary

        service = self.printing.peek()
        if service is None:
            return "starting"
        return heartbeat_summary([p.name for p in self.config.printers], service.printer_status)

    def _print_service_failed(self, exc: BaseException) -> None:
        log.error("the print service did not start: %s", exc)

    def _purged(self, count: int) -> None:
        log.info("start-up purge: %d delivered application(s)", count)

    def _on_qml_warnings(self, warnings: list[Any]) -> None:
        for w in warnings:
            self.warnings.append(w.toString())
            log.warning("QML: %s", w.toString())

    def load(self) -> Any:
        """Load the shell (Main.qml) and return its window."""
        props = {"fontFamily": self.font_family, **self.initial}
        self.engine.setInitialProperties(props)
        self.engine.loadFromModule(QML_MODULE, "Main")
        roots = self.engine.rootObjects()
        if not roots:
            raise RuntimeError("the QML shell did not load: " + "; ".join(self.warnings[-5:]))
        self.window = roots[0]
        # after the home screen's own queries (the worker runs jobs in order)
        self.worker.submit("search.warmup", _search_index_current, lambda _rebuilt: None, write=True, background=True)
        return self.window

    def start_background(self) -> None:
        """Start what runs for as long as the program does: the sync loop (with a server)."""
        if self.sync_loop is not None:
            log.info("starting the sync loop")
            self.sync_loop.start()

    def leave(self) -> None:
        """Staff left kiosk mode: end the event loop (``kiosk run`` then shuts down and exits 0)."""
        self.qapp.exit(0)

    def shutdown(self) -> None:
        self._closing = True
        if self.sync_loop is not None:
            try:
                self.sync_loop.stop()
            except Exception:
                log.exception("stopping the sync loop failed")
        self.worker.stop()
        self.pool.wait(30_000)
        service = self.printing.peek()
        if service is not None:
            service.stop()
        import shiboken6

        # Destroy the QML engine (and with it every screen and view-model) before Python tears down
        # the wrappers, so no binding re-evaluates against a half-deleted object.
        self.window = None
        if shiboken6.isValid(self.engine):
            shiboken6.delete(self.engine)
        self.keyboard.remove()
