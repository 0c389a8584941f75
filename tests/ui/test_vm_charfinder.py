"""The rare-character finder on the screen (CharFinderPanel.qml over ui/vm_charfinder.py), driven like a
finger: a name with 𬭎 — which the Pinyin keyboard does not offer — is entered in the wizard's name field
by radical and strokes, and by a part typed in pinyin, with the rest of the name typed in pinyin on the
real Qt Virtual Keyboard; the character lands where the cursor was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from test_wizard_driver import KioskDriver, kiosk_fixture, settle, wait_until

pytestmark = pytest.mark.slow

HONG = "\U0002cb4e"  # 𬭎 hóng (钅 + 宏), CJK Extension E


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def name_field(d: KioskDriver) -> Any:
    return d.item("applyField-applicant.name")


def stored_name(d: KioskDriver) -> str:
    values = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard").property("values")
    return str(values["applicant.name"])


def boxes(text: str, family: str) -> list[str]:
    """The characters of ``text`` the kiosk's own font stack does not draw: a box (glyph 0, .notdef), or
    a face other than the bundled ones (a font this machine happens to have, a terminal may not)."""
    from PySide6.QtGui import QFont, QTextLayout

    from kiosk.fonts import ALL_FACES

    bundled = {face.family for face in ALL_FACES}
    missing = []
    for ch in dict.fromkeys(text):
        layout = QTextLayout(ch, QFont(family))
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        runs = layout.glyphRuns()
        if any(0 in run.glyphIndexes() or run.rawFont().familyName() not in bundled for run in runs):
            missing.append(ch)
    return missing


def open_finder(d: KioskDriver) -> Any:
    d.tap("charFinderOpen-applicant.name")
    finder = d.item("charFinder")
    backend = d.app.engine.singletonInstance("Kiosk.Backend", "CharFinder")
    wait_until(lambda: backend.property("ready"), 10, "the character table")
    wait_until(lambda: not d.window.property("keyboardUp"), 5, "the name's keyboard to go down")
    settle(100)
    return finder


def test_name_with_a_rare_character_by_radical_and_strokes(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("wang", "王")
    assert name_field(d).property("text") == "王"

    open_finder(d)
    assert d.find("charCandidate-" + HONG) is None, "nothing is offered before a radical or a part"
    d.tap("charCommonRadical-167'")  # 钅, among the everyday radicals at the top
    d.tap("charStrokes-7")
    pages = 1
    while d.find("charCandidate-" + HONG) is None:
        d.tap("charPageNext")
        pages += 1
        assert pages < 10, f"{HONG} not among 钅 + 7 strokes"
    cell = d.item("charCandidate-" + HONG)
    assert cell.height() >= 72 and cell.width() >= 72
    # every candidate and radical on the screen drawn by the bundled fonts, none as a box
    family = str(d.window.property("fontFamily"))
    finder = d.item("charFinder")
    shown = "".join(
        str(i.property("text")) for i in d.find_all_in(finder) if i.isVisible() and i.property("text") is not None
    )
    assert HONG in shown and "钅" in shown
    assert not boxes(shown, family)
    glyph = next(i for i in d.find_all_in(cell) if i.property("text") == HONG)
    assert glyph.property("font").pixelSize() >= 48, "a candidate is large enough to read"
    d.tap("charCandidate-" + HONG)
    wait_until(lambda: not d.find("charFinder"), 5, "the finder to close")
    assert name_field(d).property("text") == "王" + HONG

    # the rest of the name in pinyin, after the rare character
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("ming", "明")
    assert name_field(d).property("text") == "王" + HONG + "明"
    assert stored_name(d) == "王" + HONG + "明"


def test_rare_character_by_a_part_typed_in_pinyin_lands_at_the_cursor(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("wangming", "王明")
    field = name_field(d)
    field.setProperty("cursorPosition", 1)  # the resident's finger between 王 and 明

    open_finder(d)
    d.tap("charFinderParts")
    d.wait_keyboard()
    d.type_pinyin("hong", "宏")
    wait_until(lambda: d.find("charCandidate-" + HONG), 5, f"{HONG} among the characters holding 宏")
    hint = d.item("charFinder")
    assert any(i.property("text") == "如仍找不到，请询问工作人员" for i in d.find_all_in(hint) if i.isVisible())
    d.tap("charCandidate-" + HONG)
    wait_until(lambda: not d.find("charFinder"), 5, "the finder to close")
    assert field.property("text") == "王" + HONG + "明"
    assert stored_name(d) == "王" + HONG + "明"


def test_rare_character_by_its_reading_typed_as_letters(kiosk: Any) -> None:
    """She knows how her name sounds: hong typed on the Pinyin keyboard and committed as letters with ⏎."""
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    open_finder(d)
    d.tap("charFinderParts")
    d.wait_keyboard()
    hint = d.item("charFinderReadingHint")
    assert "回车键" in hint.property("text")
    assert not boxes(hint.property("text"), str(d.window.property("fontFamily")))
    d.type_keys("hong")
    enter = next(
        i for i in d.find_all_in(d.panel()) if i.isVisible() and i.metaObject().className().startswith("EnterKey")
    )
    d.tap_item(enter)
    assert d.item("charFinderParts").property("text") == "hong"
    backend = d.app.engine.singletonInstance("Kiosk.Backend", "CharFinder")
    assert backend.property("reading") == "hong" and backend.property("total") > 100
    d.tap("charFinderHideKeyboard")  # more candidates in view
    pages = 1
    while d.find("charCandidate-" + HONG) is None:
        d.tap("charPageNext")
        pages += 1
        assert pages < 10, f"{HONG} not among the characters read hong"
    assert pages <= 2, "a name character read hong is on the first pages"
    d.tap("charCandidate-" + HONG)
    wait_until(lambda: not d.find("charFinder"), 5, "the finder to close")
    assert name_field(d).property("text") == HONG
    assert stored_name(d) == HONG


def test_leaving_the_finder_changes_nothing_and_forgets_what_was_chosen(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("li", "李")
    open_finder(d)
    d.tap("charRadical-167'")  # the full list, by strokes: 钅 is further down, the driver swipes to it
    d.tap("charFinderParts")
    d.wait_keyboard()
    d.type_pinyin("hong", "宏")
    backend = d.app.engine.singletonInstance("Kiosk.Backend", "CharFinder")
    assert backend.property("radical") == "167'" and backend.property("parts") == "宏"
    assert backend.property("total") == 1
    d.tap("charFinderClose")  # over the keyboard's own 返回/首页 bar: the form behind stays where it is
    wait_until(lambda: not d.find("charFinder"), 5, "the finder to close")
    assert name_field(d).property("text") == "李"
    assert d.window.property("currentPage").objectName() == "applyWizardPage"
    assert d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard").property("step") == 1
    assert backend.property("radical") == "" and backend.property("parts") == "" and backend.property("total") == 0
    assert d.find("charFinderParts", visible=False).property("text") == ""

    # the visit ends (idle) while the finder is open: it closes, forgetting the choice
    open_finder(d)
    d.tap("charCommonRadical-167'")
    assert backend.property("total") > 0
    d.app.services.visit.end("idle")
    settle(100)
    assert backend.property("radical") == "" and backend.property("total") == 0


def test_parts_typed_in_large_text_landscape_leave_the_candidates_in_view(kiosk: Any) -> None:
    """Landscape in large text leaves little room above the keyboard: the parts row, its hint, the
    candidates and the pager still stand whole and apart above it (they once fell over one another,
    the candidate half under the keyboard)."""
    from clipcheck import clipped_texts

    d = kiosk("wizard", size=(1920, 1080))
    d.window.setProperty("largeText", True)
    settle(200)
    d.tap("applyKindCitizen")
    open_finder(d)
    d.tap("charFinderParts")
    d.wait_keyboard()
    d.type_pinyin("hong", "宏")
    cell = wait_until(lambda: d.find("charCandidate-" + HONG), 5, f"{HONG} among the characters holding 宏")
    settle(200)

    def box(item: Any) -> tuple[float, float, float, float]:
        p = item.mapToScene(QPointF(0, 0))
        return p.x(), p.y(), p.x() + item.width(), p.y() + item.height()

    keyboard_top = min(d.keyboard_top(), d.window.height() - d.item("charFinder").property("bottomInset"))
    shown = [d.item(n) for n in ("charFinderParts", "charFinderReadingHint", "charFinderClose", "charPageNext")]
    shown += [cell]
    for i, a in enumerate(shown):
        x0, y0, x1, y1 = box(a)
        assert y1 <= keyboard_top, f"{a.objectName()} above the keyboard"
        for b in shown[i + 1 :]:
            u0, v0, u1, v1 = box(b)
            assert x1 <= u0 or u1 <= x0 or y1 <= v0 or v1 <= y0, f"{a.objectName()} clear of {b.objectName()}"
    assert cell.height() >= 72 and d.item("charPageNext").height() >= 72
    assert not clipped_texts(d.window, d.item("charFinder"))
    d.tap("charCandidate-" + HONG)
    wait_until(lambda: not d.find("charFinder"), 5, "the finder to close")
    assert name_field(d).property("text") == HONG


@pytest.mark.parametrize(
    ("size", "large"),
    [((1920, 1080), False), ((1080, 1920), False), ((1920, 1080), True), ((1080, 1920), True)],
    ids=["landscape", "portrait", "large", "large-portrait"],
)
def test_finder_shows_every_text_whole_and_fills_its_room_with_candidates(
    kiosk: Any, size: tuple[int, int], large: bool
) -> None:
    """Every label whole and every candidate above the pager, in both orientations and in large text; the
    candidates fill the room above the pager in at least three rows (portrait large text once showed one
    row over an empty band, landscape large text two)."""
    from clipcheck import clipped_texts

    d = kiosk("wizard", size=size)
    d.window.setProperty("largeText", large)
    settle(200)
    d.tap("applyKindCitizen")
    open_finder(d)
    d.tap("charRadical-167'")
    d.tap("charStrokes-7")
    settle(200)
    finder = d.item("charFinder")
    cells = [i for i in d.find_all_in(finder) if i.objectName().startswith("charCandidate-") and i.isVisible()]
    assert cells, "candidates are shown"
    pager_top = d.item("charPageNext").mapToScene(QPointF(0, 0)).y()
    for cell in cells:
        assert cell.height() >= 72 and cell.width() >= 72
        assert cell.mapToScene(QPointF(0, cell.height())).y() <= pager_top
    for name in ("charRadical-167'", "charStrokes-7", "charFinderClose", "charPageNext"):
        assert d.item(name).height() >= 72, f"{name} is a full-size touch target"
    assert not clipped_texts(d.window, finder)

    backend = d.app.engine.singletonInstance("Kiosk.Backend", "CharFinder")
    assert backend.property("total") > len(cells), "钅 + 7 strokes fills more than a page"
    assert len(cells) == backend.property("pageSize"), "the page shows as many as it holds"
    rows = sorted({round(c.mapToScene(QPointF(0, 0)).y()) for c in cells})
    assert len(rows) >= 3, f"{len(rows)} row(s) of candidates"
    lowest = max(c.mapToScene(QPointF(0, c.height())).y() for c in cells)
    assert pager_top - lowest < cells[0].height() / 2, f"an empty band of {pager_top - lowest:.0f} px above the pager"
    glyph = next(i for i in d.find_all_in(cells[0]) if i.property("text") == cells[0].objectName()[-1])
    assert glyph.property("font").pixelSize() >= 64, "a candidate's glyph stays large"
