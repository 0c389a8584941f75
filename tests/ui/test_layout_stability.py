"""The page stays put under a resident's finger and reflows above the on-screen keyboard.

- search with the keyboard up: the results stay visible above it (at least two rows) and scroll, and the
  keyboard brings its own 返回 / 首页 / 收起键盘 keys (beside it in landscape, above it in portrait);
- 清空 does not move the search field or the 键盘 button;
- the rating prompt takes the home screen's fixed top slot: the service tiles do not move when it comes,
  and it goes (for the rest of the visit) once dismissed or answered.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPointF
from test_wizard_driver import KioskDriver
from uishell import Shell

pytestmark = pytest.mark.slow


def scene_rect(item: Any) -> tuple[float, float, float, float]:
    p = item.mapToScene(QPointF(0, 0))
    return (round(p.x(), 1), round(p.y(), 1), round(item.width(), 1), round(item.height(), 1))


def open_search_with_results(shell: Shell) -> KioskDriver:
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    driver = KioskDriver(shell.app)
    driver.wait_keyboard()
    shell.find("searchField").setProperty("text", "低保")
    shell.wait(lambda: len(shell.find_all("result-")) >= 3)
    driver.wait_keyboard()
    return driver


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_search_results_stay_in_view_above_the_keyboard(make_shell: Any, size: tuple[int, int]) -> None:
    shell = make_shell(*size)
    open_search_with_results(shell)
    dock = shell.find("keyboardDock")
    panel = shell.find("inputPanel")
    dock_top = dock.mapToScene(QPointF(0, 0)).y()
    assert dock_top <= panel.mapToScene(QPointF(0, 0)).y()
    results = shell.find("resultList")
    top, bottom = results.mapToScene(QPointF(0, 0)).y(), results.mapToScene(QPointF(0, results.height())).y()
    assert bottom <= dock_top + 0.5, "the result list ends above the keyboard"
    rows = [r for r in shell.find_all("result-") if top <= r.mapToScene(QPointF(0, r.height())).y() <= bottom]
    assert len(rows) >= 2, f"at least two whole results are readable above the keyboard, saw {len(rows)}"
    assert results.property("contentHeight") > results.height(), "the rest scrolls"
    # the keyboard's own way out, in view: back/home/hide beside it (landscape) or above it (portrait)
    suffix = "Side" if size[0] > size[1] else ""
    for name in ("dockBack", "dockHome", "dockHideKeyboard"):
        key = shell.find(name + suffix)
        assert key.isVisible() and key.height() >= 72
        y = key.mapToScene(QPointF(0, 0)).y()
        assert dock_top <= y and y + key.height() <= size[1]
    shell.tap("dockHideKeyboard" + suffix)
    shell.wait(lambda: not shell.window.property("keyboardUp"))
    assert shell.find("footerSearchButton").isVisible()


def test_clear_does_not_move_the_field_or_the_keyboard_button(shell: Shell) -> None:
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    driver = KioskDriver(shell.app)
    driver.wait_keyboard()
    before = {n: scene_rect(shell.find(n)) for n in ("searchField", "keyboardButton", "clearSearch")}
    shell.find("searchField").setProperty("text", "低保")
    shell.wait(lambda: shell.find_all("result-"))
    assert {n: scene_rect(shell.find(n)) for n in before} == before, "typing moves nothing in the search row"
    shell.tap("clearSearch")
    shell.wait(lambda: shell.find("searchField").property("text") == "")
    driver.wait_keyboard()
    after = {n: scene_rect(shell.find(n)) for n in before}
    assert after == before, "清空 leaves the field and the buttons where the finger expects them"
    driver.hide_keyboard()  # the header regains its second line: the row moves down as one, nothing else
    hidden = {n: scene_rect(shell.find(n)) for n in before}
    dy = hidden["searchField"][1] - before["searchField"][1]
    assert hidden == {n: (x, y + dy, w, h) for n, (x, y, w, h) in before.items()}


@pytest.mark.parametrize("large", [False, True])
def test_rating_prompt_never_pushes_the_service_tiles(make_shell: Any, large: bool) -> None:
    shell = make_shell(largeText=large)
    tiles = ("sectorsTile", "applyTile", "statusTile", "ratingTile", "homeSearch")
    before = {n: scene_rect(shell.find(n)) for n in tiles}
    terminal = shell.singleton("Terminal")
    terminal.noteDocumentOpened()  # the resident read a document and came back home
    shell.wait(lambda: shell.has("ratingPrompt"))
    assert {n: scene_rect(shell.find(n)) for n in tiles} == before
    for n in tiles:  # the tiles stay above the footer, whole
        r = scene_rect(shell.find(n))
        assert r[1] + r[3] <= shell.find("homeButton").mapToScene(QPointF(0, 0)).y()
    shell.tap("ratingPromptDismiss")
    shell.wait(lambda: not shell.has("ratingPrompt"))
    assert {n: scene_rect(shell.find(n)) for n in tiles} == before
    terminal.noteDocumentOpened()  # another document in the same visit: the prompt stays away
    shell.wait(lambda: terminal.property("visitDocuments") == 2)
    assert not shell.has("ratingPrompt")
    terminal.endVisit("idle")  # the next resident is asked again
    terminal.noteDocumentOpened()
    shell.wait(lambda: shell.has("ratingPrompt"))


def test_rating_prompt_goes_once_answered(shell: Shell) -> None:
    shell.singleton("Terminal").noteDocumentOpened()
    shell.wait(lambda: shell.has("ratingPrompt"))
    shell.tap("ratingPromptButton")
    shell.wait_page("ratingPage")
    shell.tap("rate-5")
    shell.wait(lambda: shell.page.objectName() == "homePage" and shell.page.property("ready"), timeout=10_000)
    assert not shell.has("ratingPrompt")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_no_keyboard_dock_without_the_keyboard(make_shell: Any, size: tuple[int, int]) -> None:
    shell = make_shell(*size)
    assert not shell.window.property("keyboardUp")
    assert not shell.find("keyboardDock").isVisible()
    assert shell.find("homeButton").isVisible()
