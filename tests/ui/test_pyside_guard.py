"""The PySide6 6.12.0 reference-count bug (ui/pyside_guard.py) must never abort the kiosk.

Run in a subprocess: without the guard the interpreter aborts ("bool_dealloc"), which would take the
test session down with it. The control run shows the bug is real on this PySide6/Python, so the guard
test cannot pass vacuously.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EMIT_MANY = textwrap.dedent(
    """
    import sys
    {guard}
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    app = QCoreApplication([])
    class O(QObject):
        sig = Signal(str)
    o = O()
    for _ in range(20000):
        o.sig.emit("x")
        QCoreApplication.processEvents()
    print("survived")
    """
)


def _run(guard: str) -> subprocess.CompletedProcess[str]:
    code = EMIT_MANY.format(guard=guard)
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_twenty_thousand_signals_survive_with_the_ui_package_imported() -> None:
    done = _run("import ui")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12+ makes True/None immortal: no bug to show")
def test_control_the_bug_is_real_without_the_guard() -> None:
    import PySide6

    done = _run("")
    if done.returncode == 0:
        pytest.fail(f"PySide6 {PySide6.__version__} no longer loses references: drop ui/pyside_guard.py")
    assert "dealloc" in done.stderr
