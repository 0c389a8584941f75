"""Drives the real kiosk shell offscreen for the wizard, status-lookup and staff tests (no tests here).

``KioskDriver`` starts :class:`ui.app.KioskApp` on a fresh demo terminal in a throwaway data folder,
finds items by objectName in the window's item tree, taps them with real mouse events at their centre,
and types pinyin through the embedded Qt Virtual Keyboard by tapping its keys and then the candidate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

_LOOP: list[QEventLoop] = []


def _process(ms: int) -> None:
    """Process pending events. ``QEventLoop.processEvents`` rather than the static
    ``QCoreApplication.processEvents``, which drops a reference to None per call on PySide6 6.12 with
    Python 3.11)."""
    if not _LOOP:
        _LOOP.append(QEventLoop())
    _LOOP[0].processEvents(QEventLoop.ProcessEventsFlag.AllEvents, ms)


def wait_until(predicate: Callable[[], Any], timeout_s: float = 10.0, what: str = "condition") -> Any:
    """Process Qt events until ``predicate()`` is truthy; fail the test with ``what`` otherwise."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        _process(20)
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


def settle(ms: int = 150) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        _process(10)
        time.sleep(0.003)


def _walk(root: QQuickItem) -> Iterator[QQuickItem]:
    stack = [root]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(item.childItems()))


class KioskDriver:
    """One running kiosk window and the means to touch it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.window = app.window

    # -- finding -------------------------------------------------------------------------------
    def find(self, name: str, *, visible: bool = True) -> QQuickItem | None:
        for item in _walk(self.window.contentItem()):
            if item.objectName() == name and (not visible or item.isVisible()):
                return item
        return None

    def find_all_in(self, root: QQuickItem) -> list[QQuickItem]:
        return list(_walk(root))

    def item(self, name: str, timeout_s: float = 10.0) -> QQuickItem:
        return wait_until(lambda: self.find(name), timeout_s, f"item {name!r}")

    def text(self, name: str) -> str:
        return str(self.item(name).property("text"))

    # -- touching ------------------------------------------------------------------------------
    def scroll_into_view(self, item: QQuickItem) -> None:
        """What a resident's swipe does: move the enclosing Flickable until ``item`` is fully visible."""
        parent = item.parentItem()
        while parent is not None and parent.metaObject().indexOfProperty("flickableDirection") < 0:
            parent = parent.parentItem()
        if parent is None:
            return
        flick = parent
        content = flick.property("contentItem")
        top = item.mapToItem(content, QPointF(0, 0)).y()
        bottom = top + item.height()
        y, h = float(flick.property("contentY")), flick.height()
        if top < y:
            flick.setProperty("contentY", max(0.0, top - 20))
        elif bottom > y + h:
            limit = max(0.0, float(flick.property("contentHeight")) - h)
            flick.setProperty("contentY", min(limit, bottom - h + 20))
        else:
            return
        settle(30)

    def tap_item(self, item: QQuickItem) -> None:
        """A real press and release at the item's centre, after scrolling it into view if needed."""
        self.scroll_into_view(item)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        point = QPoint(round(centre.x()), round(centre.y()))
        assert 0 <= point.x() < self.window.width() and 0 <= point.y() < self.window.height(), (
            f"{item.objectName() or item} is outside the window at {point}"
        )
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
        settle(60)

    def tap(self, name: str) -> None:
        """Tap the item called ``name`` once it holds still (lists that refresh may move it)."""
        where = None
        for _ in range(20):
            item = self.item(name)
            self.scroll_into_view(item)
            item = self.item(name)  # found again: a list may have rebuilt its rows meanwhile
            here = item.mapToScene(QPointF(0, 0))
            if where is not None and here == where:
                break
            where = here
            settle(40)
        self.tap_item(item)

    # -- the virtual keyboard ------------------------------------------------------------------
    def panel(self) -> QQuickItem:
        panel = self.find("inputPanel", visible=False)
        assert panel is not None, "the shell has no InputPanel"
        return panel

    def pad(self) -> QQuickItem:
        """The kiosk's own number/code pad (KeyPad.qml), for number fields and tracking numbers."""
        pad = self.find("keyPad", visible=False)
        assert pad is not None, "the shell has no KeyPad"
        return pad

    def keyboard_up(self) -> bool:
        """The keyboard (or the kiosk's key pad) is shown and has finished sliding in."""
        panel, pad = self.panel(), self.pad()
        if self.window.property("padUp"):
            return pad.y() + pad.height() <= self.window.height() + 0.5
        return bool(self.window.property("keyboardUp")) and panel.y() + panel.height() <= self.window.height() + 0.5

    def wait_keyboard(self) -> None:
        wait_until(self.keyboard_up, 5, "the on-screen keyboard")
        settle(100)

    def keyboard_top(self) -> float:
        """Where the keyboard (or key pad) begins, in window coordinates."""
        item = self.pad() if self.window.property("padUp") else self.panel()
        return float(item.mapToScene(QPointF(0, 0)).y())

    def key(self, text: str) -> QQuickItem:
        """A key of the on-screen keyboard (or of the key pad when that is up) by the text it types."""
        board = self.pad() if self.window.property("padUp") else self.panel()

        def lookup() -> QQuickItem | None:
            for item in _walk(board):
                if not item.isVisible() or item.width() <= 0:
                    continue
                meta = item.metaObject()
                if meta.indexOfProperty("key") < 0 or meta.indexOfProperty("text") < 0:
                    continue
                if str(item.property("text")).lower() == text.lower() and item.property("enabled"):
                    return item
            return None

        return wait_until(lookup, 5, f"keyboard key {text!r}")

    def hide_keyboard(self) -> None:
        """Tap the keyboard's own hide key (the resident is done typing)."""
        if self.window.property("padUp"):
            self.tap_item(self.item("keyPadHide"))
            wait_until(lambda: not self.window.property("padUp"), 5, "the key pad to hide")
            settle(150)
            return

        def lookup() -> QQuickItem | None:
            for item in _walk(self.panel()):
                if item.isVisible() and item.metaObject().className().startswith("HideKeyboardKey"):
                    return item
            return None

        self.tap_item(wait_until(lookup, 5, "the keyboard's hide key"))
        wait_until(lambda: not self.window.property("keyboardUp"), 5, "the keyboard to hide")
        settle(150)

    def type_keys(self, letters: str) -> None:
        for ch in letters:
            self.tap_item(self.key(ch))

    def candidate(self, word: str) -> QQuickItem:
        """The candidate in the keyboard's word-candidate bar that shows ``word``."""

        def lookup() -> QQuickItem | None:
            for item in _walk(self.panel()):
                if not item.isVisible() or item.width() <= 0:
                    continue
                # the candidate bar's delegates draw their word with a Text item; tapping it taps the delegate
                if item.metaObject().indexOfProperty("text") >= 0 and item.property("text") == word:
                    return item
            return None

        return wait_until(lookup, 5, f"candidate {word!r}")

    def type_pinyin(self, letters: str, word: str) -> None:
        """Type ``letters`` on the Pinyin keyboard and tap the candidate ``word``."""
        self.type_keys(letters)
        self.tap_item(self.candidate(word))


