"""``SearchModel``: results as the resident types, with highlighted snippets, filters, recent and
popular searches, and something to try when nothing was found.

Each change of ``query`` or a filter submits one search on the DB worker's ``search`` channel; a
search still waiting is replaced by the newer one, and a result that arrives for an older query is
dropped, so results always match what is in the field. Recent searches live only for the visit: the
visit session wipes them (and the query) when the resident walks away.
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtQml import QmlElement

from ui.services import Services, services_of
from ui.vm_catalog import status_code, status_value

if TYPE_CHECKING:  # imported lazily at run time: start-up does not wait for SQLAlchemy
    from sqlalchemy.orm import Session


QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

PAGE = 30
MAX_RECENT = 8
Index = QModelIndex | QPersistentModelIndex
HIGHLIGHT = '<font color="#B71C1C"><b>'
HIGHLIGHT_END = "</b></font>"


def snippet_rich_text(snippet: str) -> str:
    """The search engine's snippet (HTML-escaped text, matches in ``<b>…</b>``) with the matches in the
    kiosk's highlight colour; anything that is not ``<b>``/``</b>`` is escaped again as a safeguard."""
    parts = re.split(r"(</?b>)", snippet)
    out: list[str] = []
    for part in parts:
        if part == "<b>":
            out.append(HIGHLIGHT)
        elif part == "</b>":
            out.append(HIGHLIGHT_END)
        else:
            out.append(part.replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


class SearchRole(enum.IntEnum):
    DocId = Qt.ItemDataRole.UserRole + 1
    Title = enum.auto()
    Snippet = enum.auto()
    Status = enum.auto()
    StatusLabel = enum.auto()
    DocNumber = enum.auto()
    Issuer = enum.auto()
    Published = enum.auto()
    Partial = enum.auto()


@dataclass(frozen=True)
class SearchRow:
    doc_id: str
    title: str
    snippet: str
    status: str
    doc_number: str
    issuer: str
    published: str
    partial: bool = False  # matches only part of the query, or by sound (部分匹配)

    @property
    def status_label(self) -> str:
        from kiosk.mirror.models import DocStatus

        try:
            return DocStatus(self.status).label
        except ValueError:
            return ""


@dataclass(frozen=True)
class Answer:
    """What one search gave the screen: the total, a page of rows, and a resident's word that sounds
    like the query (滴保 → 低保) to offer when nothing matched every word ("" if none)."""

    total: int
    rows: list[SearchRow]
    suggestion: str = ""
    only_partial: bool = False  # hits, but none matches every word (SearchResult.only_partial)


def _run_search(session: Session, query: str, offset: int, filters: dict[str, Any], zone: str) -> Answer:
    from kiosk import catalog
    from kiosk import search as engine

    chosen = filters.get("zone") or zone
    result = engine.search(
        session,
        query,
        limit=PAGE,
        offset=offset,
        zone=None if chosen == catalog.ALL_ZONES else chosen,
        category=filters.get("category") or None,
        status=filters.get("status") or None,
        year=filters.get("year") or None,
    )
    rows = [
        SearchRow(
            doc_id=h.id,
            title=h.title,
            snippet=snippet_rich_text(h.snippet or ""),
            status=str(h.status or "in_force"),
            doc_number=h.doc_number or "",
            issuer=h.issuer or "",
            published=h.published or "",
            partial=h.partial,
        )
        for h in result.hits
    ]
    return Answer(int(result.total), rows, result.suggestion, bool(result.only_partial))


@QmlElement
class SearchModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None, services: Services | None = None) -> None:
        from kiosk import catalog

        super().__init__(parent)
        self._services = services
        self._query = ""
        self._filters: dict[str, Any] = {"category": "", "status": "", "year": 0, "zone": ""}
        self._rows: list[SearchRow] = []
        self._total = 0
        self._suggestion = ""
        self._only_partial = False
        self._searched = ""  # the query the current rows answer
        self._generation = 0
        self._busy = False
        self._recent: list[str] = []
        self._popular: list[str] = list(catalog.DEFAULT_POPULAR)
        self._last_ms = 0.0
        if services is not None:
            self._attach()
        else:  # made by QML: its engine (and with it the services) is known once the object is complete
            QTimer.singleShot(0, self._attach)

    def _attach(self) -> None:
        self._svc.register_wipe(self, "search", self.wipe)
        self._load_popular()

    @property
    def _svc(self) -> Services:
        """The services this model was given, or those of the QML engine that made it."""
        if self._services is None:
            self._services = services_of(self)
        return self._services

    # --- model ------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {r.value: QByteArray(r.name[0].lower() + r.name[1:]) for r in SearchRole}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        if role in (SearchRole.Title, Qt.ItemDataRole.DisplayRole):
            return r.title
        values: dict[int, Any] = {
            SearchRole.DocId: r.doc_id,
            SearchRole.Snippet: r.snippet,
            SearchRole.Status: status_value(r.status),
            SearchRole.StatusLabel: r.status_label,
            SearchRole.DocNumber: r.doc_number,
            SearchRole.Issuer: r.issuer,
            SearchRole.Published: r.published,
            SearchRole.Partial: r.partial,
        }
        return values.get(role)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._busy and bool(self._searched) and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._submit(len(self._rows))

    # --- properties -------------------------------------------------------------------------------
    queryChanged = Signal()

    @Property(str, notify=queryChanged)
    def query(self) -> str:
        return self._query

    @query.setter  # type: ignore[no-redef]
    def query(self, value: str) -> None:
        value = value or ""
        if value == self._query:
            return
        self._query = value
        self.queryChanged.emit()
        self._restart()

    filtersChanged = Signal()

    @Property(str, notify=filtersChanged)
    def category(self) -> str:
        return str(self._filters["category"])

    @category.setter  # type: ignore[no-redef]
    def category(self, value: str) -> None:
        self._set_filter("category", value or "")

    @Property(int, notify=filtersChanged)
    def status(self) -> int:
        """The status filter (``DocumentStatus.Status``; ``Any`` finds every status)."""
        return status_value(str(self._filters["status"]))

    @status.setter  # type: ignore[no-redef]
    def status(self, value: int) -> None:
        self._set_filter("status", status_code(value))

    @Property(int, notify=filtersChanged)
    def year(self) -> int:
        return int(self._filters["year"])

    @year.setter  # type: ignore[no-redef]
    def year(self, value: int) -> None:
        self._set_filter("year", int(value or 0))

    @Property(str, notify=filtersChanged)
    def zone(self) -> str:
        return str(self._filters["zone"])

    @zone.setter  # type: ignore[no-redef]
    def zone(self, value: str) -> None:
        self._set_filter("zone", value or "")

    def _set_filter(self, key: str, value: Any) -> None:
        if self._filters[key] == value:
            return
        self._filters[key] = value
        self.filtersChanged.emit()
        self._restart()

    resultsChanged = Signal()

    @Property(int, notify=resultsChanged)
    def total(self) -> int:
        return self._total

    @Property(str, notify=resultsChanged)
    def answeredQuery(self) -> str:
        """The query the shown results answer ("" before the first search)."""
        return self._searched

    @Property(str, notify=resultsChanged)
    def suggestion(self) -> str:
        """A resident's word that sounds like the query (您是不是要找：低保), "" if none."""
        return self._suggestion

    @Property(bool, notify=resultsChanged)
    def onlyPartial(self) -> bool:
        """Nothing matched the whole query: the results are only partial matches (部分匹配), as the
        search core says (``SearchResult.only_partial``)."""
        return self._only_partial

    @Property(float, notify=resultsChanged)
    def lastMs(self) -> float:
        return self._last_ms

    busyChanged = Signal()

    @Property(bool, notify=busyChanged)
    def busy(self) -> bool:
        return self._busy

    recentChanged = Signal()

    @Property("QStringList", notify=recentChanged)
    def recent(self) -> list[str]:
        return self._recent

    popularChanged = Signal()

    @Property("QStringList", notify=popularChanged)
    def popular(self) -> list[str]:
        return self._popular

    resultsArrived = Signal(str, int, arguments=["query", "total"])

    # --- actions ----------------------------------------------------------------------------------
    @Slot()
    def commit(self) -> None:
        """The resident settled on this query (opened a result or pressed 搜索): remember it."""
        q = self._query.strip()
        if not q:
            return
        self._recent = [q, *[r for r in self._recent if r != q][: MAX_RECENT - 1]]
        self.recentChanged.emit()
        self._svc.record_usage("search", query=q, hits=self._total)

    @Slot()
    def wipe(self) -> None:
        """Forget the query, the results and the recent searches (end of visit)."""
        self._recent = []
        self.recentChanged.emit()
        self._filters = {"category": "", "status": "", "year": 0, "zone": ""}
        self.filtersChanged.emit()
        self.query = ""
        self._restart()

    @Slot(int, result=str)
    def docIdAt(self, row: int) -> str:
        return self._rows[row].doc_id if 0 <= row < len(self._rows) else ""

    def _restart(self) -> None:
        self._generation += 1
        if not self._query.strip():
            self._replace_rows([])
            self._total = 0
            self._suggestion = ""
            self._only_partial = False
            self._searched = ""
            self.resultsChanged.emit()
            self._set_busy(False)
            return
        self._submit(0)

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busyChanged.emit()

    def _submit(self, offset: int) -> None:
        gen, query, filters, zone = self._generation, self._query, dict(self._filters), self._svc.zone
        started = time.perf_counter()

        def job(session: Session) -> Answer:
            return _run_search(session, query, offset, filters, zone)

        def done(result: Answer) -> None:
            if gen != self._generation:
                return
            total, rows = result.total, result.rows
            self._set_busy(False)
            self._last_ms = (time.perf_counter() - started) * 1000
            if offset == 0:
                self._replace_rows(rows)
            elif offset == len(self._rows) and rows:
                self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
            self._total = total
            if offset == 0:
                self._suggestion = result.suggestion
                self._only_partial = result.only_partial
            self._searched = query
            self.resultsChanged.emit()
            self.resultsArrived.emit(query, total)

        def failed(_reason: str) -> None:
            if gen == self._generation:
                self._set_busy(False)

        self._set_busy(True)
        self._svc.worker.submit(f"search.{id(self)}", job, done, failed)

    def _replace_rows(self, rows: list[SearchRow]) -> None:
        """Show ``rows`` in place of the current ones, keeping the rows both have (their delegates stay
        alive and only change text, which is much cheaper per keystroke than a model reset)."""
        old, new = len(self._rows), len(rows)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            del self._rows[new:]
            self.endRemoveRows()
        common = min(old, new)
        if common:
            self._rows[:common] = rows[:common]
            self.dataChanged.emit(self.index(0, 0), self.index(common - 1, 0))
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._rows.extend(rows[old:])
            self.endInsertRows()

    def _load_popular(self) -> None:
        from kiosk import catalog

        def done(found: list[str]) -> None:
            if found != self._popular:
                self._popular = found
                self.popularChanged.emit()

        self._svc.worker.submit("search.popular", catalog.popular_searches, done)
