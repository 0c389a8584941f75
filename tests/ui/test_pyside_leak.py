"""The interpreter and PySide6 in use do not lose references on ``Signal.emit()``.

PySide6 6.12.0 on Python 3.11 dropped a reference to ``True`` per emit and to ``None`` per static void
call (``QCoreApplication.processEvents()``): the interpreter aborted with "bool_dealloc" after a few
hundred view-model signals. Python 3.12 makes these objects immortal, which is why the kiosk runs on it.
This check runs in a subprocess (an abort would take the test session down) with the same interpreter
the kiosk and its bundle use, so a downgrade of either Python or PySide6 that brings the bug back fails
here instead of on a terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EMIT_MANY = textwrap.dedent(
    """
    import json
    import sys
    import ui  # the package as the kiosk imports it
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    app = QCoreApplication([])
    class O(QObject):
        sig = Signal(str)
        flag = Signal(bool)
    o = O()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(20000):
        o.sig.emit("x")
        o.flag.emit(True)
        QCoreApplication.processEvents()
    after = sys.getrefcount(True), sys.getrefcount(None)
    print("survived", json.dumps({"before": before, "after": after}))
    """
)


def test_twenty_thousand_signals_and_event_loop_turns_neither_leak_nor_abort() -> None:
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", EMIT_MANY], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout
    counts = json.loads(done.stdout.split("survived", 1)[1])
    assert counts["before"] == counts["after"], f"references to True/None were lost: {counts}"
