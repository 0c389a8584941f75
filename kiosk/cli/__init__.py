"""The ``kiosk`` command line: ``python -m kiosk COMMAND …``.

Each command lives in its own module under ``kiosk/cli/`` (or elsewhere, for commands that need Qt or
HTTP and must not be imported by the core) and exposes ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable taking the parsed arguments and returning an exit code. Modules are
imported lazily by name so ``kiosk search`` never pays for Qt.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence

from kiosk.errors import KioskError

# command name -> module providing register(); modules outside kiosk/ hold commands that need Qt/HTTP.
COMMANDS: dict[str, str] = {
    "import": "kiosk.cli.import_cmd",
    "pin-hash": "kiosk.cli.admin",
    "search": "kiosk.cli.search_cmd",
    "bench": "kiosk.cli.bench_cmd",
    "sync": "sync.sync_cmd",
    "enrol": "sync.enrol_cmd",
    "run": "ui.commands",
    "screenshot": "ui.commands",
    "self-test": "kiosk.cli.selftest_cmd",
    "install": "kiosk.cli.install_cmd",
    "update": "kiosk.cli.update_cmd",
}


def program() -> str:
    """How a person starts this program, for hints: the frozen executable's path, else ``python -m kiosk``."""
    if getattr(sys, "frozen", False):
        return sys.executable
    return "python -m kiosk"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="政务公开专区 query kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=f"(see `kiosk {name} --help`)")
            continue
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(args_list)
    from kiosk.update.layout import program_dir

    program_dir()  # which release this process runs, resolved now (``current`` may be switched later)
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
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