_TEMPLATE: dict[str, Path] = {}


def seeded_data_dir(tmp_root: Path, data_dir: Path) -> Path:
    """``data_dir`` holding a copy of a demo mirror seeded once per test session (seeding takes seconds);
    a ``data_dir`` that already holds a mirror is left as it is (a restarted terminal)."""
    import shutil

    from kiosk.config import demo_config
    from ui.app import open_mirror

    if "demo" not in _TEMPLATE:
        template = tmp_root / "seeded-demo-terminal"
        open_mirror(demo_config(template))
        _TEMPLATE["demo"] = template
    if (data_dir / "mirror.db").exists():
        return data_dir
    shutil.copytree(_TEMPLATE["demo"], data_dir, dirs_exist_ok=True)
    return data_dir


def start_kiosk(
    data_dir: Path,
    route: str = "",
    props: dict[str, Any] | None = None,
    size: tuple[int, int] = (1920, 1080),
    **cfg_changes: Any,
) -> KioskDriver:
    """A kiosk on a fresh demo terminal (its own data folder) showing ``route``; ports reset to it."""
    import dataclasses

    from kiosk.config import demo_config
    from ui.app import KioskApp

    cfg = demo_config(data_dir)
    for name, change in cfg_changes.items():  # a section's changes as a dict, or a whole field
        value = dataclasses.replace(getattr(cfg, name), **change) if isinstance(change, dict) else change
        cfg = dataclasses.replace(cfg, **{name: value})
    app = KioskApp(
        cfg,
        initial={
            "fullscreen": False,
            "width": size[0],
            "height": size[1],
            "startRoute": route,
            "startProps": props or {},
        },
    )
    app.load()
    driver = KioskDriver(app)
    wait_until(lambda: driver.window.property("screenReady"), 20, "the first screen")
    return driver


def kiosk_fixture(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., KioskDriver]]:
    """The body of each test file's ``kiosk`` fixture: ``kiosk(route, **config changes)`` starts one
    (again on the same data folder when called twice: a restart); all are stopped afterwards."""
    drivers: list[KioskDriver] = []

    def start(route: str = "", **changes: Any) -> KioskDriver:
        for d in drivers:
            if d.app.window is not None:
                stop_kiosk(d)
        data = seeded_data_dir(tmp_path_factory.getbasetemp(), tmp_path / "terminal")
        driver = start_kiosk(data, route, **changes)
        drivers.append(driver)
        return driver

    yield start
    for d in drivers:
        stop_kiosk(d)


def stop_kiosk(driver: KioskDriver) -> None:
    if driver.app.window is None:
        return
    driver.app.pool.wait(10_000)
    settle(50)
    driver.app.shutdown()
    driver.app.window = None
    settle(50)
