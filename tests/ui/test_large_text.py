"""Large text (适老化): the four service tiles come first on home, whole and above the fold; the
document's A＋ reaches every text of the reader, the status badge row included."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPointF
from test_wizard_driver import settle

pytestmark = pytest.mark.slow
SERVICES = ("sectorsTile", "applyTile", "statusTile", "ratingTile")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_large_text_home_shows_the_service_tiles_first(make_shell: Any, size: tuple[int, int]) -> None:
    shell = make_shell(*size, largeText=True)
    footer_top = shell.find("homeButton").mapToScene(QPointF(0, 0)).y()
    first_category = min(t.mapToScene(QPointF(0, 0)).y() for t in shell.find_all("typeTile-"))
    for name in SERVICES:
        tile = shell.find(name)
        top = tile.mapToScene(QPointF(0, 0)).y()
        assert top + tile.height() <= footer_top, f"{name} is whole above the footer without scrolling"
        assert top < first_category, f"{name} comes before the categories"
        assert tile.height() >= 72


def test_large_text_landscape_home_shows_two_whole_rows_of_categories(make_shell: Any) -> None:
    """The issue's screenshot: in large text the second row of categories sat half under the footer."""
    shell = make_shell(1920, 1080, largeText=True)
    footer_top = shell.find("homeButton").mapToScene(QPointF(0, 0)).y() - 10
    tiles = shell.find_all("typeTile-")
    rows = sorted({round(t.mapToScene(QPointF(0, 0)).y()) for t in tiles})
    assert len(rows) >= 2
    for tile in tiles:
        top = tile.mapToScene(QPointF(0, 0)).y()
        bottom = top + tile.height()
        if round(top) in rows[:2]:
            assert bottom <= footer_top, f"{tile.objectName()} of the first two rows is whole above the footer"
        else:
            assert top >= footer_top, f"{tile.objectName()}: a further row is not half shown"


@pytest.mark.parametrize(
    ("route", "props"),
    [
        ("home", {}),
        ("search", {"initialQuery": "低保"}),
        ("status", {}),
        ("wizard", {}),
        ("apply", {}),
        ("rating", {}),
        ("sectors", {}),
        ("document", {"docId": "louxing-2021-dibao-banfa"}),
    ],
)
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_small_text_in_large_text_mode_is_at_least_36_px(
    make_shell: Any, route: str, props: dict[str, Any], size: tuple[int, int]
) -> None:
    shell = make_shell(*size, largeText=True)
    if route != "home":
        shell.window.openRoute(route, props)
        shell.wait(lambda: shell.page is not None and shell.page.property("route") == route)
        settle(400)
    sizes = _texts(shell.window.contentItem())
    small = {k: v for k, v in sizes.items() if v < 36}
    assert not small, f"text under 36 px in large-text mode: {small}"


def _texts(root: Any) -> dict[str, int]:
    sizes: dict[str, int] = {}
    stack = [root]
    while stack:
        item = stack.pop()
        if not item.isVisible() or item.objectName() == "inputPanel":
            continue
        stack.extend(item.childItems())
        if item.metaObject().indexOfProperty("font") >= 0 and item.metaObject().indexOfProperty("textFormat") >= 0:
            text = str(item.property("text") or "")
            if text.strip():
                sizes[f"{item.objectName()}:{text[:20]}"] = item.property("font").pixelSize()
    return sizes


def test_a_plus_reaches_every_text_of_the_reader(shell: Any) -> None:
    shell.window.openRoute("document", {"docId": "louxing-2021-dibao-banfa"})
    shell.wait_page("documentPage")
    settle(300)
    reader = shell.in_page("reader")
    before = _texts(reader)
    assert any("已废止" in k for k in before), "the status badge row is in the reader"
    shell.tap("zoomIn")
    settle(300)
    after = _texts(reader)
    unchanged = [k for k, v in before.items() if k in after and after[k] <= v]
    assert not unchanged, f"A＋ did not enlarge: {unchanged}"
