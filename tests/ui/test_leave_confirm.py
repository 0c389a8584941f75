"""Nothing typed is lost: leaving a page that holds typed, unsent data (the wizard, the status lookup)
by 返回, 首页, a footer button or the keyboard dock's 返回 asks first (LeaveConfirm.qml); 继续填写 keeps
everything as it was, 放弃并离开 leaves. A page with nothing typed leaves at once, and the idle timeout
never asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_wizard_driver import KioskDriver, kiosk_fixture, settle, wait_until

pytestmark = pytest.mark.slow

ID = "431302195006120036"


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def page_name(d: KioskDriver) -> str:
    return str(d.window.property("currentPage").objectName())


def asked(d: KioskDriver) -> bool:
    return d.find("leaveConfirm") is not None


def test_each_way_out_of_the_wizard_asks_and_stay_keeps_the_data(kiosk: Any) -> None:
    d = kiosk("wizard")
    w = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    d.tap("applyKindCitizen")
    assert not d.window.property("currentPage").property("hasInput"), "choosing the kind alone is not typing"
    d.tap("applyField-applicant.id_number")
    d.wait_keyboard()
    d.type_keys(ID[:10])
    d.hide_keyboard()
    for way_out in ("backButton", "homeButton", "footerSearchButton", "footerRatingButton"):
        d.tap(way_out)
        wait_until(lambda: asked(d), 5, f"the question after {way_out}")
        for name in ("leaveStay", "leaveDiscard"):
            button = d.item(name)
            assert button.height() >= 96 and button.width() >= 200, name
        d.tap("leaveStay")
        wait_until(lambda: not asked(d), 5, "the question gone")
        assert page_name(d) == "applyWizardPage", way_out
        assert w.property("values")["applicant.id_number"] == ID[:10], f"{way_out}: the ID number kept"

    # the keyboard dock's 返回 while typing (portrait has it on a bar; landscape on the side)
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    dock_back = d.find("dockBackSide") or d.item("dockBack")
    d.tap_item(dock_back)
    wait_until(lambda: asked(d), 5, "the question from the keyboard's 返回")
    assert not d.window.property("keyboardUp") and not d.window.property("padUp"), "the keyboard steps aside"
    d.tap("leaveDiscard")
    wait_until(lambda: page_name(d) != "applyWizardPage", 5, "left the wizard")
    settle(100)
    assert w.property("values")["applicant.id_number"] == "", "leaving wipes what was typed"


def test_a_tap_beside_the_question_stays(kiosk: Any) -> None:
    d = kiosk("status")
    d.tap("statusTrackingField")
    d.wait_keyboard()
    d.type_keys("WB01")
    d.hide_keyboard()
    d.tap("homeButton")
    wait_until(lambda: asked(d), 5, "the question")
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(10, 10))
    settle(100)
    assert not asked(d) and page_name(d) == "statusLookupPage"
    assert d.text("statusTrackingField") == "WB01"


def test_nothing_typed_leaves_at_once_and_the_idle_timeout_never_asks(kiosk: Any) -> None:
    d = kiosk("status")
    d.tap("homeButton")
    wait_until(lambda: d.window.property("homeReady"), 5, "home without a question")
    assert not asked(d)

    d.tap("statusTile")
    d.tap("statusTrackingField")
    d.wait_keyboard()
    d.type_keys("WB01")
    idle = d.app.engine.singletonInstance("Kiosk.Backend", "Idle")
    idle.timedOut.emit()
    wait_until(lambda: d.window.property("homeReady"), 5, "home after the idle timeout")
    assert not asked(d)
