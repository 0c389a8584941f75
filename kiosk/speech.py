"""The read-aloud engine: Debian's ``espeak-ng`` (Mandarin voice ``cmn``) turns a paragraph into a WAV.

No Qt here: :class:`Synthesiser` runs ``espeak-ng`` with a fixed argument list (never a shell), the
text on stdin (no command-line length limit, nothing in ``ps``), a timeout, into a private temporary
folder (mode 0700) that :meth:`Synthesiser.close` removes. The text is never logged. Where the program
is missing, :func:`find_engine` returns ``None`` and the screen says the terminal has no speech.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import os_reason

log = logging.getLogger(__name__)

VOICE = "cmn"
#: words per minute for 慢 / 正常 / 快 (espeak-ng's default is 175)
RATES: dict[str, int] = {"slow": 120, "normal": 165, "fast": 220}
TIMEOUT_S = 60.0
#: a paragraph longer than this is cut at a sentence end so the first sound comes quickly
MAX_CHARS = 400


def find_engine() -> str | None:
    """The path of ``espeak-ng`` on PATH, or None."""
    return shutil.which("espeak-ng")


def paragraphs(text: str) -> list[str]:
    """The document's plain text as the pieces read one at a time: non-blank lines, long ones cut after
    a sentence end (。！？；) near :data:`MAX_CHARS`."""
    out: list[str] = []
    for raw in text.splitlines():
        rest = raw.strip()
        while len(rest) > MAX_CHARS:
            cut = max(rest.rfind(p, 0, MAX_CHARS) for p in "。！？；!?;")
            cut = cut + 1 if cut > MAX_CHARS // 4 else MAX_CHARS
            out.append(rest[:cut])
            rest = rest[cut:].strip()
        if rest:
            out.append(rest)
    return out


class SpeechError(RuntimeError):
    """The engine failed on a paragraph (message without the text)."""


@dataclass
class Synthesiser:
    """Makes WAV files from text with ``espeak-ng``; one instance per kiosk, files in its own folder."""

    program: str
    voice: str = VOICE

    def __post_init__(self) -> None:
        self._dir: Path | None = None
        self._n = 0

    @property
    def folder(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="kiosk-speech-"))  # mode 0700
        return self._dir

    def synthesise(self, text: str, rate: str = "normal") -> Path:
        """Speak ``text`` into a new WAV file and return its path (blocking: call off the UI thread)."""
        wpm = RATES.get(rate, RATES["normal"])
        self._n += 1
        out = self.folder / f"p{self._n:05d}.wav"
        # control characters would be read as nothing useful; SSML is off by default
        clean = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text)
        args = [self.program, "-v", self.voice, "-s", str(wpm), "-w", str(out), "--stdin"]
        try:
            proc = subprocess.run(
                args, input=clean.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise SpeechError(f"朗读程序超过 {TIMEOUT_S:.0f} 秒仍未读完") from exc
        except OSError as exc:
            raise SpeechError(f"朗读程序无法运行（{os_reason(exc)}）") from exc
        if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            out.unlink(missing_ok=True)
            raise SpeechError(f"朗读程序出错（退出码 {proc.returncode}）")
        return out

    def discard(self, path: Path) -> None:
        """Remove a WAV once played."""
        path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the folder and every WAV left in it."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
