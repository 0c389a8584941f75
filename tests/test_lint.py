"""The linters of ``scripts/check`` as tests too, so a landing that runs only pytest cannot skip them:
ruff (rules and format) over the project, and pyside6-qmllint over the QML against its shrinking baseline
(``scripts/qmllint.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_qml_lints_clean_against_its_baseline() -> None:
    done = _run("scripts/qmllint.py")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


def test_ruff_rules_and_format() -> None:
    for args in (("-m", "ruff", "check", "."), ("-m", "ruff", "format", "--check", ".")):
        done = _run(*args)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
