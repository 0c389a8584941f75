"""The one base of the screens' list models: a :class:`QAbstractListModel` over rows that are dataclasses.

A model names its ``row_type`` (a dataclass) and, optionally:

- ``roles``: an ``IntEnum`` of its roles with fixed values (Python and tests read rows by them); member
  ``StatusLabel`` is the row's attribute ``status_label`` (a field or a property) and QML's role
  ``statusLabel``; ``role_attrs`` names the attribute where it differs (``{"DocId": "id"}``). Without
  ``roles``, each dataclass field is a role (``job_state`` → ``jobState``), numbered from ``UserRole + 1``
  in field order, available as ``model.Role``;
- ``display``: the attribute ``Qt.DisplayRole`` shows (default: the first field), as text;
- :meth:`shown`: what QML sees of an attribute (a state code turned into the view-model's enum).

Rows live in ``self._rows``. :meth:`set_rows` replaces them with a reset; a model that pages or updates
in place calls ``beginInsertRows``/``dataChanged`` itself. ``count`` follows every insert, removal and
reset, whoever made it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, ClassVar

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

Index = QModelIndex | QPersistentModelIndex


def camel(name: str) -> str:
    """``job_state`` → ``jobState`` (the API QML sees is camelCase)."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def snake(name: str) -> str:
    """``StatusLabel`` → ``status_label``."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class RowListModel(QAbstractListModel):
    """A list model over dataclass rows; each role shows one attribute of the row (see the module docstring)."""

    row_type: ClassVar[type | None] = None  # the dataclass of the rows (needed without roles or display)
    roles: ClassVar[type[enum.IntEnum] | None] = None
    role_attrs: ClassVar[Mapping[str, str]] = {}
    display: ClassVar[str | None] = None

    countChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        names = [f.name for f in fields(self.row_type)] if self.row_type is not None else []
        if self.roles is None:
            first = Qt.ItemDataRole.UserRole + 1
            self.Role = enum.IntEnum("Role", {n.upper(): first + i for i, n in enumerate(names)})  # type: ignore[misc]  # roles made from the row's fields
            self._attrs = {int(r): n for r, n in zip(self.Role, names, strict=True)}
            self._role_names = {int(r): camel(n) for r, n in zip(self.Role, names, strict=True)}
        else:
            self.Role = self.roles
            self._attrs = {int(r): self.role_attrs.get(r.name, snake(r.name)) for r in self.roles}
            self._role_names = {int(r): r.name[0].lower() + r.name[1:] for r in self.roles}
        self._display = self.display or names[0]
        for changed in (self.rowsInserted, self.rowsRemoved):
            changed.connect(self._rows_counted)
        self.modelReset.connect(self._rows_counted)

    @Slot()
    def _rows_counted(self, *_args: Any) -> None:
        self.countChanged.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {r: QByteArray(n.encode()) for r, n in self._role_names.items()}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(getattr(row, self._display))
        attr = self._attrs.get(role)
        return None if attr is None else self.shown(attr, getattr(row, attr))

    def shown(self, _attr: str, value: Any) -> Any:
        """What QML sees of a row's attribute (a model turns a state code into its view-model enum)."""
        return value

    @Property(int, notify=countChanged)
    def count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace the rows (a reset: lists here are short); unchanged rows leave the view alone."""
        if list(rows) == self._rows:
            return
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)
