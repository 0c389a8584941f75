"""The rare-character finder's view-model (找字): radical → strokes → candidates, or parts and the reading
typed in pinyin.

A thin layer over :mod:`kiosk.charfinder`: QML chooses a radical, a stroke count beyond it and the parts
typed so far; this keeps the choice, pages the candidates (``pageSize`` is what the screen's grid holds)
and hands out plain lists QML shows in Repeaters (radicals are a fixed table of a few hundred, a page of
candidates a few dozen: lists, not models). The table is read off the UI thread on first use (about half
a second); ``ready`` says when it is there. What was chosen is wiped when the visit ends (the parts of a
name are the start of a name).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk.charfinder import CharFinder as Table
from kiosk.charfinder import Radical, default_finder
from ui.services import Services, of_engine

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

ANY_STROKES = -1


@QmlElement
@QmlSingleton
class CharFinder(QObject):
    """QML: ``prepare()``, then ``chooseRadical(number)``, ``chooseStrokes(n)``, ``setParts(text)``;
    show ``radicalGroups``, ``strokeGroups`` and ``candidates`` (one page: ``page`` of ``pageCount``)."""

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._svc = services
        self._table: Table | None = None
        self._loading = False
        self._radical = ""
        self._strokes = ANY_STROKES
        self._parts = ""
        self._page = 0
        self._page_size = 24
        self._found: list[dict[str, str]] = []
        self._example = False
        services.register_wipe(self, "charfinder", self.reset)

    @staticmethod
    def create(engine: object) -> CharFinder:
        return CharFinder(of_engine(engine))

    # -- loading -----------------------------------------------------------------------------------
    readyChanged = Signal()

    @Property(bool, notify=readyChanged)
    def ready(self) -> bool:
        return self._table is not None

    @Slot()
    def prepare(self) -> None:
        """Read the table in the background if it is not there yet."""
        if self._table is not None or self._loading:
            return
        self._loading = True
        self._svc.pool.run(default_finder, self._loaded, self._failed)

    def use_table(self, table: Table) -> None:
        """Search ``table`` (tests hand one in; ``prepare`` reads the bundled one)."""
        self._loaded(table)

    def _loaded(self, table: Table) -> None:
        self._loading = False
        self._table = table
        self.readyChanged.emit()
        if self._example:
            self.showExample()
        else:
            self._refresh()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        log.warning("the character finder's table could not be read: %s", type(exc).__name__)

    @Property("QVariantList", notify=readyChanged)
    def radicalGroups(self) -> list[dict[str, Any]]:
        """The everyday radicals first (``common``), then all of them grouped by their own strokes:
        ``[{strokes, common, radicals: [{number, label}]}]``."""
        if self._table is None:
            return []

        def tiles(radicals: list[Radical]) -> list[dict[str, str]]:
            return [{"number": r.number, "label": r.label} for r in radicals]

        groups: dict[int, list[Radical]] = {}
        for r in self._table.radicals():
            groups.setdefault(r.strokes, []).append(r)
        common = {"strokes": 0, "common": True, "radicals": tiles(self._table.common_radicals())}
        return [common] + [{"strokes": n, "common": False, "radicals": tiles(rs)} for n, rs in groups.items()]

    # -- the choice --------------------------------------------------------------------------------
    choiceChanged = Signal()

    @Property(str, notify=choiceChanged)
    def radical(self) -> str:
        return self._radical

    @Property(str, notify=choiceChanged)
    def radicalLabel(self) -> str:
        r = self._table.radical(self._radical) if self._table and self._radical else None
        return r.label if r else ""

    @Property(int, notify=choiceChanged)
    def strokes(self) -> int:
        return self._strokes

    @Property(str, notify=choiceChanged)
    def parts(self) -> str:
        """The Han characters of what was typed as parts."""
        return Table.typed_parts(self._parts)

    @Property(str, notify=choiceChanged)
    def reading(self) -> str:
        """The pinyin letters typed with the parts (hong), toneless."""
        return Table.typed_reading(self._parts)

    @Slot(str)
    def chooseRadical(self, number: str) -> None:
        """Choose a radical (again: un-choose it); the stroke count starts over."""
        self._radical = "" if number == self._radical else number
        self._strokes = ANY_STROKES
        self._refresh()

    @Slot(int)
    def chooseStrokes(self, residual: int) -> None:
        self._strokes = residual
        self._refresh()

    @Slot(str)
    def setParts(self, text: str) -> None:
        if text != self._parts:
            self._parts = text
            self._strokes = ANY_STROKES
            self._refresh()

    @Slot()
    def showExample(self) -> None:
        """钅 and 7 strokes beyond it, where 𬭎 is (the screenshot command's example)."""
        self._example = True
        if self._table is None:
            self.prepare()
        else:
            self._radical, self._strokes = "167'", 7
            self._refresh()

    @Slot()
    def reset(self) -> None:
        self._radical, self._strokes, self._parts, self._page = "", ANY_STROKES, "", 0
        self._refresh()

    @Property("QVariantList", notify=choiceChanged)
    def strokeGroups(self) -> list[dict[str, int]]:
        """For the chosen radical: ``[{strokes, count}]`` beyond it (empty when none is chosen)."""
        if self._table is None or not self._radical:
            return []
        groups = self._table.stroke_groups(self._radical, self._parts)
        return [{"strokes": g.residual, "count": g.count} for g in groups]

    # -- the candidates ----------------------------------------------------------------------------
    pageChanged = Signal()

    @Property(int, notify=pageChanged)
    def total(self) -> int:
        return len(self._found)

    @Property(int, notify=pageChanged)
    def page(self) -> int:
        return self._page

    @Property(int, notify=pageChanged)
    def pageCount(self) -> int:
        return max(1, -(-len(self._found) // self._page_size))

    @Property("QVariantList", notify=pageChanged)
    def candidates(self) -> list[dict[str, str]]:
        """This page's characters: ``[{char, reading}]``."""
        start = self._page * self._page_size
        return self._found[start : start + self._page_size]

    @Property(int, notify=pageChanged)
    def pageSize(self) -> int:
        return self._page_size

    @pageSize.setter  # type: ignore[no-redef]
    def pageSize(self, value: int) -> None:
        value = max(1, int(value))
        if value != self._page_size:
            first = self._page * self._page_size
            self._page_size = value
            self._page = first // value
            self.pageChanged.emit()

    @Slot()
    def nextPage(self) -> None:
        if self._page + 1 < self.pageCount:
            self._page += 1
            self.pageChanged.emit()

    @Slot()
    def previousPage(self) -> None:
        if self._page > 0:
            self._page -= 1
            self.pageChanged.emit()

    def _refresh(self) -> None:
        found = []
        if self._table is not None:
            residual = None if self._strokes == ANY_STROKES else self._strokes
            hits = self._table.search(self._radical, residual, self._parts)
            found = [{"char": h.char, "reading": h.reading} for h in hits]
        self._found = found
        self._page = 0
        self.choiceChanged.emit()
        self.pageChanged.emit()
