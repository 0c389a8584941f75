"""The project is installed into its venv (scripts/setup: ``pip install -e .``), so ``python -m kiosk``
and ``python -m sync.server`` work from any folder, and their ``--help`` answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["kiosk", "sync.server"])
def test_python_m_works_from_any_folder(module: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("用法：")  # argparse speaks Chinese too (kiosk.cli.zh_argparse)
