"""Text is never cut behind a screen's pinned buttons without a word: the wizard's first step fits
above its buttons in every mode, and a page that continues below (the 依申请公开 intro in large text)
fades its last lines and says 向下滑动查看更多, which scrolls on when tapped and goes at the end
(MoreBelow.qml). Screenshots are saved (KIOSK_SCREENSHOT_DIR, else the test's folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from test_wizard_driver import settle

pytestmark = pytest.mark.slow
SIZES = [((1920, 1080), False), ((1080, 1920), False), ((1920, 1080), True), ((1080, 1920), True)]


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("KIOSK_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.mark.parametrize(("size", "large"), SIZES)
def test_the_wizards_first_step_fits_above_its_buttons(
    make_shell: Any, tmp_path: Path, size: tuple[int, int], large: bool
) -> None:
    shell = make_shell(*size, largeText=large)
    shell.window.openRoute("wizard", {})
    shell.wait_page("applyWizardPage")
    settle(300)
    flick = shell.find("applyFlick")
    assert flick.property("contentHeight") <= flick.height() + 1, "step 1 needs no scrolling: nothing hides"
    assert not shell.has("moreBelow")
    shell.window.grabWindow().save(
        str(_shots(tmp_path) / f"wizard-step1-{size[0]}x{size[1]}{'-large' if large else ''}.png")
    )


@pytest.mark.parametrize(("size", "large"), SIZES)
def test_the_intro_says_when_it_continues_below(
    make_shell: Any, tmp_path: Path, size: tuple[int, int], large: bool
) -> None:
    shell = make_shell(*size, largeText=large)
    shell.window.openRoute("apply", {})
    shell.wait_page("disclosureInfoPage")
    settle(300)
    shell.window.grabWindow().save(
        str(_shots(tmp_path) / f"apply-intro-{size[0]}x{size[1]}{'-large' if large else ''}.png")
    )
    flick = shell.find("applyInfoFlick")
    continues = flick.property("contentHeight") > flick.height() + 4
    assert shell.has("moreBelow") == continues
    if not continues:
        return
    steps = 0
    while shell.has("moreBelow") and steps < 10:
        before = flick.property("contentY")
        shell.tap("moreBelowButton")
        settle(100)
        assert flick.property("contentY") > before, "a tap scrolls on"
        steps += 1
    assert not shell.has("moreBelow"), "at the end the cue goes"
    assert flick.property("contentY") + flick.height() >= flick.property("contentHeight") - 4
