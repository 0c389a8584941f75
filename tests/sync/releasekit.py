"""Harness for release tests: stand-in bundles, an installed terminal's folder, and a supervisor that
does what systemd does for the unit (the boot guard from the previous release before each start, then the
current release's program, restarted after any exit), with a SIGKILL at a named update step on demand.

A stand-in bundle is a folder like the PyInstaller one (a ``kiosk`` program at its top) whose program is
a launcher running this project's code copied inside it (``app/``: kiosk, sync, printing, ui and the
bundled fonts), so each release runs its own files and a broken release is broken in its own files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk.update.layout import CURRENT, Layout

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "sync", "printing", "ui")


def make_bundle(dest: Path, *, broken: bool = False) -> Path:
    """A stand-in bundle at ``dest``; ``broken``: its QML shell is missing (it fails its self-test)."""
    app = dest / "app"
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, app / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "assets" / "fonts", app / "assets" / "fonts")
    # the entry-point tables (commands, self-test checks) beside the code, as build_kiosk.spec bundles
    # them: without it the release would read the commands of whatever distribution metadata is installed
    shutil.copyfile(ROOT / "pyproject.toml", app / "pyproject.toml")
    if broken:
        (app / "ui" / "qml" / "Kiosk" / "Main.qml").unlink()
    launcher = dest / "kiosk"
    launcher.write_text(
        "#!/bin/sh\n"
        "# the release folder, resolved (``current`` is a link that may be switched later)\n"
        'HERE="$(cd "$(dirname "$0")" && pwd -P)"\n'
        'export KIOSK_PROGRAM_DIR="$HERE"\n'
        'export PYTHONPATH="$HERE/app"\n'
        # -P: the working folder is not put on the import path (only the release's own app/ is)
        f'exec "{sys.executable}" -P -m kiosk "$@"\n',
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return dest


def install(root: Path, version: str) -> Layout:
    """An installed terminal's program folder with ``version`` as the only release, current."""
    layout = Layout(root)
    make_bundle(layout.release(version))
    layout.point(CURRENT, version)
    return layout


class Supervisor:
    """systemd for one terminal: the unit's ExecStartPre (the start after a switch counted by the switch;
    else ``previous/kiosk update guard`` while a switch is pending), then ``current/kiosk sync`` (the
    terminal's loop), started again 0.3 s after it ends."""

    def __init__(self, root: Path, config: Path, log: Path, data: Path) -> None:
        self.root, self.config, self.log, self.data = root, config, log, data
        self.crash_plan: list[str] = []  # KIOSK_CRASH_AT for the next starts, one each
        self.exits: list[int] = []
        self.starts = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.last_exit_at: float | None = None
        self.started_at: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KIOSK_CRASH_AT")}
        if self.crash_plan:
            env["KIOSK_CRASH_AT"] = self.crash_plan.pop(0)
        return env

    def _main(self) -> None:
        with self.log.open("ab") as out:
            while not self._stop.is_set():
                previous = self.root / "previous" / "kiosk"
                marks = self.data / "update"
                if (marks / "counted").exists():  # the unit's ExecStartPre, as docs/deploy.md writes it
                    (marks / "counted").unlink()
                elif (marks / "pending").exists() and previous.exists():
                    subprocess.run(
                        [str(previous), "update", "guard", "--config", str(self.config), "--root", str(self.root)],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env=self._env_without_crash(),
                        cwd=self.config.parent,
                        timeout=120,
                        check=False,
                    )
                env = self._env()
                out.write(f"--- start {self.starts + 1} crash={env.get('KIOSK_CRASH_AT')}\n".encode())
                out.flush()
                self.proc = subprocess.Popen(
                    [str(self.root / "current" / "kiosk"), "sync", "--config", str(self.config)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.config.parent,  # as the unit's WorkingDirectory: never the project checkout
                )
                self.starts += 1
                self.started_at.append(time.monotonic())
                code = self.proc.wait()
                self.exits.append(code)
                self.last_exit_at = time.monotonic()
                self._stop.wait(0.3)

    def _env_without_crash(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KIOSK_CRASH_AT")}

    def restart(self) -> None:
        """Stop the running program (SIGTERM, as systemctl restart does); the loop starts it again."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self._stop.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self._thread.join(30)
