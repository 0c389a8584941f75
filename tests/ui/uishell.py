"""The running kiosk shell as tests see it: find items by objectName, wait, and tap like a finger (a
press and release at the item's centre). Its own module so tests import it by a name no other folder's
conftest shadows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Shell:
    """A running kiosk shell: the window, and ways to find, wait for and tap its items."""

    def __init__(self, app: Any, qtbot: Any) -> None:
        self.app = app
        self.window = app.window
        self.qtbot = qtbot

    def items(self, root: Any = None) -> Iterator[Any]:
        root = root or self.window.contentItem()
        stack = [root]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.childItems())

    def find(self, name: str, root: Any = None) -> Any:
        found = [i for i in self.items(root) if i.objectName() == name]
        if not found:
            raise LookupError(f"no item named {name!r} on screen")
        visible = [i for i in found if i.isVisible()]
        return (visible or found)[0]

    def find_all(self, prefix: str, root: Any = None) -> list[Any]:
        return [i for i in self.items(root) if i.objectName().startswith(prefix) and i.isVisible()]

    def in_page(self, name: str) -> Any:
        """An item of the screen on top of the stack (screens below it stay in the item tree)."""
        return self.find(name, self.page)

    def has(self, name: str) -> bool:
        return any(i.objectName() == name and i.isVisible() for i in self.items())

    def wait(self, predicate: Callable[[], Any], timeout: int = 20_000) -> None:
        self.qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout)

    def tap(self, item_or_name: Any) -> None:
        from PySide6.QtCore import QPointF, Qt
        from PySide6.QtTest import QTest

        item = self.find(item_or_name) if isinstance(item_or_name, str) else item_or_name
        assert item.isVisible(), f"{item.objectName()} is not visible"
        assert item.isEnabled(), f"{item.objectName()} is not enabled"
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
        assert 0 <= centre.x() < self.window.width() and 0 <= centre.y() < self.window.height(), "off screen"
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)

    @property
    def page(self) -> Any:
        return self.window.property("currentPage")

    def wait_page(self, object_name: str, timeout: int = 20_000) -> Any:
        def ready() -> bool:
            page = self.page
            return (
                page is not None
                and page.objectName() == object_name
                and page.property("ready") is True
                and not self.find("stack").property("busy")
            )

        self.wait(ready, timeout)
        return self.page

    def singleton(self, name: str) -> Any:
        return self.app.engine.singletonInstance("Kiosk.Backend", name)
