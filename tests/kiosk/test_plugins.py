"""Entry points (kiosk/plugins.py): read in declaration order from the checkout's (or the bundle's)
pyproject.toml, from the distribution's metadata where there is none; an entry whose module the build
does not carry is reported missing, never a crash; the frozen bundle carries the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import plugins
from kiosk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _root(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(table, encoding="utf-8")
    return tmp_path


def test_entries_come_in_declaration_order_and_a_missing_module_is_named(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        '[project.entry-points."zwgk_kiosk.benchmarks"]\n'
        'zz = "kiosk.bench.search"\n'
        'gone = "sync.server.not_in_this_build"\n'
        'aa = "kiosk.bench.charfinder"\n',
    )
    entries = plugins.declared(plugins.BENCHMARKS, root)
    assert [e.name for e in entries] == ["zz", "gone", "aa"]
    loaded = [plugins.load(e) for e in entries]
    assert hasattr(loaded[0], "run") and hasattr(loaded[2], "add_arguments")
    assert loaded[1] == plugins.Missing("gone", "sync.server.not_in_this_build")


def test_without_a_pyproject_the_installed_metadata_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Dist:
        class entry_points:
            @staticmethod
            def select(group: str) -> list[plugins.metadata.EntryPoint]:
                return [plugins.metadata.EntryPoint("sync", "sync.sync_cmd:register", group)]

    monkeypatch.setattr(plugins.metadata, "distribution", lambda name: Dist if name == plugins.DISTRIBUTION else None)
    assert [e.value for e in plugins.declared(plugins.COMMANDS, tmp_path)] == ["sync.sync_cmd:register"]

    def absent(name: str) -> None:
        raise plugins.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(plugins.metadata, "distribution", absent)
    assert plugins.declared(plugins.COMMANDS, tmp_path) == []


def test_a_command_whose_module_is_left_out_says_so(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    real = plugins.declared

    def with_a_missing_one(group: str, root: Path | None = None) -> list[plugins.metadata.EntryPoint]:
        extra = [plugins.metadata.EntryPoint("serve", "sync.server.nowhere:register", group)]
        return real(group, root) + (extra if group == plugins.COMMANDS else [])

    monkeypatch.setattr(plugins, "declared", with_a_missing_one)
    args = build_parser("serve").parse_args(["serve"])
    assert args.func(args) == 2
    assert "本版本未包含此命令（未打包 sync.server.nowhere" in capsys.readouterr().err


def test_the_frozen_bundle_carries_the_table_at_its_root() -> None:
    spec = (ROOT / "build_kiosk.spec").read_text(encoding="utf-8")
    assert re.search(r'\(str\(ROOT / "pyproject\.toml"\), "\."\)', spec)


def test_a_frozen_program_reads_the_bundled_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As PyInstaller unpacks it: ``sys._MEIPASS`` is the bundle's root, with pyproject.toml beside assets/."""
    import shutil
    import sys

    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(plugins.metadata, "distribution", lambda _name: pytest.fail("metadata read in a bundle"))
    names = [e.name for e in plugins.declared(plugins.COMMANDS)]
    assert names[:2] == ["import", "pin-hash"] and {"run", "screenshot", "sync", "self-test"} <= set(names)
    assert "sync.selftest:check_server" in [e.value for e in plugins.declared(plugins.SELFTEST_CHECKS)]
