"""``DocumentView``: one document as the reader shows it — meta line, status badge, body, attachments,
its replacement and its 解读, the take-away QR code, and its earlier versions (历史版本).

``history`` lists a document's earlier versions (修订); ``showVersion(n)`` loads one of them and the text
properties (title, 文号, dates, body, plainText) then show that version, read-only, with ``viewingEarlier``
true until ``showCurrent()``.

Set ``docId`` and the document loads on the DB worker; ``loaded`` turns true when it arrived, or
``missing`` when the mirror does not hold it. The body goes to QML only through the one sanitiser,
:func:`kiosk.richtext.body_html` (an allow-listed HTML subset with no image, style or URL, shown with
``Text.RichText``); its only links are kiosk-internal (``doc:ID``).
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import Property, QEnum, QObject, QUrl, Signal, Slot
from PySide6.QtQml import QmlElement

from ui.services import Services, services_of
from ui.vm_catalog import status_value

if TYPE_CHECKING:  # imported lazily at run time: start-up does not wait for SQLAlchemy
    from sqlalchemy.orm import Session

    from kiosk import catalog

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


def _size_text(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{max(1, size // 1024)} KB"


@QmlElement
class DocumentView(QObject):
    @QEnum
    class State(IntEnum):
        """``state``: no document asked for, being read, shown, not in the mirror, or the read failed."""

        Empty = 0
        Loading = 1
        Loaded = 2
        Missing = 3
        Failed = 4

    def __init__(self, parent: QObject | None = None, services: Services | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._doc_id = ""
        self._detail: catalog.DocumentDetail | None = None
        self._state = DocumentView.State.Empty
        self._earlier: catalog.EarlierVersion | None = None  # the 历史版本 shown instead of the current text

    @property
    def _svc(self) -> Services:
        """The services this model was given, or those of the QML engine that made it."""
        if self._services is None:
            self._services = services_of(self)
        return self._services

    docIdChanged = Signal()

    @Property(str, notify=docIdChanged)
    def docId(self) -> str:
        return self._doc_id

    @docId.setter  # type: ignore[no-redef]
    def docId(self, value: str) -> None:
        if value == self._doc_id:
            return
        self._doc_id = value
        self.docIdChanged.emit()
        self.reload()

    stateChanged = Signal()

    @Property(int, notify=stateChanged)
    def state(self) -> int:
        return self._state

    @Property(bool, notify=stateChanged)
    def loaded(self) -> bool:
        return self._state == DocumentView.State.Loaded

    documentChanged = Signal()

    @Property(str, notify=documentChanged)
    def title(self) -> str:
        if self._earlier is not None:
            return self._earlier.title
        return self._detail.title if self._detail else ""

    @Property(str, notify=documentChanged)
    def docNumber(self) -> str:
        if self._earlier is not None:
            return self._earlier.doc_number
        return self._detail.doc_number if self._detail else ""

    @Property(str, notify=documentChanged)
    def issuer(self) -> str:
        return self._detail.issuer if self._detail else ""

    @Property(str, notify=documentChanged)
    def published(self) -> str:
        if self._earlier is not None:
            return self._earlier.published
        return self._detail.published if self._detail else ""

    @Property(str, notify=documentChanged)
    def effective(self) -> str:
        if self._earlier is not None:
            return self._earlier.effective
        return self._detail.effective if self._detail else ""

    @Property(str, notify=documentChanged)
    def zoneName(self) -> str:
        return self._detail.zone_name if self._detail else ""

    @Property(int, notify=documentChanged)
    def status(self) -> int:
        """``DocumentStatus.Status`` (``Any`` while no document is shown)."""
        return status_value(self._detail.status) if self._detail else status_value("")

    @Property(str, notify=documentChanged)
    def statusLabel(self) -> str:
        return self._detail.status_label if self._detail else ""

    @Property(bool, notify=documentChanged)
    def inForce(self) -> bool:
        from kiosk.mirror.models import DocStatus

        return self._detail is None or self._detail.status == DocStatus.IN_FORCE.value

    @Property(str, notify=documentChanged)
    def body(self) -> str:
        if not self._detail:
            return ""
        from kiosk.richtext import body_html

        title, body, fmt = self._text()
        # the reader shows the title above; drop a Markdown body's own first heading when it repeats it
        first, _, rest = body.lstrip().partition("\n")
        if fmt != "html" and first.lstrip("# ").strip() == title.strip():
            body = rest
        return body_html(body, fmt)

    def _text(self) -> tuple[str, str, str]:
        """Title, body and body format of the version shown (an earlier one, or the current)."""
        shown: Any = self._earlier if self._earlier is not None else self._detail
        return shown.title, shown.body, shown.body_format

    @Property(bool, notify=documentChanged)
    def bodyIsHtml(self) -> bool:
        """Always true: ``body`` is the allow-listed HTML of :mod:`kiosk.richtext` whatever the source."""
        return self._detail is not None

    @Property("QStringList", notify=documentChanged)
    def categories(self) -> list[str]:
        return list(self._detail.categories) if self._detail else []

    @Property(str, notify=documentChanged)
    def publicUrl(self) -> str:
        return self._detail.public_url if self._detail else ""

    @Property(str, notify=documentChanged)
    def qrSource(self) -> str:
        """``image://qr/…`` for the take-away code ("" when the document has no public address)."""
        if not self._detail or not self._detail.public_url:
            return ""
        return "image://qr/" + quote(self._detail.public_url, safe="")

    def _link(self, link: catalog.DocLink | None) -> dict[str, str]:
        if link is None:
            return {}
        return {"docId": link.id, "title": link.title, "status": link.status, "described": link.described}

    @Property("QVariantMap", notify=documentChanged)
    def replacedBy(self) -> dict[str, str]:
        return self._link(self._detail.replaced_by if self._detail else None)

    @Property("QVariantMap", notify=documentChanged)
    def supersedes(self) -> dict[str, str]:
        return self._link(self._detail.supersedes if self._detail else None)

    @Property("QVariantMap", notify=documentChanged)
    def interprets(self) -> dict[str, str]:
        return self._link(self._detail.interprets if self._detail else None)

    @Property("QVariantList", notify=documentChanged)
    def interpretations(self) -> list[dict[str, str]]:
        return [self._link(i) for i in self._detail.interpretations] if self._detail else []

    @Property("QVariantList", notify=documentChanged)
    def attachments(self) -> list[dict[str, Any]]:
        if not self._detail:
            return []
        blobs = self._svc.blobs
        out = []
        for a in self._detail.attachments:
            out.append(
                {
                    "name": a.name,
                    "size": _size_text(a.size),
                    "present": a.present,
                    "isPdf": a.mime == "application/pdf",
                    "url": QUrl.fromLocalFile(str(blobs.path(a.sha256))).toString() if a.present else "",
                }
            )
        return out

    @Property(str, notify=documentChanged)
    def plainText(self) -> str:
        """Title and body as plain text, for read-aloud."""
        if not self._detail:
            return ""
        title, body, fmt = self._text()
        text = re.sub(r"<[^>]+>", "", body) if fmt == "html" else body
        text = re.sub(r"[#*>`_\[\]|-]+", " ", text)
        return f"{title}。{text}"

    @Property("QVariantList", notify=documentChanged)
    def history(self) -> list[dict[str, Any]]:
        """The earlier versions, newest first: ``version`` and ``date`` (the day it was replaced)."""
        if not self._detail:
            return []
        return [{"version": h.version, "date": h.amended_at[:10]} for h in self._detail.history]

    @Property(bool, notify=documentChanged)
    def viewingEarlier(self) -> bool:
        return self._earlier is not None

    @Property(int, notify=documentChanged)
    def shownVersion(self) -> int:
        """The earlier version shown (0 while the current text is)."""
        return self._earlier.version if self._earlier is not None else 0

    @Property(str, notify=documentChanged)
    def shownAmendedOn(self) -> str:
        """The day the earlier version shown was replaced ("" while the current text is)."""
        return self._earlier.amended_at[:10] if self._earlier is not None else ""

    @Slot(int)
    def showVersion(self, version: int) -> None:
        """Show an earlier version's text (loaded on the DB worker), read-only."""
        from kiosk import catalog

        doc_id = self._doc_id

        def job(session: Session) -> catalog.EarlierVersion | None:
            return catalog.earlier_version(session, doc_id, version)

        def done(earlier: catalog.EarlierVersion | None) -> None:
            if doc_id == self._doc_id and earlier is not None:
                self._earlier = earlier
                self.documentChanged.emit()

        self._svc.worker.submit(f"document-version.{id(self)}", job, done, lambda _r: None)

    @Slot()
    def showCurrent(self) -> None:
        """Back to the document's current version."""
        if self._earlier is not None:
            self._earlier = None
            self.documentChanged.emit()

    loadedDocument = Signal(str, arguments=["docId"])

    @Slot()
    def reload(self) -> None:
        from kiosk import catalog

        doc_id = self._doc_id
        if not doc_id:
            self._set(None, DocumentView.State.Empty)
            return

        def job(session: Session) -> catalog.DocumentDetail | None:
            return catalog.document(session, doc_id)

        def done(detail: catalog.DocumentDetail | None) -> None:
            if doc_id != self._doc_id:
                return
            self._set(detail, DocumentView.State.Loaded if detail is not None else DocumentView.State.Missing)
            if detail is not None:
                self.loadedDocument.emit(doc_id)
                self._svc.record_usage("doc_read", category=detail.categories[0] if detail.categories else "")

        self._set(self._detail, DocumentView.State.Loading)
        self._svc.worker.submit(
            f"document.{id(self)}", job, done, lambda _r: self._set(None, DocumentView.State.Failed)
        )

    def _set(self, detail: catalog.DocumentDetail | None, state: DocumentView.State) -> None:
        if detail is not self._detail:
            self._detail = detail
            self._earlier = None
            self.documentChanged.emit()
        if state != self._state:
            self._state = state
            self.stateChanged.emit()
