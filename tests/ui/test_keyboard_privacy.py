"""The Pinyin keyboard forgets each resident: what one resident typed is never offered to the next.

Driven through the real Qt Virtual Keyboard and its Pinyin engine: a made-up name is built from
candidates syllable by syllable (which is how the engine learns a new phrase), the visit ends by the
idle timeout, and the next resident's candidates for the same letters do not offer it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, Qt
from test_wizard_driver import KioskDriver, _walk, settle, wait_until
from uishell import Shell

LETTERS = "xuehuaping"
NAME = "薛华萍"  # a made-up name: not a phrase of the system dictionary
SYLLABLES = ("薛", "华", "萍")


def candidate_model(driver: KioskDriver) -> Any:
    """The keyboard's word-candidate list (QVirtualKeyboardSelectionListModel)."""

    def lookup() -> Any:
        for item in _walk(driver.panel()):
            if item.metaObject().indexOfProperty("model") < 0:
                continue
            model = item.property("model")
            if model is not None and "SelectionListModel" in model.metaObject().className():
                return model
        return None

    return wait_until(lookup, 5, "the keyboard's candidate list")


def candidates(model: Any) -> list[str]:
    return [str(model.data(model.index(i, 0), Qt.ItemDataRole.DisplayRole)) for i in range(model.rowCount())]


def choose(model: Any, word: str) -> None:
    """Select ``word`` in the candidate list, as a tap on it does."""
    shown = wait_until(lambda: candidates(model) if word in candidates(model) else None, 5, f"candidate {word}")
    QMetaObject.invokeMethod(model, "selectItem", Q_ARG(int, shown.index(word)))
    settle(80)


def open_search(shell: Shell) -> tuple[KioskDriver, Any]:
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    driver = KioskDriver(shell.app)
    driver.wait_keyboard()
    return driver, candidate_model(driver)


def test_a_name_typed_by_one_resident_is_not_offered_to_the_next(shell: Shell) -> None:
    driver, model = open_search(shell)
    driver.type_keys(LETTERS)
    assert NAME not in candidates(model)[:20], "the made-up name must not be a dictionary phrase"
    for syllable in SYLLABLES:
        choose(model, syllable)
    field = shell.find("searchField")
    assert field.property("text") == NAME

    shell.singleton("Idle").expireNow()  # the resident walks away: the visit ends
    shell.wait_page("homePage")
    assert shell.find("attractScreen").isVisible()
    shell.tap("attractTap")  # the next resident touches the screen

    driver, model = open_search(shell)
    driver.type_keys(LETTERS)
    offered = wait_until(lambda: candidates(model), 5, "candidates for the next resident")
    assert NAME not in offered, f"the next resident is offered {NAME}: {offered[:10]}"


def test_the_keyboard_writes_nothing_under_the_home_folder(shell: Shell) -> None:
    driver, model = open_search(shell)
    driver.type_keys("zhangsan")
    choose(model, "张三")
    home_config = Path(os.environ["HOME"]) / ".config" / "qtvirtualkeyboard"
    assert not home_config.exists(), "the Pinyin engine wrote into the service user's home"
    private = Path(os.environ["XDG_CONFIG_HOME"])
    assert private == shell.app.keyboard.config_home and private.is_dir()
    shell.singleton("Idle").expireNow()
    settle(200)
    dictionary = private / "qtvirtualkeyboard" / "pinyin" / "usr_dict.dat"
    assert dictionary.stat().st_size == 0, "the end of the visit leaves an empty dictionary"
