"""No text is cut on any screen, in landscape (1920×1080), portrait (1080×1920) and large text.

Each screen is opened in one running shell per mode and every visible Text item is checked with
:mod:`clipcheck` (elided, taller than its box, or cut by a clipping ancestor that does not scroll).
The wizard is checked at each step, the review step with its refused-submit errors shown.
"""

from __future__ import annotations

from typing import Any

import pytest
from clipcheck import clipped_texts
from test_wizard_driver import settle, wait_until

from kiosk.applications.validation import resident_id_check_digit
from ui.vm_application import ApplyWizard

pytestmark = pytest.mark.slow

MODES = {
    "landscape": ((1920, 1080), False),
    "portrait": ((1080, 1920), False),
    "large": ((1920, 1080), True),
    "large-portrait": ((1080, 1920), True),
}
SCREENS = [
    ("home", {}),
    ("sectors", {}),
    ("category", {"categoryCode": "type-zhengce-wenjian", "categoryName": "政策文件"}),
    ("document", {"docId": "louxing-2026-dibao-banfa"}),
    ("search", {"initialQuery": "低保"}),
    ("apply", {}),
    ("rating", {}),
    ("status", {}),
    ("staff", {}),
]
ID17 = "43130219850612003"


def open_screen(shell: Any, route: str, props: dict[str, Any]) -> Any:
    shell.window.goHome()
    shell.wait(lambda: shell.page.objectName() == "homePage" and not shell.find("stack").property("busy"))
    if route != "home":
        shell.window.openRoute(route, props)
        shell.wait(lambda: shell.page.property("route") == route and not shell.find("stack").property("busy"))
    shell.wait(lambda: shell.page.property("ready") is not False and shell.page.property("settled") is not False)
    settle(300)
    return shell.page


def wizard_steps(shell: Any) -> list[tuple[str, list[Any]]]:
    """Each step of the wizard as a citizen fills it in, and the review step refused (no consent)."""
    out = []
    open_screen(shell, "wizard", {})
    w = shell.singleton("ApplyWizard")
    out.append(("wizard-1", clipped_texts(shell.window, shell.page)))
    w.chooseKind(ApplyWizard.Kind.Citizen)
    for key, value in {
        "applicant.name": "欧阳娜娜",
        "applicant.id_number": ID17 + resident_id_check_digit(ID17),
        "applicant.phone": "0738-8321234",
        "applicant.address": "湖南省娄底市娄星区万宝镇幸福路8号",
        "applicant.postcode": "417000",
        "request.description": "2025年万宝镇农村低保资金发放情况",
    }.items():
        w.setValue(key, value)
    for step in (2, 3, 4, 5):
        settle(250)
        out.append((f"wizard-{step}", clipped_texts(shell.window, shell.page)))
        if step < 5:
            if step == 4:
                values = w.property("values")
                if "paper" not in values["media"]:
                    w.toggleChoice("media", "paper")
                if "collect" not in values["delivery"]:
                    w.toggleChoice("delivery", "collect")
            w.next()
            wait_until(lambda s=step: w.property("step") == s, 5, f"wizard step {step + 1}")
    w.submit()  # no consent, no pledge: refused, errors shown
    wait_until(lambda: shell.has("applyError-consent_personal_data"), 5, "the consent error")
    settle(300)
    out.append(("wizard-review-refused", clipped_texts(shell.window, shell.page)))
    return out


@pytest.mark.parametrize("mode", list(MODES))
def test_no_text_is_cut_on_any_screen(make_shell: Any, mode: str) -> None:
    (width, height), large = MODES[mode]
    shell = make_shell(width, height, largeText=large)
    problems: dict[str, list[Any]] = {}
    for route, props in SCREENS:
        page = open_screen(shell, route, props)
        problems[route] = clipped_texts(shell.window, page) + [
            c for c in clipped_texts(shell.window) if "header" in c.name or "footer" in c.name
        ]
    for name, found in wizard_steps(shell):
        problems[name] = found
    shell.window.goHome()
    problems["shell"] = clipped_texts(shell.window, shell.find("stack").parentItem().parentItem())
    bad = {k: [str(c) for c in v] for k, v in problems.items() if v}
    assert not bad, f"{sum(len(v) for v in bad.values())} cut texts in {mode}: {bad}"
