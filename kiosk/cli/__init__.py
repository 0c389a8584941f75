"""The ``kiosk`` command line: ``python -m kiosk COMMAND …``.

Each command lives in its own module of the package it belongs to (``kiosk/cli/``, ``sync/``, ``ui/``) and
is registered there as an entry point in ``pyproject.toml`` (group ``zwgk_kiosk.commands``, read by
:mod:`kiosk.plugins`): a ``register(subparsers)`` that adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning an exit code. Only the chosen command's module is loaded, so
``kiosk search`` never pays for Qt, and the core imports none of ``ui``, ``sync`` or ``printing``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence

from kiosk import plugins
from kiosk.errors import KioskError


def program() -> str:
    """How a person starts this program, for hints: the frozen executable's path, else ``python -m kiosk``."""
    if getattr(sys, "frozen", False):
        return sys.executable
    return "python -m kiosk"


def chinese_console() -> None:
    """Every command line speaks Chinese: argparse's own words too (:mod:`kiosk.cli.zh_argparse`), and
    stdout and stderr carry it: a stream whose encoding cannot (a redirected stream under a non-Chinese
    code page, an ASCII locale) is switched to UTF-8 rather than failing half-way through a line with
    UnicodeEncodeError."""
    from kiosk.cli import zh_argparse

    zh_argparse.install()
    for stream in (sys.stdout, sys.stderr):
        try:
            "北京时间：专区".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every declared command; with ``only``, just that command's module is loaded."""
    parser = argparse.ArgumentParser(prog="kiosk", description="政务公开专区查询终端")
    parser.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for entry in plugins.declared(plugins.COMMANDS):
        if only is not None and entry.name != only:
            sub.add_parser(entry.name, help=f"（见 `kiosk {entry.name} --help`）")
            continue
        register = plugins.load(entry)
        if isinstance(register, plugins.Missing):
            p = sub.add_parser(entry.name, help=f"（本版本未包含：{register.module}）")
            p.set_defaults(func=_not_in_build(entry.name, register.module))
            continue
        register(sub)
    return parser


def _not_in_build(name: str, module: str) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        print(f"kiosk {name}：本版本未包含此命令（未打包 {module}）；请从源代码运行", file=sys.stderr)
        return 2

    return run


def commands() -> list[str]:
    """The names of the declared commands, in order."""
    return [e.name for e in plugins.declared(plugins.COMMANDS)]


def main(argv: Sequence[str] | None = None) -> int:
    chinese_console()
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in commands() else None)
    args = parser.parse_args(args_list)
    from kiosk.update.layout import program_dir

    program_dir()  # which release this process runs, resolved now (``current`` may be switched later)
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # alembic's every-start chatter: noise on the console and journal
        from kiosk.db import quiet_alembic

        quiet_alembic()
    as_json = bool(getattr(args, "json", False))
    try:
        return int(args.func(args) or 0)
    except KioskError as exc:
        if as_json:  # a monitoring script reads stdout: the failure is JSON too, never a traceback
            print(json_failure(args.command, str(exc)))
        else:
            print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not as_json:
            raise
        logging.getLogger("kiosk.cli").exception("kiosk %s failed", args.command)  # the detail to stderr
        print(json_failure(args.command, f"内部错误（{type(exc).__name__}），详情见日志"))
        return 3


def json_failure(command: str, error: str) -> str:
    """What ``--json`` prints when a command fails before it has its own answer: one JSON object."""
    return json.dumps({"ok": False, "command": command, "error": error}, ensure_ascii=False)
