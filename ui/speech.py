"""``ReadAloud`` (QML singleton): reads a document aloud where the platform has a speech engine.

Qt's text-to-speech plugins are tried in order, skipping the test-only ``mock`` engine and any whose
library is not installed (Linux: speech-dispatcher's ``libspeechd``), so a terminal without speech
shows the read-aloud button disabled with a note instead of logging plugin errors.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import Property, QLocale, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1

_ENGINE_LIBS = {"speechd": ("libspeechd.so.2", "libspeechd.so")}


def _engine_loadable(name: str) -> bool:
    libs = _ENGINE_LIBS.get(name)
    if not libs or not sys.platform.startswith("linux"):
        return True
    for lib in libs:
        try:
            ctypes.CDLL(lib)
            return True
        except OSError:
            continue
    return False


@QmlElement
@QmlSingleton
class ReadAloud(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tts = None
        self._speaking = False
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            for name in QTextToSpeech.availableEngines():
                if name == "mock" or not _engine_loadable(name):
                    continue
                tts = QTextToSpeech(name, self)
                if tts.state() != QTextToSpeech.State.Error:
                    tts.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
                    tts.stateChanged.connect(self._on_state)
                    self._tts = tts
                    break
        except ImportError:  # a build without the QtTextToSpeech module
            self._tts = None
        log.info("read-aloud %s", "available" if self._tts else "not available (no speech engine)")

    @Property(bool, constant=True)
    def available(self) -> bool:
        return self._tts is not None

    speakingChanged = Signal()

    @Property(bool, notify=speakingChanged)
    def speaking(self) -> bool:
        return self._speaking

    def _on_state(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        speaking = state == QTextToSpeech.State.Speaking
        if speaking != self._speaking:
            self._speaking = speaking
            self.speakingChanged.emit()

    @Slot(str)
    def speak(self, text: str) -> None:
        if self._tts is not None:
            self._tts.say(text[:20000])

    @Slot()
    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
