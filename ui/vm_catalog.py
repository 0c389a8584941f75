"""Browsing view-models: ``CategoryModel`` (one facet's categories with counts, for home tiles) and
``DocumentListModel`` (a category's documents, filtered and sorted, loaded a page at a time).

Both load on the DB worker. ``DocumentListModel`` implements ``canFetchMore``/``fetchMore`` so a
ListView asks for the next page as the resident scrolls; a change of filter starts a fresh, numbered
load and any page still in flight for the old filter is dropped when it arrives.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    Property,
    QEnum,
    QModelIndex,
    QObject,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtQml import QmlElement, QmlUncreatable

from ui.listmodel import Index, RowListModel
from ui.qttypes import QStringList, QVariantList
from ui.services import Services, services_of

if TYPE_CHECKING:  # imported lazily at run time: start-up does not wait for SQLAlchemy
    from sqlalchemy.orm import Session

    from kiosk import catalog

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

PAGE = 60


@QmlElement
@QmlUncreatable("DocumentStatus only names the statuses of a document")
class DocumentStatus(QObject):  # type: ignore[operator]  # PySide6's stub: QmlUncreatable(reason) "not callable"
    """A document's status (``kiosk.mirror.models.DocStatus``) as QML compares it: the ``status`` role of the
    document lists and search results, ``DocumentView.status``, and the status filters (``Any``: 全部)."""

    @QEnum
    class Status(IntEnum):
        Any = 0
        InForce = 1  # 现行有效
        Amended = 2  # 已修订
        Repealed = 3  # 已废止


def status_value(code: str) -> int:
    """The enum value QML sees for a status code ("" or an unknown code: ``Any``)."""
    return _STATUS_VALUES.get(code, DocumentStatus.Status.Any)


def status_code(value: int) -> str:
    """The status code (``DocStatus`` value) of an enum value; "" for ``Any`` or anything else."""
    return next((code for code, v in _STATUS_VALUES.items() if v == value), "")


_STATUS_VALUES = {
    "in_force": DocumentStatus.Status.InForce,
    "amended": DocumentStatus.Status.Amended,
    "repealed": DocumentStatus.Status.Repealed,
}


class CategoryRole(enum.IntEnum):
    Code = Qt.ItemDataRole.UserRole + 1
    Name = enum.auto()
    Count = enum.auto()
    Icon = enum.auto()
    Description = enum.auto()


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    count: int
    icon: str
    description: str


@QmlElement
class CategoryModel(RowListModel):
    """The categories of one facet (``type``, ``dimension``, ``sector``, ``platform``) with counts."""

    row_type = CategoryRow
    roles = CategoryRole
    display = "name"

    def __init__(self, parent: QObject | None = None, services: Services | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._facet = ""
        self._rows: list[CategoryRow] = []
        self._loading = False
        self._counted_flag = False

    @property
    def _svc(self) -> Services:
        """The services this model was given, or those of the QML engine that made it."""
        if self._services is None:
            self._services = services_of(self)
        return self._services

    facetChanged = Signal()

    @Property(str, notify=facetChanged)
    def facet(self) -> str:
        return self._facet

    @facet.setter  # type: ignore[no-redef]
    def facet(self, value: str) -> None:
        if value == self._facet:
            return
        self._facet = value
        self.facetChanged.emit()
        self.reload()

    loadingChanged = Signal()

    @Property(bool, notify=loadingChanged)
    def loading(self) -> bool:
        return self._loading

    countedChanged = Signal()

    @Property(bool, notify=countedChanged)
    def counted(self) -> bool:
        """The document counts of the current categories have arrived."""
        return self._counted_flag

    def _set_counted(self, value: bool) -> None:
        if value != self._counted_flag:
            self._counted_flag = value
            self.countedChanged.emit()

    @Slot()
    def reload(self) -> None:
        """Load the facet's categories at once, then their document counts (a slower query) after."""
        from kiosk import catalog

        if not self._facet:
            return
        svc = self._svc
        facet, zone = self._facet, svc.zone

        def names(session: Session) -> list[catalog.CategoryCount]:
            return catalog.categories(session, facet, zone, with_counts=False)

        def counts(session: Session) -> list[catalog.CategoryCount]:
            return catalog.categories(session, facet, zone)

        self._set_loading(True)
        channel = f"categories.{id(self)}"
        svc.worker.submit(channel, names, self._loaded, lambda _r: self._set_loading(False))
        svc.worker.submit(channel + ".counts", counts, self._counted, background=True)

    def _set_loading(self, value: bool) -> None:
        if value != self._loading:
            self._loading = value
            self.loadingChanged.emit()

    def _loaded(self, cats: list[catalog.CategoryCount]) -> None:
        rows = [CategoryRow(c.code, c.name, c.count, c.icon, c.description) for c in cats]
        if [r.code for r in rows] == [r.code for r in self._rows]:
            # same categories (a reload): keep the counts already shown until the new ones arrive
            rows = [dataclasses.replace(r, count=old.count) for r, old in zip(rows, self._rows, strict=True)]
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, 0))
        else:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
        self._set_loading(False)

    def _counted(self, cats: list[catalog.CategoryCount]) -> None:
        counts = {c.code: c.count for c in cats}
        changed = [i for i, r in enumerate(self._rows) if counts.get(r.code, r.count) != r.count]
        for i in changed:
            self._rows[i] = dataclasses.replace(self._rows[i], count=counts[self._rows[i].code])
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), 0), [CategoryRole.Count])
        self._set_counted(True)

    @Slot(int, result=str)
    def codeAt(self, row: int) -> str:
        return self._rows[row].code if 0 <= row < len(self._rows) else ""

    @Slot(int, result=str)
    def nameAt(self, row: int) -> str:
        return self._rows[row].name if 0 <= row < len(self._rows) else ""


