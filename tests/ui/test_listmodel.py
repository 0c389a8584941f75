"""The one list-model base (ui/listmodel.py): roles from the row's fields or from a fixed role enum (an
attribute may be a property or be named apart), what DisplayRole shows, ``count`` following inserts and
removals made by the model itself, and pytest-qt's model tester on each shape."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, Qt

from ui.listmodel import RowListModel, camel, snake


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    status: str

    @property
    def status_label(self) -> str:
        return {"in_force": "现行有效"}.get(self.status, "已废止")


class Roles(enum.IntEnum):
    DocId = Qt.ItemDataRole.UserRole + 1
    Title = enum.auto()
    Status = enum.auto()
    StatusLabel = enum.auto()


class FieldRoles(RowListModel):
    row_type = Row


class FixedRoles(RowListModel):
    roles = Roles
    role_attrs: ClassVar[dict[str, str]] = {"DocId": "id"}
    display = "title"

    def shown(self, attr: str, value: Any) -> Any:
        return value.upper() if attr == "status" else value

    def append(self, rows: list[Row]) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def drop_first(self) -> None:
        self.beginRemoveRows(QModelIndex(), 0, 0)
        del self._rows[0]
        self.endRemoveRows()


ROWS = [Row("a-1", "低保办法", "in_force"), Row("a-2", "旧办法", "repealed")]


def test_roles_from_the_fields(qtmodeltester: Any) -> None:
    model = FieldRoles()
    model.set_rows(ROWS)
    qtmodeltester.check(model, force_py=True)
    assert list(model.roleNames().values()) == [b"id", b"title", b"status"]
    assert model.data(model.index(1, 0), int(model.Role.STATUS)) == "repealed"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) == "a-1"  # the first field
    assert model.data(model.index(2, 0), int(model.Role.ID)) is None


def test_fixed_roles_name_attributes_and_properties(qtmodeltester: Any) -> None:
    model = FixedRoles()
    qtmodeltester.check(model, force_py=True)
    model.append(ROWS)
    qtmodeltester.check(model, force_py=True)
    names = model.roleNames()
    assert names[Roles.DocId] == b"docId" and names[Roles.StatusLabel] == b"statusLabel"
    first = model.index(0, 0)
    assert model.data(first, Roles.DocId) == "a-1" and model.data(first, Roles.StatusLabel) == "现行有效"
    assert model.data(first, Roles.Status) == "IN_FORCE"  # through shown()
    assert model.data(first, Qt.ItemDataRole.DisplayRole) == "低保办法"
    assert model.data(first, Qt.ItemDataRole.UserRole + 99) is None


def test_count_follows_inserts_removals_and_resets(qtbot: Any) -> None:
    model = FixedRoles()
    seen: list[int] = []
    model.countChanged.connect(lambda: seen.append(model.property("count")))
    model.append(ROWS)
    model.drop_first()
    model.set_rows([])
    model.set_rows([])  # unchanged: no reset, no signal
    assert seen == [2, 1, 0]


def test_names_between_python_and_qml() -> None:
    assert camel("job_state") == "jobState" and snake("StatusLabel") == "status_label" and snake("Title") == "title"
