"""One number pad for every number, Enter that moves on, and a tracking number typed without Pinyin.

- every number field opens the kiosk's own pad (KeyPad.qml) with 1-2-3 on its top row and 0 at the
  bottom, a `-` only where a landline is allowed (phone), an `X` only for a resident ID, neither for a
  postcode; the Pinyin keyboard stays down;
- Enter (the pad's 下一项, the keyboard's ⏎) goes to the next field of the step and, after the last
  one, to 下一步;
- the tracking number field opens the code pad: letters and digits typed directly, upper case.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from test_wizard_driver import KioskDriver, kiosk_fixture, settle, wait_until

from kiosk.applications.validation import resident_id_check_digit

pytestmark = pytest.mark.slow


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def pad_rows(d: KioskDriver) -> list[list[str]]:
    """The pad's character keys by row (top to bottom, left to right), as a finger sees them."""
    keys = [
        k for k in d.find_all_in(d.pad()) if k.objectName().startswith("keyPad-") and k.isVisible() and k.width() > 0
    ]
    rows: dict[int, list[tuple[float, str]]] = {}
    for k in keys:
        p = k.mapToScene(QPointF(0, 0))
        rows.setdefault(round(p.y()), []).append((p.x(), str(k.property("text"))))
    return [[t for _, t in sorted(r)] for _, r in sorted(rows.items())]


def focus(d: KioskDriver, name: str) -> Any:
    d.tap(name)
    d.wait_keyboard()
    return d.item(name)


def test_one_pad_phone_layout_for_every_number(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    expected = {
        "applyField-applicant.id_number": ["X", "0"],
        "applyField-applicant.phone": ["-", "0"],
        "applyField-applicant.postcode": ["0"],
    }
    for field, bottom in expected.items():
        focus(d, field)
        assert d.window.property("padUp") and not d.window.property("keyboardUp"), "the pad, not the Pinyin keyboard"
        rows = pad_rows(d)
        assert rows[:3] == [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]], rows
        assert rows[3] == bottom, f"{field}: bottom row {rows[3]}"
        for key in d.find_all_in(d.pad()):
            if key.objectName().startswith("keyPad") and key.isVisible() and key.width() > 0:
                assert key.height() >= 72 and key.width() >= 72, key.objectName()
        item = d.item(field)
        assert item.mapToScene(QPointF(0, item.height())).y() <= d.keyboard_top()


def test_enter_moves_to_the_next_field_and_then_to_the_next_step(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    w = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    w.setValue("applicant.name", "张三")
    w.setValue("applicant.address", "湖南省娄底市娄星区万宝镇幸福路8号")
    w.setValue("applicant.id_number", "43130219850612003" + resident_id_check_digit("43130219850612003"))
    focus(d, "applyField-applicant.phone")
    d.type_keys("0738-8321234")
    assert d.text("applyField-applicant.phone") == "0738-8321234"
    d.tap("keyPadEnter")  # 下一项: the next field of the step is 工作单位 (Pinyin keyboard)
    wait_until(lambda: d.item("applyField-applicant.employer").property("activeFocus"), 5, "focus on 工作单位")
    wait_until(lambda: d.window.property("keyboardUp") and not d.window.property("padUp"), 5, "the Pinyin keyboard")
    # the last field: Enter is 下一步 (this step's checks run; a good step moves on)
    d.item("applyField-applicant.email").forceActiveFocus()
    settle(200)
    d.item("applyField-applicant.email").accepted.emit()  # what the keyboard's ⏎ does
    wait_until(lambda: w.property("step") == 2, 5, "step 3 after Enter on the last field")
    assert not d.window.property("keyboardUp") and not d.window.property("padUp")


def test_tracking_number_is_typed_on_the_code_pad(kiosk: Any) -> None:
    d = kiosk("status")
    focus(d, "statusTrackingField")
    assert d.window.property("padUp") and not d.window.property("keyboardUp")
    rows = pad_rows(d)
    assert rows[0][:10] == list("1234567890") and "W" in rows[1] and "B" in rows[3]
    d.type_keys("WB01-20261127-0007")
    assert d.text("statusTrackingField") == "WB01-20261127-0007"
    d.tap("keyPadBackspace")
    assert d.text("statusTrackingField") == "WB01-20261127-000"
    d.tap("keyPadEnter")  # on to the phone: the number pad with its -
    wait_until(lambda: d.item("statusPhoneField").property("activeFocus"), 5, "focus on the phone field")
    assert pad_rows(d)[3] == ["-", "0"]
    d.hide_keyboard()
    assert not d.window.property("padUp")


def test_a_tap_puts_the_cursor_at_the_end_where_it_shows_and_clear_empties(kiosk: Any) -> None:
    """The issue's case: a finger on the middle of the number put an invisible cursor there, ⌫ then took
    digits out of the middle and repeated ⌫ left "21"; there was no way to start again."""
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    field = focus(d, "applyField-applicant.id_number")
    d.type_keys("431302195006120")
    # a second tap on the field, left of centre (where a finger lands on the digits)
    left = field.mapToScene(QPointF(field.width() * 0.2, field.height() / 2))
    QTest.mouseClick(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, left.toPoint())
    settle(100)
    assert field.property("cursorPosition") == len("431302195006120")
    cursor = d.item("padCursor-applicant.id_number")
    assert cursor.isVisible() and cursor.width() >= 3 and cursor.height() >= 30
    text_right = cursor.mapToScene(QPointF(0, 0)).x() - field.mapToScene(QPointF(0, 0)).x()
    assert text_right > field.width() * 0.25, "the cursor is drawn after the last digit, not where the finger was"
    for _ in range(3):
        d.tap("keyPadBackspace")
    assert d.text("applyField-applicant.id_number") == "431302195006", "⌫ takes digits from the end"
    d.type_keys("12")
    assert d.text("applyField-applicant.id_number") == "43130219500612"
    d.tap("keyPadClear")
    assert d.text("applyField-applicant.id_number") == ""
    assert field.property("activeFocus") and d.window.property("padUp"), "清除 keeps the field and the pad"
    w = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    assert w.property("values")["applicant.id_number"] == ""


def test_the_code_pad_has_clear_too(kiosk: Any) -> None:
    d = kiosk("status")
    focus(d, "statusTrackingField")
    d.type_keys("WB01")
    clear = d.item("keyPadClear")
    assert clear.width() >= 72 and clear.height() >= 72
    d.tap("keyPadClear")
    assert d.text("statusTrackingField") == ""
