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


def main() -> int:
    if os.environ.get("KIOSK_DEBUG_IMPORTS"):  # the debug console build prints what it loads
        print(f"kiosk frozen entry: argv={sys.argv!r} meipass={getattr(sys, '_MEIPASS', None)}", file=sys.stderr)
    from kiosk.cli import main as cli_main

    return cli_main(translate(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
