"""An elderly resident's visit, end to end, in large-text mode, by real taps on the real shell:

home (large text) → search typed on the Pinyin keyboard in full pinyin (dibao, committed as letters
with ⏎) → a document, enlarged with A＋ → 依申请公开: the wizard, the name in pinyin (zhangsan → 张三),
numbers on the key pad, submitted, the receipt printed → 申请进度查询 with the tracking number typed on
the code pad → home, where the rating prompt waits in its slot → rated → home again.

A screenshot is taken at each step (into KIOSK_SCREENSHOT_DIR when set, e.g. docs/screenshots/,
otherwise the test's own folder) so a person can look at them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_wizard_driver import KioskDriver, kiosk_fixture, settle, wait_until

from kiosk.applications.validation import resident_id_check_digit
from ui.vm_application import ApplyWizard
from ui.vm_status_lookup import StatusLookup

pytestmark = pytest.mark.slow
ID17 = "43130219500612003"  # born 1950


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def test_an_elderly_residents_visit_in_large_text(kiosk: Any, tmp_path: Path) -> None:
    shots = Path(os.environ.get("KIOSK_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    d: KioskDriver = kiosk("", terminal={"large_text": True})

    def shot(name: str) -> None:
        settle(250)
        assert d.window.grabWindow().save(str(shots / f"elderly-{name}.png"))

    wait_until(lambda: d.window.property("homeReady"), 20, "home")
    assert d.window.property("largeText")
    shot("1-home-large-text")

    # search in full pinyin, committed as letters
    d.tap("homeSearch")
    d.wait_keyboard()
    d.type_keys("dibao")
    shot("2-search-typing-pinyin")
    d.tap_item(_enter_key(d))
    wait_until(lambda: d.find("result-0") is not None, 10, "results for dibao")
    assert d.text("searchField") == "dibao"
    assert "低保" in str(d.find("result-0").property("docTitle")) + str(d.find("result-0").property("snippet"))
    shot("3-search-results")
    if d.window.property("keyboardUp"):
        d.hide_keyboard()
    d.tap("result-0")
    wait_until(lambda: d.window.property("currentPage").objectName() == "documentPage", 10, "the document")
    wait_until(lambda: d.window.property("screenReady"), 10, "the document loaded")
    d.tap("zoomIn")
    shot("4-document-enlarged")

    # apply
    d.tap("footerApplyButton")
    d.tap("startWizardButton")
    d.tap("applyKindCitizen")
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("zhangsan", "张三")
    d.tap("applyField-applicant.id_number")
    d.wait_keyboard()
    d.type_keys(ID17 + resident_id_check_digit(ID17))
    d.tap("keyPadEnter")  # 下一项: the phone
    wait_until(lambda: d.item("applyField-applicant.phone").property("activeFocus"), 5, "the phone field")
    d.type_keys("13812345678")
    shot("5-wizard-number-pad")
    d.hide_keyboard()
    w = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    w.setValue("applicant.address", "湖南省娄底市娄星区万宝镇幸福路8号")  # a long address: typed like the name
    d.tap("applyNext")
    wait_until(lambda: w.property("step") == 2, 5, "step 3")
    w.setValue("request.description", "2025年万宝镇农村低保资金发放情况")
    d.tap("applyNext")
    wait_until(lambda: w.property("step") == 3, 5, "step 4")
    d.tap("applyNext")
    wait_until(lambda: w.property("step") == 4, 5, "step 5")
    d.tap("applySubmit")  # consent forgotten: the error is shown above the bar
    wait_until(lambda: d.find("applyAnnouncement") is not None, 5, "the error said")
    shot("6-review-error")
    d.tap("applyConsent")
    d.tap("applyPledge")
    d.tap("applySubmit")
    wait_until(lambda: w.property("phase") == ApplyWizard.Phase.Done, 15, "submitted")
    wait_until(
        lambda: w.property("receiptState") in (ApplyWizard.Receipt.Printed, ApplyWizard.Receipt.Failed),
        15,
        "the receipt",
    )
    tracking = str(w.property("trackingNumber"))
    assert tracking and w.property("receiptState") == ApplyWizard.Receipt.Printed
    shot("7-submitted")
    d.tap("applyDone")

    # look the application up, typing the tracking number on the code pad
    wait_until(lambda: d.window.property("homeReady"), 10, "home")
    d.tap("statusTile")
    d.tap("statusTrackingField")
    d.wait_keyboard()
    d.type_keys(tracking)
    d.tap("keyPadEnter")
    d.type_keys("13812345678")
    d.tap("keyPadEnter")  # 下一项 on the last field: the lookup runs
    lookup = d.app.engine.singletonInstance("Kiosk.Backend", "StatusLookup")
    wait_until(lambda: lookup.property("state") == StatusLookup.State.Done, 15, "the lookup")
    assert "该申请在本终端提交" in d.text("statusLocalText")
    shot("8-status")

    # home: the rating prompt waits in its slot; rated, it goes
    d.tap("homeButton")
    wait_until(lambda: d.find("ratingPrompt") is not None, 10, "the rating prompt")
    shot("9-home-rating-prompt")
    d.tap("ratingPromptButton")
    d.tap("rate-5")
    wait_until(lambda: d.window.property("homeReady") and d.find("ratingPrompt") is None, 10, "home after rating")
    shot("10-home-after-rating")


def _enter_key(d: KioskDriver) -> Any:
    """The on-screen keyboard's ⏎ (commits the typed letters as they are)."""
    from test_wizard_driver import _walk

    def lookup() -> Any:
        for item in _walk(d.panel()):
            if item.isVisible() and item.metaObject().className().startswith("EnterKey"):
                return item
        return None

    return wait_until(lookup, 5, "the keyboard's enter key")
