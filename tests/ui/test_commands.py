"""``kiosk run --smoke``, ``kiosk run`` with no display, and ``kiosk screenshot``, as real subprocesses
on a throwaway terminal seeded from the demo pack."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import Config

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _config_file(cfg: Config, tmp_path: Path) -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(f'[terminal]\ndata_dir = "{cfg.data_dir}"\n', encoding="utf-8")
    return path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_smoke_paints_home_and_exits_zero(demo_cfg: Config, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    done = _run(["run", "--smoke", "--config", str(_config_file(demo_cfg, tmp_path))], env)
    assert done.returncode == 0, done.stderr[-2000:]
    event = json.loads(done.stdout.strip().splitlines()[-1])
    assert event["event"] == "home_painted" and event["ms"] > 0


def test_no_display_says_so_and_names_the_offscreen_mode(demo_cfg: Config, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    done = _run(["run", "--config", str(_config_file(demo_cfg, tmp_path))], env)
    assert done.returncode == 3
    assert "没有可用的显示器" in done.stderr and "No display" in done.stderr
    assert "--smoke" in done.stderr and "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "Traceback" not in done.stderr
    # the command it names works as written (the same interpreter, not a system Python without Qt)
    named = next(line.strip() for line in done.stderr.splitlines() if "-m kiosk run --smoke" in line)
    assert named.split()[0] == sys.executable or Path(named.split()[0]).resolve() == Path(sys.executable).resolve()
    smoke = subprocess.run(
        [*shlex.split(named), "--config", str(_config_file(demo_cfg, tmp_path))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stderr[-2000:]
    assert json.loads(smoke.stdout.strip().splitlines()[-1])["event"] == "home_painted"


def test_screenshot_writes_a_png_of_the_requested_size(demo_cfg: Config, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "search.png"
    done = _run(
        [
            "screenshot",
            "--screen",
            "search",
            "--size",
            "1080x1920",
            "--query",
            "医保",
            "--out",
            str(out),
            "--config",
            str(_config_file(demo_cfg, tmp_path)),
        ],
        dict(os.environ),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1080, 1920)
    # the header's government red is there, i.e. something real was painted
    assert image.pixelColor(5, 5).red() > 120 and image.pixelColor(5, 5).green() < 60


def test_reading_aloud_keeps_ffmpegs_file_descriptions_out_of_the_journal(demo_cfg: Config, tmp_path: Path) -> None:
    """A document read aloud: Qt's FFmpeg backend once described every paragraph's WAV on stderr (three
    lines each, into the journal); the entry points turn that category's info off (ui.qt_messages)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup installs it)")
    out = tmp_path / "reading.png"
    args = ["screenshot", "--screen", "document-reading", "--out", str(out)]
    done = _run([*args, "--config", str(_config_file(demo_cfg, tmp_path))], dict(os.environ))
    assert done.returncode == 0 and out.exists(), done.stderr[-2000:]
    assert "read-aloud available" in done.stderr, done.stderr[-2000:]  # it did read aloud
    assert "Input #0" not in done.stderr and "Duration:" not in done.stderr, done.stderr[-2000:]
