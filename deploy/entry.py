"""The frozen kiosk program's entry point (PyInstaller runs this; ``build_kiosk.spec`` names it).

With no arguments the program starts the touch screen (``kiosk run``). Two flags a terminal's
installer and autostart use read as in the design: ``--smoke`` (offscreen: start, paint home, exit) and
``--self-test`` (check fonts, QML, database, printers, server; exit non-zero on failure). Anything else
is the ordinary ``kiosk`` command line (``kiosk-terminal import PACK.jsonl``, ``kiosk-terminal sync``, …).
"""

from __future__ import annotations

import os
import sys


def translate(argv: list[str]) -> list[str]:
    """Map the frozen program's arguments onto the ``kiosk`` command line."""
    if not argv:
        return ["run"]
    if argv[0] == "--self-test":
        return ["self-test", *argv[1:]]
    if argv[0] in ("--smoke", "--windowed", "--config"):
        return ["run", *argv]
    return argv


def config_arg(argv: list[str]) -> str | None:
    """The value of ``--config`` in ``argv`` (either ``--config FILE`` or ``--config=FILE``), if any."""
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def log_to_file(argv: list[str]) -> None:
    """A terminal started by systemd or the task scheduler has no console to read: ``run`` also writes the
    rotating JSON log in the data folder. A configuration problem is left for the command to report."""
    from kiosk import config
    from kiosk.errors import ConfigError
    from kiosk.logsetup import setup_logging

    try:
        cfg = config.load(config_arg(argv))
    except ConfigError:
        return
    setup_logging(cfg.log_dir, console=True)


def main() -> int:
    if os.environ.get("KIOSK_DEBUG_IMPORTS"):  # the debug console build prints what it loads
        print(f"kiosk frozen entry: argv={sys.argv!r} meipass={getattr(sys, '_MEIPASS', None)}", file=sys.stderr)
    from kiosk.cli import main as cli_main

    argv = translate(sys.argv[1:])
    if argv[:1] == ["run"]:
        log_to_file(argv)
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
