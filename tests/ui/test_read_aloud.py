"""Read-aloud on the document page, offscreen, with the real espeak-ng and the real QMediaPlayer.

Offscreen there is no audio device: Qt Multimedia's FFmpeg backend then says "No audio device
detected" and still plays the WAV on its own clock (the position advances, EndOfMedia comes), so the
whole state machine runs as on a terminal. The tests seek the player near the end of a paragraph
instead of waiting for it to be spoken.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from uishell import Shell

pytestmark = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (scripts/setup)")

DOC = "louxing-guide-dibao"


def open_doc(shell: Shell) -> Any:
    shell.window.openRoute("document", {"docId": DOC})
    shell.wait_page("documentPage")
    return shell.singleton("ReadAloud")


def test_read_aloud_speaks_paragraph_after_paragraph_pauses_and_stops(shell: Shell) -> None:
    ra = open_doc(shell)
    assert ra.property("available")
    assert shell.find("readAloudButton").property("text") == "朗读全文"
    shell.tap("readAloudButton")
    assert ra.property("speaking") and ra.property("paragraph") == 0
    count = ra.property("paragraphCount")
    assert count > 3
    assert shell.has("readAloudPause") and shell.has("readAloudStop") and not shell.has("readAloudButton")
    player = None

    def playing() -> bool:
        nonlocal player
        player = ra._player
        return player is not None and player.duration() > 0 and player.position() > 0

    shell.wait(playing, 15_000)
    assert "正在朗读第 1 段" in shell.find("readAloudStatus").property("text")
    # near the end of paragraph 1: the next one (already made meanwhile) follows
    player.setPosition(player.duration() - 200)
    shell.wait(lambda: ra.property("paragraph") == 1, 10_000)
    shell.wait(lambda: player.position() > 0 and player.source().isValid(), 10_000)

    shell.tap("readAloudPause")
    assert ra.property("paused") and shell.find("readAloudPause").property("text") == "继续"
    at = player.position()
    shell.qtbot.wait(600)
    assert abs(player.position() - at) < 100, "paused: the position stands still"
    shell.tap("readAloudPause")
    assert not ra.property("paused")
    shell.wait(lambda: player.position() > at + 200, 5000)

    shell.tap("readAloudRate-fast")
    assert ra.property("rate") == "fast" and ra.property("paragraph") == 1, "the same paragraph again, faster"
    shell.tap("readAloudStop")
    assert not ra.property("speaking") and ra.property("paragraph") == -1
    assert not player.source().isValid()
    assert shell.has("readAloudButton") and not shell.has("readAloudPause")
    assert ra.property("rate") == "normal", "the next reader starts at the normal speed"


def test_reading_starts_at_the_paragraph_in_view(shell: Shell) -> None:
    ra = open_doc(shell)
    reader = shell.find("reader")
    reader.setProperty("contentY", reader.property("contentHeight") * 0.5)
    shell.tap("readAloudButton")
    count = ra.property("paragraphCount")
    assert count // 2 - 1 <= ra.property("paragraph") <= count // 2 + 1
    ra.stop()


def test_leaving_the_page_and_the_idle_reset_stop_reading(shell: Shell) -> None:
    ra = open_doc(shell)
    shell.tap("readAloudButton")
    assert ra.property("speaking")
    shell.window.openRoute("home", {})
    shell.wait_page("homePage")
    assert not ra.property("speaking"), "leaving the page stops it"

    open_doc(shell)
    shell.tap("readAloudButton")
    assert ra.property("speaking")
    shell.singleton("Idle").expireNow()
    shell.wait_page("homePage")
    assert not ra.property("speaking"), "the visit's end stops it"


def test_without_espeak_ng_the_button_says_no_speech(
    make_shell: Callable[..., Shell], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without espeak-ng
    assert shutil.which("espeak-ng") is None
    shell = make_shell()
    ra = open_doc(shell)
    assert not ra.property("available")
    button = shell.find("readAloudButton")
    assert button.property("text") == "朗读（本机未配置语音）"
    assert not button.isEnabled()
    ra.speak("你好")
    assert not ra.property("speaking")
    assert os.environ["PATH"] == str(tmp_path)


# the undecodable WAV is the point of the second half: Qt says it could not open it
@pytest.mark.qt_log_ignore(".*Could not open media. FFmpeg error description: Invalid data.*", extend=True)
def test_an_engine_that_fails_ends_reading_with_a_note(shell: Shell, tmp_path: Any) -> None:
    from ui.speech import ReadAloud

    broken = ReadAloud(shell.app.services, program="/bin/false")  # installed, but every call fails
    broken.speak("第一段。\n第二段。")
    assert broken.property("speaking")
    shell.wait(lambda: broken.property("note") != "", 10_000)
    assert not broken.property("speaking") and broken.property("note") == "朗读出错，请联系工作人员"

    # an engine whose WAV the player cannot decode: the player's error path
    garbage = tmp_path / "espeak-ng"
    garbage.write_text('#!/bin/sh\nwhile [ "$1" != -w ]; do shift; done\nhead -c 4000 /dev/urandom > "$2"\n')
    garbage.chmod(0o755)
    bad = ReadAloud(shell.app.services, program=str(garbage))
    bad.speak("你好")
    shell.wait(lambda: bad.property("note") != "", 10_000)
    assert not bad.property("speaking") and bad.property("note") == "本机无法播放声音，请联系工作人员"


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_print_button_stays_put_while_reading(make_shell: Any, size: tuple[int, int]) -> None:
    """The issue measured 打印本文件 jumping about 165 px when the read-aloud controls came in."""
    from PySide6.QtCore import QPointF

    shell = make_shell(*size)
    ra = open_doc(shell)
    button = shell.find("printButton")
    before = button.mapToScene(QPointF(0, 0))
    shell.tap("readAloudButton")
    shell.wait(lambda: shell.has("readAloudStop"))
    shell.qtbot.wait(200)
    after = button.mapToScene(QPointF(0, 0))
    assert (after.x(), after.y()) == (before.x(), before.y())
    shell.tap("readAloudStop")
    assert not ra.property("speaking")
