"""QML cannot reach the network: the QML engine's network access manager refuses every URL that is
not one of the kiosk's own files.

Text from outside is shown as plain text or through the one sanitiser (:mod:`kiosk.richtext`), so no
server-chosen address should ever reach the renderer; this is the second wall. Whatever asks the QML
engine for a remote resource (an ``Image`` source, rich text's ``<img>`` or ``background``, an
``XMLHttpRequest``) gets an error reply without a byte sent: allowed are ``qrc:`` and ``file:`` URLs
inside the folders the composition root names (the program's QML and assets). ``image://`` providers
(the QR codes) never go through a network access manager and are unaffected.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtQml import QQmlNetworkAccessManagerFactory

log = logging.getLogger(__name__)

REFUSED = QUrl("refused:")  # a scheme no handler knows: the reply is an error, nothing is sent


def allowed(url: QUrl, roots: tuple[Path, ...]) -> bool:
    """True for ``qrc:`` URLs and ``file:`` URLs inside one of ``roots``."""
    scheme = url.scheme().lower()
    if scheme == "qrc":
        return True
    if scheme != "file" or url.host():
        return False
    try:
        path = Path(url.toLocalFile()).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(root) for root in roots)


class LocalOnlyAccessManager(QNetworkAccessManager):
    """A network access manager that serves only the kiosk's own files."""

    def __init__(self, roots: tuple[Path, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = roots
        self.refused = 0

    def createRequest(
        self, op: QNetworkAccessManager.Operation, request: QNetworkRequest, data: object = None
    ) -> QNetworkReply:
        if allowed(request.url(), self._roots):
            return super().createRequest(op, request, data)  # type: ignore[arg-type]
        self.refused += 1
        log.info("QML network request refused (scheme %s)", request.url().scheme() or "-")
        return super().createRequest(op, QNetworkRequest(REFUSED), None)


class LocalOnlyFactory(QQmlNetworkAccessManagerFactory):
    """Installed on the QML engine by the composition root (``engine.setNetworkAccessManagerFactory``)."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__()
        self.roots = tuple(r.resolve() for r in roots)
        self.managers: list[LocalOnlyAccessManager] = []

    def create(self, parent: QObject) -> QNetworkAccessManager:
        manager = LocalOnlyAccessManager(self.roots, parent)
        self.managers.append(manager)
        return manager
