"""What other packages add to the core's command line, self-test and benchmarks: Python entry points.

The core (``kiosk/``) never imports ``ui``, ``sync`` or ``printing``. Each package declares what it
contributes in ``pyproject.toml`` under ``[project.entry-points."zwgk_kiosk.…"]``, naming its own module
and function there; the core only loads what the groups list:

    zwgk_kiosk.commands         NAME = "module:register"   register(subparsers) adds the command NAME
    zwgk_kiosk.selftest_checks  NAME = "module:check"      check(cfg) -> CheckResult | list[CheckResult]
    zwgk_kiosk.benchmarks       NAME = "module"            add_arguments(parser) and run(args) -> int

Where the table is read from: in a source checkout, ``pyproject.toml`` itself (an installed copy of the
metadata is made at install time and goes stale when the table changes; the editable install of a
checkout must not hide a command its own ``pyproject.toml`` declares); in the frozen program, the same
``pyproject.toml``, which ``build_kiosk.spec`` bundles at the bundle's root; in a wheel install, the
distribution's metadata. Order is the table's order (the self-test prints checks in it).

An entry whose module this build does not carry (the frozen terminal leaves out the server) is reported
as missing with the module's name, never a crash (:class:`Missing`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from kiosk.paths import app_root

DISTRIBUTION = "zwgk-kiosk"
COMMANDS = "zwgk_kiosk.commands"
SELFTEST_CHECKS = "zwgk_kiosk.selftest_checks"
BENCHMARKS = "zwgk_kiosk.benchmarks"
GROUPS = (COMMANDS, SELFTEST_CHECKS, BENCHMARKS)


@dataclass(frozen=True)
class Missing:
    """An entry point whose module this build does not carry."""

    name: str
    module: str


def declared(group: str, root: Path | None = None) -> list[metadata.EntryPoint]:
    """The entry points of ``group``, in declaration order (see the module docstring for the source)."""
    pyproject = (root or app_root()) / "pyproject.toml"
    if pyproject.is_file():
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        entries = table.get("project", {}).get("entry-points", {}).get(group, {})
        return [metadata.EntryPoint(name, value, group) for name, value in entries.items()]
    try:
        return list(metadata.distribution(DISTRIBUTION).entry_points.select(group=group))
    except metadata.PackageNotFoundError:
        return []


def load(entry: metadata.EntryPoint) -> Any | Missing:
    """The object ``entry`` names, or :class:`Missing` naming the module this build does not carry."""
    try:
        return entry.load()
    except ImportError as exc:  # the frozen terminal leaves out what it does not run (the server, …)
        return Missing(entry.name, exc.name or entry.module)


def loaded(group: str) -> dict[str, Any | Missing]:
    """Every entry of ``group`` loaded (or :class:`Missing`), by name, in declaration order."""
    return {e.name: load(e) for e in declared(group)}
