"""argparse's own words in Chinese on every command line (``kiosk.cli.zh_argparse``): the help's
headings, a missing argument, an unknown choice, an unrecognised flag — in real subprocesses, with a
stream that cannot carry Chinese switched to UTF-8 rather than failing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.cli import zh_argparse

ROOT = Path(__file__).resolve().parents[2]


def _run(module: str, *args: str, encoding: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def test_help_headings_are_chinese_and_names_stay_english() -> None:
    for module, args in (("kiosk", ("enrol", "--help")), ("sync.server", ("terminal", "--help"))):
        done = _run(module, *args)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("用法：") and "显示此帮助并退出" in done.stdout, done.stdout
        assert "选项" in done.stdout and "--server" in done.stdout  # the flag keeps its name
    listing = _run("printing", "--help")
    assert "位置参数" in listing.stdout and "test-page" in listing.stdout and "打印小票打印机的测试页" in listing.stdout


def test_refusals_are_chinese() -> None:
    missing = _run("sync.server", "terminal", "list")
    assert missing.returncode == 2
    assert "python -m sync.server terminal：错误：缺少必需的参数：--db" in missing.stderr, missing.stderr
    choice = _run("sync.server", "terminal", "wipe", "--db", "x.db")
    assert "无效的取值 'wipe'（可选：'add', 'list', 'rotate', 'revoke', 'remove'）" in choice.stderr, choice.stderr
    flag = _run("kiosk", "update", "status", "--bogus")
    assert "无法识别的参数：--bogus" in flag.stderr, flag.stderr


def test_an_ascii_stream_is_switched_to_utf8_not_crashed() -> None:
    done = _run("sync.server", "terminal", "--help", encoding="ascii")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "终端编号（rotate、revoke、remove）" in done.stdout


def test_unknown_phrases_pass_through() -> None:
    assert zh_argparse.gettext("some phrase argparse may add later") == "some phrase argparse may add later"
    assert zh_argparse.ngettext("expected %s argument", "expected %s arguments", 2) == "需要 %s 个值"
