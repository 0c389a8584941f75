"""What the composition root hands the view-models: configuration, the DB worker, the visit session.

QML creates the view-models (``@QmlElement``/``@QmlSingleton``), so they cannot take constructor
arguments; they read the one :class:`Services` installed here by :mod:`ui.app` (or by a test) before the
QML engine loads anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.mirror.blobs import BlobStore
from kiosk.session import VisitSession

if TYPE_CHECKING:
    from ui.worker import DbWorker

# How a print handler reports a job's outcome, from any thread: (printed, reason if not).
Report = Callable[[bool, str], None]
# A print handler takes (job id, document id, PDF path, report) and must return at once.
PrintHandler = Callable[[str, str, Path, Report], None]


@dataclass
class Services:
    config: Config
    worker: DbWorker
    visit: VisitSession = field(default_factory=VisitSession)
    print_handler: PrintHandler | None = None

    @property
    def blobs(self) -> BlobStore:
        return BlobStore(self.config.blob_dir)

    @property
    def zone(self) -> str:
        return self.config.terminal.zone


_current: Services | None = None


def install(services: Services) -> None:
    global _current  # noqa: PLW0603 - one terminal, one set of services, installed once at start
    _current = services


def current() -> Services:
    if _current is None:
        raise RuntimeError("ui.services.install() must run before QML loads the view-models")
    return _current
