"""The on-screen keyboard for old eyes (the kiosk's own Qt Virtual Keyboard style, ui/qml/QtQuick/
VirtualKeyboard/Styles/kiosk/style.qml, and CandidatePager.qml): a candidate bar at least 80 px tall with
characters whose ink is at least 36 px high, 上一页/下一页 that page through the candidates, bold key
labels, larger keys and candidates in large-text mode, and an Enter key that reads 搜索 on the search
field. Checked by geometry and by the pixels of a screenshot, in landscape, portrait and large text;
the screenshots are saved (KIOSK_SCREENSHOT_DIR, else the test's folder) for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QImage
from test_wizard_driver import KioskDriver, _walk, kiosk_fixture, settle, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def word_view(d: KioskDriver) -> Any:
    for item in _walk(d.panel()):
        if item.objectName() == "wordCandidateView":
            return item
    raise AssertionError("no candidate bar")


def ink_height(image: QImage, x0: int, y0: int, w: int, h: int) -> int:
    """Rows of the box that hold dark pixels (the glyph's ink), top to bottom extent."""
    rows = [y for y in range(y0, y0 + h) if any(image.pixelColor(x, y).lightness() < 100 for x in range(x0, x0 + w, 1))]
    return (rows[-1] - rows[0] + 1) if rows else 0


@pytest.mark.parametrize(
    ("size", "large"), [((1920, 1080), False), ((1080, 1920), False), ((1920, 1080), True), ((1080, 1920), True)]
)
def test_candidates_big_and_paged_keys_bold(kiosk: Any, tmp_path: Path, size: tuple[int, int], large: bool) -> None:
    shots = Path(os.environ.get("KIOSK_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    d = kiosk("search", size=size, terminal={"large_text": large})
    d.wait_keyboard()
    h = d.key("h")
    where = h.mapToScene(QPointF(0, 0)).y()
    d.type_keys("z")  # the candidate bar comes in: no key may move under the finger, not even for a frame
    for _ in range(15):
        settle(16)
        assert h.mapToScene(QPointF(0, 0)).y() == where, "the keys moved when the candidate bar came"
    d.type_keys("hang")
    view = word_view(d)
    wait_until(lambda: view.property("count") > 10, 5, "candidates for zhang")
    settle(300)
    name = f"keyboard-{size[0]}x{size[1]}{'-large' if large else ''}"
    image = d.window.grabWindow()
    image.save(str(shots / f"{name}.png"))

    assert view.height() >= (100 if large else 80)
    first = d.candidate("张")
    box = first.mapRectToScene(first.boundingRect()).toRect()
    assert first.property("font").pixelSize() >= (48 if large else 40)
    ink = ink_height(image, box.x(), max(0, box.y() - 4), box.width(), box.height() + 8)
    assert ink >= 36, f"张 drawn {ink} px high"

    pager = d.item("candidatePager")
    prev, nxt = d.item("candidatePrev"), d.item("candidateNext")
    top = pager.mapToScene(QPointF(0, 0)).y()
    assert abs(top - view.mapToScene(QPointF(0, 0)).y()) < 1, "the pager sits on the bar"
    assert prev.height() >= 72 and nxt.height() >= 72 and not prev.property("enabled")
    before = view.property("contentX")
    d.tap("candidateNext")
    settle(150)
    after = view.property("contentX")
    assert after > before + view.width() * 0.4, "下一页 moves by about a page"
    assert prev.property("enabled")
    d.item("candidateNext")  # still there
    image = d.window.grabWindow()
    image.save(str(shots / f"{name}-page2.png"))
    d.tap("candidatePrev")
    settle(150)
    assert view.property("contentX") <= before + 1

    # key labels: bold, at least 36 px (40 in large text), capitals in Pinyin
    labels = [
        i
        for i in _walk(d.panel())
        if i.isVisible()
        and i.metaObject().className().startswith("QQuickText")
        and str(i.property("text")).lower() == "q"
    ]
    assert labels, "the Q key's label"
    font = labels[0].property("font")
    assert font.bold() and font.pixelSize() >= (40 if large else 36)
    assert font.capitalization() == QFont.Capitalization.AllUppercase


def test_enter_reads_search_on_the_search_field(kiosk: Any) -> None:
    d = kiosk("search")
    d.wait_keyboard()
    texts = [
        str(i.property("text"))
        for i in _walk(d.panel())
        if i.isVisible() and i.metaObject().indexOfProperty("text") >= 0
    ]
    assert "搜索" in texts
    d.type_keys("dibao")
    enter = next(i for i in _walk(d.panel()) if i.isVisible() and i.metaObject().className().startswith("EnterKey"))
    d.tap_item(enter)
    wait_until(lambda: not d.window.property("keyboardUp"), 5, "the keyboard put away by 搜索")
    wait_until(lambda: d.find("result-0") is not None, 10, "results")
