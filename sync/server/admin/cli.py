"""``python -m sync.server account …``: the admin accounts of the server's pages, their optional
second factor (TOTP) and the login audit, from the command line (passwords are read from the terminal or
stdin, never from the arguments)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from kiosk.errors import KioskError
from sync.server.admin import auth, login
from sync.server.db import open_db, sessions

BEIJING = dt.timezone(dt.timedelta(hours=8))


def add_parser(sub: Any) -> None:
    ac = sub.add_parser(
        "account", help="admin accounts: add, list, passwd, roles, disable, enable, totp-on, totp-off, audit"
    )
    actions = ["add", "list", "passwd", "roles", "disable", "enable", "totp-on", "totp-off", "audit"]
    ac.add_argument("action", choices=actions)
    ac.add_argument("name", nargs="?")
    ac.add_argument("--limit", type=int, default=100, help="audit: how many of the newest login events")
    ac.add_argument("--db", required=True)
    ac.add_argument("--role", action="append", help="it (terminals, enrolment) or office (政务公开 office); repeatable")


def read_password(prompt: str = "password: ") -> str:
    """The new password: asked twice on a terminal, else the first line of stdin (never from argv)."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(prompt)
        if getpass.getpass("again: ") != first:
            raise KioskError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    if not line:
        raise KioskError("no password on stdin")
    return line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    """``account add|list|passwd|roles|disable|enable|totp-on|totp-off|audit``."""
    engine = open_db(args.db)
    try:
        if args.action == "list":
            infos = auth.list_accounts(engine)
            if not infos:
                print("no accounts: nobody can open the admin pages (create one with 'account add NAME --role it')")
            for info in infos:
                d = auth.describe(info)
                print(f"{d['username']:<20} {d['roles']:<10} {d['state']:<9} last login {d['last_login']}")
            return 0
        if args.action == "audit":
            _audit(engine, args.limit, args.name or "")
            return 0
        if not args.name:
            raise KioskError(f"account {args.action} needs a NAME")
        if args.action == "add":
            roles = auth.parse_roles(args.role or [])
            name = auth.add_account(engine, args.name, roles, read_password())
            print(f"account {name} created with role(s) {','.join(roles)}")
        elif args.action == "passwd":
            auth.set_password(engine, args.name, read_password())
            print(f"password of {args.name} changed; its sessions were ended and any lockout lifted")
        elif args.action == "roles":
            auth.set_roles(engine, args.name, auth.parse_roles(args.role or []))
            print(f"roles of {args.name} changed")
        elif args.action in ("disable", "enable"):
            auth.set_disabled(engine, args.name, args.action == "disable")
            print(f"account {args.name} {args.action}d")
        elif args.action in ("totp-on", "totp-off"):
            _totp(engine, args.name, args.action == "totp-on")
    finally:
        engine.dispose()
    return 0


def _totp(engine: Any, name: str, on: bool) -> None:
    with sessions(engine)() as s, s.begin():
        if on:
            uri = login.enable_totp(s, auth.check_username(name))
        else:
            login.disable_totp(s, auth.check_username(name))
    if on:
        print("scan this into the person's authenticator app (shown once; it is a secret):")
        print(uri)
    else:
        print(f"account {name} logs in with its password alone")


def _audit(engine: Any, limit: int, name: str) -> None:
    """The newest login events, in Beijing time, with the outcome in Chinese."""
    with sessions(engine)() as s:
        for ev in login.recent_events(s, limit, name):
            when = ev.at.replace(tzinfo=dt.UTC).astimezone(BEIJING)
            label = login.OUTCOME_LABELS.get(ev.outcome, ev.outcome)
            print(f"{when:%Y-%m-%d %H:%M:%S} 北京时间  {ev.username:<20} {ev.source:<16} {label}")
