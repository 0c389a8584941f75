"""``ReadAloud`` (QML singleton): reads the open document aloud with the terminal's own speech engine.

:mod:`kiosk.speech` makes one WAV per paragraph with ``espeak-ng`` on the task pool (never on the UI
thread); a ``QMediaPlayer`` plays it while the next paragraph is being made. Reading starts at the
paragraph the resident is looking at, can be paused, resumed and stopped, and its speed (慢/正常/快)
changed, which starts the current paragraph again at the new speed. It stops when the visit ends (idle
reset) and when the document page is left. A terminal without ``espeak-ng`` reports ``available``
false and the page says so. Playback errors (no audio device that works) end the reading with a
short note on screen and a log line without the text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, QUrl, Signal, SignalInstance, Slot
from PySide6.QtQml import QmlElement, QmlSingleton

from kiosk import speech
from ui.services import of_engine

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

    from ui.services import Services

log = logging.getLogger(__name__)

QML_IMPORT_NAME = "Kiosk.Backend"
QML_IMPORT_MAJOR_VERSION = 1


@QmlElement
@QmlSingleton
class ReadAloud(QObject):
    def __init__(self, services: Services, program: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        program = program if program is not None else speech.find_engine()
        self._synth = speech.Synthesiser(program) if program else None
        if self._synth is not None:
            synth = self._synth
            self.destroyed.connect(lambda *_: synth.close())
        self._player: QMediaPlayer | None = None
        self._audio: QAudioOutput | None = None
        self._paragraphs: list[str] = []
        self._index = -1
        self._ready: dict[int, Path] = {}  # paragraph -> WAV made and not yet played
        self._making: set[int] = set()
        self._generation = 0
        self._speaking = False
        self._paused = False
        self._rate = "normal"
        self._note = ""
        services.register_wipe(self, "read-aloud", self.stop)
        log.info("read-aloud %s", "available (espeak-ng)" if self._synth else "not available (no espeak-ng)")

    @staticmethod
    def create(engine: object) -> ReadAloud:
        return ReadAloud(of_engine(engine))

    # --- properties ------------------------------------------------------------------------------
    @Property(bool, constant=True)
    def available(self) -> bool:
        return self._synth is not None

    speakingChanged = Signal()

    @Property(bool, notify=speakingChanged)
    def speaking(self) -> bool:
        """A reading is under way (playing, paused, or waiting for the next paragraph)."""
        return self._speaking

    @Property(bool, notify=speakingChanged)
    def paused(self) -> bool:
        return self._paused

    paragraphChanged = Signal()

    @Property(int, notify=paragraphChanged)
    def paragraph(self) -> int:
        """The paragraph being read (0-based), -1 when not reading."""
        return self._index if self._speaking else -1

    @Property(int, notify=paragraphChanged)
    def paragraphCount(self) -> int:
        return len(self._paragraphs)

    rateChanged = Signal()

    def _get_rate(self) -> str:
        return self._rate

    def _set_rate(self, rate: str) -> None:
        if rate not in speech.RATES or rate == self._rate:
            return
        self._rate = rate
        self.rateChanged.emit()
        if self._speaking:  # the current paragraph again, at the new speed
            self._start_at(self._index)

    rate = Property(str, _get_rate, _set_rate, notify=rateChanged)

    noteChanged = Signal()

    @Property(str, notify=noteChanged)
    def note(self) -> str:
        """A short message when reading failed ("" otherwise)."""
        return self._note

    # --- actions ---------------------------------------------------------------------------------
    @Slot(str)
    def speak(self, text: str) -> None:
        self.speakFrom(text, 0.0)

    @Slot(str, float)
    def speakFrom(self, text: str, fraction: float) -> None:
        """Read ``text`` from the paragraph at ``fraction`` (0–1) of it onward (the first one in view)."""
        if self._synth is None:
            return
        self._paragraphs = speech.paragraphs(text)
        if not self._paragraphs:
            return
        start = min(len(self._paragraphs) - 1, max(0, int(fraction * len(self._paragraphs))))
        self._set_note("")
        self._start_at(start)

    @Slot()
    def pause(self) -> None:
        if self._speaking and not self._paused:
            self._paused = True
            if self._player is not None:
                self._player.pause()
            self.speakingChanged.emit()

    @Slot()
    def resume(self) -> None:
        if self._speaking and self._paused:
            self._paused = False
            if self._player is not None and self._player.source().isValid():
                self._player.play()
            else:
                self._play_if_ready()
            self.speakingChanged.emit()

    @Slot()
    def stop(self) -> None:
        """Stop reading and forget the paragraphs (the page is left, the visit ended, 停止)."""
        self._generation += 1
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())
        self._discard_ready()
        was = self._speaking
        self._speaking = self._paused = False
        self._index = -1
        self._paragraphs = []
        if was:
            self.speakingChanged.emit()
        self.paragraphChanged.emit()
        if self._rate != "normal":
            self._rate = "normal"
            self.rateChanged.emit()

    # --- the pipeline ----------------------------------------------------------------------------
    def _start_at(self, index: int) -> None:
        self._generation += 1
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())
        self._discard_ready()
        was = self._speaking and not self._paused
        self._speaking, self._paused = True, False
        self._index = index
        if not was:
            self.speakingChanged.emit()
        self.paragraphChanged.emit()
        self._make(index)

    def _make(self, index: int) -> None:
        synth = self._synth
        if synth is None or index >= len(self._paragraphs) or index in self._making or index in self._ready:
            return
        text, rate, generation = self._paragraphs[index], self._rate, self._generation
        self._making.add(index)

        def done(path: Path) -> None:
            self._making.discard(index)
            if generation != self._generation:
                synth.discard(path)
                return
            self._ready[index] = path
            self._play_if_ready()

        def failed(exc: BaseException) -> None:
            self._making.discard(index)
            if generation == self._generation:
                log.warning("read-aloud: synthesis failed: %s", exc)
                self.stop()
                self._set_note(self.tr("朗读出错，请联系工作人员"))

        self._services.pool.run(lambda: synth.synthesise(text, rate), done, failed)

    def _play_if_ready(self) -> None:
        if not self._speaking or self._paused:
            return
        player = self._ensure_player()
        if player.source().isValid():  # still playing the previous paragraph
            return
        path = self._ready.get(self._index)
        if path is None:
            self._make(self._index)
            return
        player.setSource(QUrl.fromLocalFile(str(path)))
        player.play()
        self._make(self._index + 1)  # the next one while this one plays

    def _ensure_player(self) -> QMediaPlayer:
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._player.mediaStatusChanged.connect(self._on_status)
            self._player.errorOccurred.connect(self._on_error)
            _settle_overrides(self._player.sourceChanged)
            _settle_overrides(self._audio.volumeChanged)
        return self._player

    def _on_status(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status != QMediaPlayer.MediaStatus.EndOfMedia or not self._speaking:
            return
        player = self._ensure_player()
        player.setSource(QUrl())
        done = self._ready.pop(self._index, None)
        if done is not None and self._synth is not None:
            self._synth.discard(done)
        if self._index + 1 >= len(self._paragraphs):
            self.stop()
            return
        self._index += 1
        self.paragraphChanged.emit()
        self._play_if_ready()

    def _on_error(self, error: object, _message: str) -> None:
        if not self._speaking:
            return
        log.warning("read-aloud: playback failed (%s)", getattr(error, "name", error))
        self.stop()
        self._set_note(self.tr("本机无法播放声音，请联系工作人员"))

    def _discard_ready(self) -> None:
        if self._synth is not None:
            for path in self._ready.values():
                self._synth.discard(path)
        self._ready.clear()

    def _set_note(self, note: str) -> None:
        if note != self._note:
            self._note = note
            self.noteChanged.emit()

    def close(self) -> None:
        """Stop and remove the temporary WAV folder (the app's shutdown)."""
        self.stop()
        if self._synth is not None:
            self._synth.close()


def _noop(*_args: object) -> None:
    pass


def _settle_overrides(signal: SignalInstance) -> None:
    """Have the binding of the object that owns ``signal`` look up, once and here on the UI thread,
    that Python overrides neither its ``connectNotify`` nor its ``disconnectNotify``.

    An object made from Python checks for a Python override (under the GIL) the first time Qt calls one
    of its virtual methods, then remembers there is none. The media backend's own thread disconnects
    from the player when it drops an internal object; if that is the first ``disconnectNotify`` the
    player sees, that thread waits for the GIL while the UI thread, holding it, waits in ``stop()`` for
    a lock that thread holds: the terminal froze on 停止 (seen once in a test run, stacks in the closing
    note of issue 22). A connect and disconnect here makes the lookups happen first, on this thread.
    """
    signal.connect(_noop)
    signal.disconnect(_noop)
