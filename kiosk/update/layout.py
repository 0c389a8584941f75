"""Where the installed releases live and which one runs: the install root, the running release (captured
when the process starts, since ``current`` may be switched under it), and the atomic switch of the
``current`` and ``previous`` links.

The running program's folder is ``KIOSK_PROGRAM_DIR`` when a launcher sets it (the stand-in bundles of
the tests, a wrapper script), else the frozen executable's folder. It is an installed release when it is
``<root>/releases/<version>``; otherwise (a checkout, the demo, a bundle copied by hand) updates are off.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

RELEASES = "releases"
CURRENT = "current"
PREVIOUS = "previous"


@functools.cache
def program_dir() -> Path | None:
    """The folder of the program running in this process, resolved once (at the first call: the CLI
    makes it at start-up)."""
    env = os.environ.get("KIOSK_PROGRAM_DIR")
    if env:
        return Path(env).resolve()
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


@dataclass(frozen=True)
class Layout:
    """An install root with its releases folder and links."""

    root: Path

    @property
    def releases(self) -> Path:
        return self.root / RELEASES

    def release(self, version: str) -> Path:
        return self.releases / version

    def linked(self, name: str) -> str | None:
        """The version a link (``current``/``previous``) points at, or None."""
        link = self.root / name
        try:
            target = os.readlink(link)
        except OSError:
            return None
        return Path(target).name or None

    def installed(self) -> list[str]:
        if not self.releases.is_dir():
            return []
        return sorted(p.name for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith("."))

    def point(self, name: str, version: str) -> None:
        """Point link ``name`` at ``releases/<version>`` atomically (a new link renamed over the old)."""
        tmp = self.root / f".{name}.new"
        tmp.unlink(missing_ok=True)
        os.symlink(Path(RELEASES) / version, tmp, target_is_directory=True)
        os.replace(tmp, self.root / name)
        _sync_dir(self.root)

    def switch(self, version: str) -> str | None:
        """Make ``version`` current, the old current ``previous``; returns the old current."""
        old = self.linked(CURRENT)
        if old is not None and old != version:
            self.point(PREVIOUS, old)
        self.point(CURRENT, version)
        return old

    def prune(self, keep: set[str]) -> list[str]:
        """Remove installed releases other than ``keep`` and the linked ones; returns what went."""
        keep = keep | {v for v in (self.linked(CURRENT), self.linked(PREVIOUS)) if v}
        gone = []
        for version in self.installed():
            if version not in keep:
                shutil.rmtree(self.release(version), ignore_errors=True)
                gone.append(version)
        return gone


def _sync_dir(path: Path) -> None:
    """fsync a folder so a rename in it survives a power cut (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def installed_layout() -> tuple[Layout, str] | None:
    """(the install root, the running version) when this process runs an installed release, else None."""
    here = program_dir()
    if here is None or here.parent.name != RELEASES:
        return None
    return Layout(here.parent.parent), here.name
