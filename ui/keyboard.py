"""The on-screen keyboard forgets each resident (privacy of the Pinyin engine's user dictionary).

Qt Virtual Keyboard's Pinyin engine learns: every phrase a resident builds from candidates (a name, an
address) goes into a user dictionary and comes back as the first candidate for whoever types the same
letters next — and it is written to ``$XDG_CONFIG_HOME/qtvirtualkeyboard/pinyin/usr_dict.dat``, where it
would survive the idle wipe and a restart. Two measures, both applied by the composition root:

- **Learning off.** Every text field that takes focus gets ``Qt.ImhSensitiveData`` added to its input
  method hints; the Pinyin engine then closes its user dictionary and learns nothing (candidates still
  come from the system dictionary). Done here for every field, so a new screen cannot forget it.
- **A private, throwaway folder.** Before Qt starts, ``XDG_CONFIG_HOME`` points at a folder made for
  this process (removed at shutdown), with the dictionary's folder already in place (Qt otherwise warns
  ``creating directory for user dictionary`` on a new machine). :meth:`KeyboardPrivacy.wipe` empties it
  again at every end of visit, so not even a stray file outlives a resident.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

PINYIN_SUBDIR = Path("qtvirtualkeyboard") / "pinyin"


def private_config_home() -> Path:
    """Point ``XDG_CONFIG_HOME`` at a new folder only this process uses (call before Qt starts) and
    make the Pinyin dictionary's folder in it; returns the folder. Once per process: later calls
    return the same folder."""
    current = os.environ.get("KIOSK_PRIVATE_CONFIG_HOME", "")
    if current and Path(current).is_dir():
        return Path(current)
    home = Path(tempfile.mkdtemp(prefix="kiosk-keyboard-"))
    os.environ["XDG_CONFIG_HOME"] = str(home)
    os.environ["KIOSK_PRIVATE_CONFIG_HOME"] = str(home)
    _fresh_pinyin_folder(home)
    return home


def _fresh_pinyin_folder(home: Path) -> None:
    folder = home / PINYIN_SUBDIR
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # an empty file: the engine finds its dictionary in place (no first-run warning) and starts it afresh
    (folder / "usr_dict.dat").touch()


class KeyboardPrivacy(QObject):
    """Adds ``ImhSensitiveData`` to every focused text field's hints; :meth:`wipe` at the end of a visit."""

    def __init__(self, config_home: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config_home = config_home
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.focusObjectChanged.connect(self._focused)

    @Slot(QObject)
    def _focused(self, obj: QObject | None) -> None:
        if obj is None or obj.metaObject().indexOfProperty("inputMethodHints") < 0:
            return
        hints = obj.property("inputMethodHints")
        if hints is None:
            return
        sensitive = Qt.InputMethodHint.ImhSensitiveData
        if not hints & sensitive:
            obj.setProperty("inputMethodHints", hints | sensitive)

    def wipe(self) -> None:
        """Empty the keyboard's private folder (end of visit)."""
        _fresh_pinyin_folder(self.config_home)

    def remove(self) -> None:
        """Delete the private folder (shutdown)."""
        shutil.rmtree(self.config_home, ignore_errors=True)
