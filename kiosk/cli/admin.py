"""``kiosk pin-hash``: make the scrypt hash of a staff PIN for a terminal's configuration."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.staff import hash_pin


def register(sub: Any) -> None:
    p = sub.add_parser("pin-hash", help="print the scrypt hash of a staff PIN for [staff] pin_hash")
    p.add_argument("--pin", help="the PIN (asked for when omitted; avoid it on shared shells)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    pin = args.pin or getpass.getpass("staff PIN (4–12 digits): ")
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk pin-hash: {exc}", file=sys.stderr)
        return 2
    return 0
