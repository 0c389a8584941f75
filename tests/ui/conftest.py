"""Fixtures for the touch-screen tests: one seeded demo mirror per session, a running kiosk shell, and
helpers that find items by objectName and tap them like a finger would (a press and release at the
item's centre)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import Config, demo_config


@pytest.fixture(scope="session")
def demo_cfg(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The demo terminal (万宝镇) on a mirror seeded once from the demo content pack."""
    from ui.app import open_mirror

    cfg = demo_config(tmp_path_factory.mktemp("kiosk-ui") / "terminal")
    open_mirror(cfg)
    return cfg


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
            return (page is not None and page.objectName() == object_name and page.property("ready") is True
                    and not self.find("stack").property("busy"))
        self.wait(ready, timeout)
        return self.page

    def singleton(self, name: str) -> Any:
        return self.app.engine.singletonInstance("Kiosk.Backend", name)


@pytest.fixture
def make_shell(qtbot: Any, demo_cfg: Config) -> Iterator[Callable[..., Shell]]:
    from ui.app import KioskApp

    apps: list[Any] = []

    def start(width: int = 1920, height: int = 1080, cfg: Config | None = None, **initial: Any) -> Shell:
        app = KioskApp(cfg or demo_cfg, initial={"fullscreen": False, "width": width, "height": height, **initial})
        apps.append(app)
        app.load()
        shell = Shell(app, qtbot)
        shell.wait(lambda: app.window.property("homeReady"), timeout=15_000)
        return shell

    yield start
    for app in apps:
        app.shutdown()


@pytest.fixture
def shell(make_shell: Callable[..., Shell]) -> Shell:
    return make_shell()


def elapsed_ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def data_path(cfg: Config) -> Path:
    return cfg.data_dir
