"""The one list of Qt messages the kiosk ignores, each matched by its text and given its reason.

Everything else Qt says at warning level or above is a bug to fix: a test fails on it (pytest-qt, fed
from this list by ``tests/conftest.py``), ``kiosk run --smoke`` exits non-zero on it, and a running
terminal logs it. Entries are regular expressions searched in the message; keep them as narrow as the
message allows — never a whole logging category.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

IGNORED: tuple[tuple[str, str], ...] = (
    (
        r"Couldn't (load|resolve) pipewire-0\.3 (library|symbols)",
        "Qt Multimedia (linked by the virtual keyboard's components) probes for PipeWire, which a kiosk "
        "(and an offscreen test) does not run; the keyboard needs no audio",
    ),
    (
        r"Couldn't (load|resolve) va(-x11|-drm|\(in plugin\))? (library|symbols)",
        "Qt Multimedia's FFmpeg backend (read-aloud's player) probes for VA-API video decoding (libva), "
        "which the kiosk does not install: it plays only WAV audio",
    ),
    (
        r"^PulseAudioService: pa_context_connect\(\) failed$|^No audio device detected$",
        "read-aloud's player where no sound server runs (offscreen tests, a terminal without speakers): "
        "Qt then plays on its own clock, silently, and reading still advances paragraph by paragraph; "
        "`kiosk self-test` reports the speech engine, deploy.md asks for a sound server",
    ),
    (
        r"This plugin does not support propagateSizeHints\(\)",
        "the offscreen platform plugin says so for every window; harmless",
    ),
    (
        r"ThreadLocalRhiHolder::ensureRhi\(QRhi::Implementation\) : No RHI backend\. Using CPU conversion\.$",
        "the QR scanner turns a camera frame into an image (QVideoFrame.toImage) for the decoder; without a "
        "GPU context (offscreen, or a terminal drawing in software) Qt converts on the CPU, which is all "
        "the decoder needs",
    ),
    (
        r"Member contentWidth of the object PopupList_QMLTYPE_\d+ overrides a member of the base object",
        "Qt Virtual Keyboard 6.12's own PopupList.qml; not ours to fix",
    ),
)

_PATTERNS = tuple(re.compile(pattern) for pattern, _reason in IGNORED)

log = logging.getLogger("qt")


def is_ignored(message: str) -> bool:
    return any(p.search(message) for p in _PATTERNS)


# Qt's FFmpeg media backend, under its category's info level, has FFmpeg describe every file it opens
# (av_dump_format: "Input #0, wav, from '…/p00001.wav'", its duration and stream), straight to stderr and
# past the handler below: three lines in the journal for each paragraph read aloud. Off; warnings stay, and
# QT_LOGGING_RULES in the environment still overrides it for a diagnosis.
QUIET_RULES = "qt.multimedia.ffmpeg.mediadataholder.info=false"


def install_handler(collect: list[str] | None = None) -> None:
    """Route Qt's messages: the ignored ones are dropped, warnings and worse are logged (and appended to
    ``collect``), debug and info go to the log at their level; :data:`QUIET_RULES` set. For the
    program's entry points; tests keep pytest-qt's own handler."""
    from PySide6.QtCore import QLoggingCategory, QtMsgType, qInstallMessageHandler

    QLoggingCategory.setFilterRules(QUIET_RULES)

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if is_ignored(message):
            return
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            if collect is not None:
                collect.append(message)
            log.warning("%s", message)
            print(message, file=sys.stderr)
        else:
            log.info("%s", message)

    qInstallMessageHandler(handler)