class DocumentRole(enum.IntEnum):
    DocId = Qt.ItemDataRole.UserRole + 1
    Title = enum.auto()
    DocNumber = enum.auto()
    Issuer = enum.auto()
    Published = enum.auto()
    Status = enum.auto()
    StatusLabel = enum.auto()
    ZoneId = enum.auto()


@QmlElement
class DocumentListModel(RowListModel):
    """A category's documents under the chosen filters, newest first, fetched a page at a time."""

    roles = DocumentRole  # over kiosk.catalog.DocRow (imported when the first page loads)
    role_attrs: ClassVar[Mapping[str, str]] = {"DocId": "id"}
    display = "title"

    def __init__(self, parent: QObject | None = None, services: Services | None = None) -> None:
        from kiosk import catalog

        super().__init__(parent)
        self._services = services
        self._filters = catalog.Filters()
        self._rows: list[catalog.DocRow] = []
        self._total = -1  # unknown until the first page arrives
        self._generation = 0
        self._fetching = False
        self._years: list[int] = []
        self._issuers: list[str] = []
        self._zones: list[dict[str, str]] = []
        self._active = False

    # --- model ------------------------------------------------------------------------------------
    @property
    def _svc(self) -> Services:
        """The services this model was given, or those of the QML engine that made it."""
        if self._services is None:
            self._services = services_of(self)
        return self._services

    def shown(self, attr: str, value: Any) -> Any:
        return status_value(value) if attr == "status" else value

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() or (not self._filters.category and not self._active):
            return False
        return not self._fetching and (self._total < 0 or len(self._rows) < self._total)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self.canFetchMore(parent):
            return
        self._load_page(len(self._rows))

    # --- filters (QML properties) -----------------------------------------------------------------
    filtersChanged = Signal()

    def _set_filters(self, **changes: Any) -> None:
        from kiosk import catalog

        new = catalog.Filters(**{**self._filters.__dict__, **changes})
        if new == self._filters:
            return
        self._filters = new
        self.filtersChanged.emit()
        self.reload()

    @Property(str, notify=filtersChanged)
    def category(self) -> str:
        return self._filters.category

    @category.setter  # type: ignore[no-redef]
    def category(self, value: str) -> None:
        self._set_filters(category=value)

    @Property(str, notify=filtersChanged)
    def zone(self) -> str:
        return self._filters.zone

    @zone.setter  # type: ignore[no-redef]
    def zone(self, value: str) -> None:
        self._set_filters(zone=value)

    @Property(int, notify=filtersChanged)
    def status(self) -> int:
        """The status filter (``DocumentStatus.Status``; ``Any`` shows every status)."""
        return status_value(self._filters.status)

    @status.setter  # type: ignore[no-redef]
    def status(self, value: int) -> None:
        self._set_filters(status=status_code(value))

    @Property(int, notify=filtersChanged)
    def year(self) -> int:
        return self._filters.year

    @year.setter  # type: ignore[no-redef]
    def year(self, value: int) -> None:
        self._set_filters(year=max(0, int(value)))

    @Property(str, notify=filtersChanged)
    def issuer(self) -> str:
        return self._filters.issuer

    @issuer.setter  # type: ignore[no-redef]
    def issuer(self, value: str) -> None:
        self._set_filters(issuer=value)

    @Property(bool, notify=filtersChanged)
    def newestFirst(self) -> bool:
        return self._filters.newest_first

    @newestFirst.setter  # type: ignore[no-redef]
    def newestFirst(self, value: bool) -> None:
        self._set_filters(newest_first=bool(value))

    activeChanged = Signal()

    @Property(bool, notify=activeChanged)
    def active(self) -> bool:
        """Load even without a category (the whole visible mirror); set by the 'all documents' list."""
        return self._active

    @active.setter  # type: ignore[no-redef]
    def active(self, value: bool) -> None:
        if value != self._active:
            self._active = value
            self.activeChanged.emit()
            self.reload()

    totalChanged = Signal()

    @Property(int, notify=totalChanged)
    def total(self) -> int:
        """How many documents match (-1 while the first page is loading)."""
        return self._total

    fetchingChanged = Signal()

    @Property(bool, notify=fetchingChanged)
    def fetching(self) -> bool:
        return self._fetching

    choicesChanged = Signal()

    @Property(QVariantList, notify=choicesChanged)
    def years(self) -> list[int]:
        return self._years

    @Property(QStringList, notify=choicesChanged)
    def issuers(self) -> list[str]:
        return self._issuers

    @Property(QVariantList, notify=choicesChanged)
    def zones(self) -> list[dict[str, str]]:
        return self._zones

    pageLoaded = Signal(int, int, arguments=["offset", "count"])

    # --- loading ----------------------------------------------------------------------------------
    @Slot()
    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self.endResetModel()
        self._total = -1
        self.totalChanged.emit()
        self._set_fetching(False)
        if self._filters.category or self._active:
            self._load_page(0)
            self._load_choices()

    def _set_fetching(self, value: bool) -> None:
        if value != self._fetching:
            self._fetching = value
            self.fetchingChanged.emit()

    def _load_page(self, offset: int) -> None:
        from kiosk import catalog

        gen, f, zone = self._generation, self._filters, self._svc.zone

        def job(session: Session) -> catalog.DocPage:
            return catalog.documents(session, f, zone, offset=offset, limit=PAGE)

        def done(page: catalog.DocPage) -> None:
            if gen != self._generation:
                return
            self._set_fetching(False)
            if page.offset != len(self._rows):
                return
            if page.rows:
                self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page.rows) - 1)
                self._rows.extend(page.rows)
                self.endInsertRows()
            if page.total != self._total:
                self._total = page.total
                self.totalChanged.emit()
            self.pageLoaded.emit(page.offset, len(page.rows))

        self._set_fetching(True)
        self._svc.worker.submit(f"doclist.{id(self)}.{offset}", job, done, lambda _r: self._set_fetching(False))

    def _load_choices(self) -> None:
        from kiosk import catalog

        gen, f, zone = self._generation, self._filters, self._svc.zone

        def job(session: Session) -> tuple[list[int], list[str], list[catalog.ZoneInfo]]:
            return catalog.years(session, f, zone), catalog.issuers(session, f, zone), catalog.zones(session)

        def done(result: tuple[list[int], list[str], list[catalog.ZoneInfo]]) -> None:
            if gen != self._generation:
                return
            self._years, self._issuers = result[0], result[1]
            self._zones = [{"code": z.code, "name": z.name} for z in result[2]]
            self.choicesChanged.emit()

        self._svc.worker.submit(f"doclist.{id(self)}.choices", job, done)

    @Slot(int, result=str)
    def docIdAt(self, row: int) -> str:
        return self._rows[row].id if 0 <= row < len(self._rows) else ""
