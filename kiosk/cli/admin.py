"""``kiosk pin-hash``: make the scrypt hash of a staff PIN for a terminal's configuration.

The PIN is asked for twice at a console, or read from the first line of stdin in a script; it is never
an argument, where ``ps`` and the shell's history would show it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.errors import KioskError
from kiosk.staff import hash_pin


def register(sub: Any) -> None:
    p = sub.add_parser(
        "pin-hash",
        help="输出工作人员 PIN 的 scrypt 哈希，填入 [staff] pin_hash（交互输入，或读标准输入的第一行）",
    )
    p.set_defaults(func=run)


def read_pin() -> str:
    """The PIN: typed twice without echo at a console, else the first line of stdin."""
    if sys.stdin.isatty():
        pin = getpass.getpass("工作人员 PIN（4–12 位数字）：")
        if getpass.getpass("再输一次同一个 PIN：") != pin:
            raise KioskError("两次输入的 PIN 不一致")
        return pin
    pin = sys.stdin.readline().strip()
    if not pin:
        raise KioskError("标准输入中没有 PIN")
    return pin


def run(args: argparse.Namespace) -> int:
    pin = read_pin()
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk pin-hash: {exc}", file=sys.stderr)
        return 2
    return 0
