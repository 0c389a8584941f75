"""The composition root: starts Qt, loads the bundled fonts, opens the mirror, starts the worker, loads
the QML shell — and is the one place where sync and printing get wired to the screens.

Order matters: the CJK font is registered before anything renders (the terminal may have no CJK font
at all), ``QT_IM_MODULE`` is set before the QGuiApplication exists (the virtual keyboard is an input
method plugin), and :func:`ui.services.install` runs before QML instantiates any view-model.

Hooks for the other packages (the lead wires them once they are ready)::

    app = KioskApp(cfg)
    attach_background_service(app, start=..., stop=...)   # e.g. the sync loop
    attach_print_service(app, handler)                    # handler(job_id, doc_id, pdf_path)
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.paths import app_root

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


# Known noise from Qt's own modules, each with its reason; everything else stays a warning.
QUIET_CATEGORIES = (
    # Qt Multimedia (linked by the virtual keyboard) probes PipeWire/PulseAudio, absent on a kiosk.
    "qt.multimedia.*=false",
    # Qt Virtual Keyboard 6.12's own PopupList overrides contentWidth; not ours to fix.
    "qt.qml.propertyCache.append=false",
)


def quiet_known_noise() -> None:
    from PySide6.QtCore import QLoggingCategory

    QLoggingCategory.setFilterRules("\n".join(QUIET_CATEGORIES))


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
    import ui.speech
    import ui.vm_catalog
    import ui.vm_document
    import ui.vm_feedback
    import ui.vm_printing
    import ui.vm_search
    import ui.vm_terminal  # noqa: F401

    for optional in ("ui.vm_application", "ui.vm_status_lookup", "ui.vm_staff"):  # the wizard engineer's
        try:
            __import__(optional)
        except ImportError as exc:
            log.warning("view-model %s not available: %s", optional, exc)


SEED_MARKER_KEY = "seed.content_pack"  # kiosk.seed.MARKER_KEY (tests check they agree)
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([^'\"\s]+)['\"]?", re.M)


def schema_heads() -> set[str]:
    """The newest Alembic revision(s), read from the migration files without importing Alembic."""
    from kiosk.paths import migrations_dir

    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir() / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            parents.add(found["down_revision"])
    return revisions - parents


def mirror_ready(cfg: Config) -> bool:
    """True when the mirror exists, is at the newest schema and was seeded (or synced): then start-up
    skips Alembic and the content-pack importer, which cost a second of imports on a terminal."""
    import sqlite3

    if not cfg.db_path.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{cfg.db_path}?mode=ro", uri=True, timeout=5)
        try:
            versions = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
            seeded = con.execute("SELECT 1 FROM kv WHERE key = ?", (SEED_MARKER_KEY,)).fetchone() is not None
            synced = con.execute("SELECT 1 FROM documents WHERE seq > 0 LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        return False
    wants_seed = bool(cfg.terminal.content_pack.strip())
    return versions == schema_heads() and (seeded or synced or not wants_seed)


def open_mirror(cfg: Config) -> Path:
    """Migrate the terminal's mirror and seed it from the content pack on first start; returns its path."""
    if mirror_ready(cfg):
        return cfg.db_path
    from kiosk.db import open_engine
    from kiosk.seed import ensure_seeded

    engine = open_engine(cfg.db_path)
    try:
        ensure_seeded(cfg, engine)
    finally:
        engine.dispose()
    return cfg.db_path


def _search_index_current(session: Any) -> bool:
    """Worker job: rebuild the search index if an upgrade changed its tokeniser (also warms up the
    search engine's imports before the first keystroke)."""
    from kiosk.search import index

    return index.ensure_current(session)


@dataclass
class BackgroundService:
    name: str
    start: Callable[[], None]
    stop: Callable[[], None]


@dataclass
class KioskApp:
    """One running kiosk: Qt application, worker, QML engine, root window."""

    config: Config
    initial: dict[str, Any] = field(default_factory=dict)
    services_bg: list[BackgroundService] = field(default_factory=list)
    started_at: float = field(default_factory=time.perf_counter)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from PySide6.QtCore import QCoreApplication, Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtQml import QQmlApplicationEngine
        from PySide6.QtQuick import QQuickWindow  # noqa: F401 - root objects come back as QQuickWindow

        from ui import services
        from ui.keyboard import KeyboardPrivacy, private_config_home
        from ui.qr import QrImageProvider
        from ui.worker import DbWorker

        prepare_environment()
        keyboard_home = private_config_home()  # before Qt reads XDG_CONFIG_HOME
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_SynthesizeMouseForUnhandledTouchEvents, True)
        self.qapp = QGuiApplication.instance() or QGuiApplication([])
        self.qapp.setApplicationName("zwgk-kiosk")
        self.qapp.setOrganizationName("zwgk")
        quiet_known_noise()
        self.font_family = load_fonts()
        db_path = open_mirror(self.config)
        self.worker = DbWorker(db_path)
        self.worker.start()
        self.services = services.Services(config=self.config, worker=self.worker)
        services.install(self.services)
        self.keyboard = KeyboardPrivacy(keyboard_home)
        self.services.visit.register("keyboard", self.keyboard.wipe)
        register_qml_types()
        self.engine = QQmlApplicationEngine()
        self.engine.addImportPath(str(qml_dir()))
        self.engine.addImageProvider("qr", QrImageProvider())
        self.engine.warnings.connect(self._on_qml_warnings)
        self.window: Any = None

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
        for svc in self.services_bg:
            log.info("starting %s", svc.name)
            svc.start()

    def shutdown(self) -> None:
        for svc in reversed(self.services_bg):
            try:
                svc.stop()
            except Exception:
                log.exception("stopping %s failed", svc.name)
        self.worker.stop()
        try:
            from ui import vm_ports

            vm_ports.stop_print_services()
        except ImportError:
            pass
        import shiboken6

        # Destroy the QML engine (and with it every screen and view-model) before Python tears down
        # the wrappers, so no binding re-evaluates against a half-deleted object.
        self.window = None
        if shiboken6.isValid(self.engine):
            shiboken6.delete(self.engine)


def attach_background_service(app: KioskApp, name: str, start: Callable[[], None], stop: Callable[[], None]) -> None:
    """Have ``app`` start ``start()`` after the shell loaded and call ``stop()`` at shutdown (sync loop)."""
    app.services_bg.append(BackgroundService(name, start, stop))


def attach_print_service(app: KioskApp, handler: Callable[[str, str, Path, Callable[[bool, str], None]], None]) -> None:
    """Route the screens' document print requests to ``handler(job_id, doc_id, pdf_path, report)``
    instead of the default (the terminal's persisted print queue on its A4 printer).

    The handler must return at once (print on its own thread) and call ``report(printed, reason)``
    from any thread when the job is done or failed. Must be called before :meth:`KioskApp.load`.
    """
    app.services.print_handler = handler


def wire_other_services(app: KioskApp) -> None:
    """THE place where sync and printing join the kiosk.

    - Sync: with a server configured, the sync loop (``sync.loop.SyncLoop``, its own thread and SQLite
      connections) starts after the shell is up and stops at shutdown; the header picks up the new
      "last updated" and the stale warning from ``kiosk.sync_state`` within a minute.
    - Printing: documents already print through the terminal's persisted print queue
      (``ui.vm_printing.default_print_handler``, the ``PrintService`` shared with the wizard through
      ``ui.vm_ports``); :func:`attach_print_service` replaces it.
    """
    if app.config.server.url:
        from sync.loop import SyncLoop

        loop = SyncLoop(app.config)
        attach_background_service(app, "sync", loop.start, loop.stop)
