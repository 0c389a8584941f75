"""The read-aloud engine (kiosk.speech) on the real ``espeak-ng``, its WAVs measured with ``sox``.

Bounds, from espeak-ng 1.51's Mandarin voice on this machine: at the normal rate (165 wpm) a Chinese
paragraph lasts about 0.3–0.4 s per character (punctuation adds pauses); the test accepts 0.15–0.8 s
per character, and an RMS amplitude above 0.02 (silence is 0; speech measured ~0.1).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk import speech

pytestmark = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng and sox (scripts/setup --dev)"
)

PARAGRAPH = "符合条件的家庭，可以向户籍所在地的乡镇人民政府提出申请，也可以委托村民委员会代为提出申请。"


def stat(path: Path) -> dict[str, float]:
    out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    fields = dict(re.findall(r"^(.+?):\s+(-?[\d.]+)\s*$", out, re.MULTILINE))
    return {"length": float(fields["Length (seconds)"]), "rms": float(fields["RMS     amplitude"])}


@pytest.fixture
def synth() -> speech.Synthesiser:
    program = speech.find_engine()
    assert program
    s = speech.Synthesiser(program)
    yield s
    s.close()


def test_a_chinese_paragraph_becomes_audible_speech_of_a_plausible_length(synth: speech.Synthesiser) -> None:
    wav = synth.synthesise(PARAGRAPH, "normal")
    st = stat(wav)
    n = len(PARAGRAPH)
    assert st["rms"] > 0.02, f"audible, not silence (RMS {st['rms']})"
    assert 0.15 * n < st["length"] < 0.8 * n, f"{st['length']:.1f} s for {n} characters"
    assert (wav.parent.stat().st_mode & 0o077) == 0, "the WAV folder is private"


def test_faster_rate_gives_a_shorter_file_and_slower_a_longer_one(synth: speech.Synthesiser) -> None:
    slow, normal, fast = (stat(synth.synthesise(PARAGRAPH, r))["length"] for r in ("slow", "normal", "fast"))
    assert slow > normal * 1.15 and normal > fast * 1.15, (slow, normal, fast)


def test_long_text_goes_through_stdin_and_is_cut_into_paragraphs(synth: speech.Synthesiser) -> None:
    text = "第一段。\n\n" + "很长的一段话。" * 200 + "\n  \n最后一段"
    parts = speech.paragraphs(text)
    assert parts[0] == "第一段。" and parts[-1] == "最后一段"
    assert all(0 < len(p) <= speech.MAX_CHARS for p in parts)
    assert all(p.endswith("。") for p in parts[1:-1]), "long ones are cut after a sentence end"
    assert "".join(parts[1:-1]) == "很长的一段话。" * 200, "nothing lost"
    # a paragraph no command line would hold, a shell metacharacter and a leading dash: all just text
    wav = synth.synthesise("-v en $(rm -rf /) " + "好" * 1500, "fast")
    assert stat(wav)["length"] > 100, "all 1500 characters were spoken"


def test_close_removes_the_folder(synth: speech.Synthesiser) -> None:
    wav = synth.synthesise("你好", "normal")
    synth.discard(wav)
    assert not wav.exists()
    folder = synth.folder
    synth.synthesise("再见", "normal")
    synth.close()
    assert not folder.exists()


def test_a_failing_engine_raises_a_message_without_the_text(tmp_path: Path) -> None:
    broken = speech.Synthesiser("/bin/false")
    with pytest.raises(speech.SpeechError) as err:
        broken.synthesise("申请人张三的身份证号")
    assert "张三" not in str(err.value) and str(err.value) == "朗读程序出错（退出码 1）"
    broken.close()
    missing = speech.Synthesiser(str(tmp_path / "no-such-program"))
    with pytest.raises(speech.SpeechError, match=r"^朗读程序无法运行（文件不存在）$"):
        missing.synthesise("你好")
    missing.close()
