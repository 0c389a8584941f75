"""No command of the terminal, the district server or the printing tool takes a secret as an argument.

An argument is visible to every user in ``ps`` and stays in the shell's history. Tokens, passwords and
PINs come from a prompt, a 0600 file or stdin; a terminal's token is never typed at all (``kiosk enrol``
redeems a one-time code for it). The retired ``kiosk provision --token`` and ``sync.server
add-terminal`` (which printed a token) are refused as unknown commands.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator

import pytest

from kiosk.cli import build_parser as kiosk_parser
from kiosk.cli import main as kiosk_main
from kiosk.staff import verify_pin
from printing.__main__ import build_parser as printing_parser
from sync.server.__main__ import build_parser as server_parser
from sync.server.__main__ import main as server_main

SECRET = re.compile(r"token|passw|secret|(^|[-_])pin($|[-_])|credential|api[-_]?key|private", re.IGNORECASE)
# Options whose name looks like a secret but whose value is not one, each with its reason.
NOT_SECRETS = {
    "--pin-stdin": "a switch: read the PIN from stdin",
    "--key": "the folder of the server's signing key (a path), not the key",
}
# The enrolment code on `kiosk enrol --code`: typed by IT from the server's printout, valid once for
# 24 hours and spent by that very command, so what `ps` or the history shows afterwards opens nothing.
ONE_TIME = {"--code"}


def _options(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _options(child, f"{path} {name}")
        else:
            for flag in action.option_strings or [action.dest]:
                yield path, flag


def _all_options() -> list[tuple[str, str]]:
    return [
        *_options(kiosk_parser(), "kiosk"),
        *_options(server_parser(), "sync.server"),
        *_options(printing_parser(), "printing"),
    ]


def test_the_walk_sees_the_commands() -> None:
    seen = _all_options()
    assert ("kiosk enrol", "--code") in seen and ("sync.server account", "--role") in seen
    assert ("sync.server terminal", "--server") in seen and len(seen) > 100


def test_no_option_or_argument_carries_a_secret() -> None:
    offending = [
        f"{where} {flag}"
        for where, flag in _all_options()
        if SECRET.search(flag) and flag not in NOT_SECRETS and flag not in ONE_TIME
    ]
    assert offending == [], "secrets on the command line: " + ", ".join(offending)


@pytest.mark.parametrize(
    ("main", "argv"),
    [
        (kiosk_main, ["provision", "--zone", "wanbao", "--server", "http://x", "--token", "SECRET-TOKEN"]),
        (kiosk_main, ["pin-hash", "--pin", "135792"]),
        (server_main, ["add-terminal", "--db", "sqlite:///:memory:", "--zone", "wanbao"]),
        (server_main, ["account", "add", "li", "--db", "sqlite:///:memory:", "--password", "pw"]),
    ],
)
def test_a_secret_given_as_an_argument_is_refused(main, argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "无效的取值" in err or "无法识别的参数" in err, err


def test_pin_hash_reads_the_pin_from_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("135792\n"))
    assert kiosk_main(["pin-hash"]) == 0
    hashed = capsys.readouterr().out.strip()
    assert verify_pin("135792", hashed) and "135792" not in hashed
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert kiosk_main(["pin-hash"]) == 2
    assert "标准输入中没有 PIN" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("1234\n"))
    assert kiosk_main(["pin-hash"]) == 2
    assert "kiosk pin-hash: 工作人员 PIN 应为 6 到 12 位数字（0–9）" in capsys.readouterr().err
