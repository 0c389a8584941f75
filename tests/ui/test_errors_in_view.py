"""A refused step brings its first error into view above the action bar and says it there.

The review step submitted without consent: the consent error is scrolled into the visible part of the
step (never under the bar), and the bar's message line names it — in landscape, in portrait and in
large text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from test_wizard_driver import kiosk_fixture, settle, wait_until

from kiosk.applications.validation import resident_id_check_digit

pytestmark = pytest.mark.slow
ID17 = "43130219850612003"


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


@pytest.mark.parametrize(("size", "large"), [((1920, 1080), False), ((1080, 1920), True), ((1920, 1080), True)])
def test_refused_submit_shows_its_first_error_above_the_bar(kiosk: Any, size: tuple[int, int], large: bool) -> None:
    d = kiosk("wizard", size=size)
    d.window.setProperty("largeText", large)
    w = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    d.tap("applyKindCitizen")
    for key, value in {
        "applicant.name": "张三",
        "applicant.id_number": ID17 + resident_id_check_digit(ID17),
        "applicant.phone": "13812345678",
        "applicant.address": "湖南省娄底市娄星区万宝镇幸福路8号",
        "request.description": "2025年万宝镇农村低保资金发放情况",
    }.items():
        w.setValue(key, value)
    for step in (2, 3, 4):
        w.next()
        wait_until(lambda s=step: w.property("step") == s, 5, f"step {step + 1}")
    d.tap("applySubmit")  # no consent, no pledge
    error = d.item("applyError-consent_personal_data")
    settle(300)
    flick = d.item("applyFlick")
    top = flick.mapToScene(QPointF(0, 0)).y()
    bar_top = d.item("applyAnnouncement").mapToScene(QPointF(0, 0)).y() - 14
    e_top = error.mapToScene(QPointF(0, 0)).y()
    e_bottom = e_top + error.height()
    assert top <= e_top and e_bottom <= top + flick.height(), "the error is inside the visible part of the step"
    assert e_bottom <= bar_top, "the error is above the action bar"
    said = d.text("applyAnnouncement")
    assert "同意处理个人信息" in said and error.property("text") in said
    assert d.item("applySubmit").isVisible()
    # once the resident fixes it, the message goes
    d.tap("applyConsent")
    d.tap("applyPledge")
    wait_until(lambda: d.find("applyAnnouncement") is None, 5, "the message to go")
