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
STATES = {"active": "正常", "disabled": "已停用", "locked": "已锁定"}
ROLE_LABELS = {"it": "信息技术（it）", "office": "政务公开办（office）", "department": "承办部门（department）"}


def last_login(info: auth.AccountInfo) -> str:
    """When the account last logged in, Beijing time, labelled."""
    if info.last_login_at is None:
        return "从未"
    return f"{info.last_login_at.replace(tzinfo=dt.UTC).astimezone(BEIJING):%Y-%m-%d %H:%M} 北京时间"


def add_parser(sub: Any) -> None:
    ac = sub.add_parser(
        "account", help="管理页面账号：add、list、passwd、roles、disable、enable、totp-on、totp-off、audit"
    )
    actions = ["add", "list", "passwd", "roles", "disable", "enable", "totp-on", "totp-off", "audit"]
    ac.add_argument("action", choices=actions)
    ac.add_argument("name", nargs="?")
    ac.add_argument("--limit", type=int, default=100, help="audit：显示最近多少条登录记录")
    ac.add_argument("--db", required=True)
    ac.add_argument("--role", action="append", help="it（终端、注册）或 office（政务公开办）；可重复")


def read_password(prompt: str = "密码：") -> str:
    """The new password: asked twice on a terminal, else the first line of stdin (never from argv)."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(prompt)
        if getpass.getpass("再输一次：") != first:
            raise KioskError("两次输入的密码不一致；未做任何改动")
        return first
    line = sys.stdin.readline()
    if not line:
        raise KioskError("标准输入中没有密码")
    return line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    """``account add|list|passwd|roles|disable|enable|totp-on|totp-off|audit``."""
    engine = open_db(args.db)
    try:
        if args.action == "list":
            infos = auth.list_accounts(engine)
            if not infos:
                print("没有账号：任何人都无法打开管理页面（用 'account add 账号名 --role it' 创建）")
            for info in infos:
                d = auth.describe(info)
                print(
                    f"{d['username']:<20} {d['roles']:<10} {STATES.get(d['state'], d['state']):<4} "
                    f"最近登录 {last_login(info)}"
                )
            return 0
        if args.action == "audit":
            _audit(engine, args.limit, args.name or "")
            return 0
        if not args.name:
            raise KioskError(f"account {args.action} 需要账号名")
        if args.action == "add":
            roles = auth.parse_roles(args.role or [])
            name = auth.add_account(engine, args.name, roles, read_password())
            print(f"账号 {name} 已创建，角色：{'、'.join(ROLE_LABELS.get(r, r) for r in roles)}")
        elif args.action == "passwd":
            auth.set_password(engine, args.name, read_password())
            print(f"{args.name} 的密码已更改；其登录会话已全部结束，锁定（如有）已解除")
        elif args.action == "roles":
            auth.set_roles(engine, args.name, auth.parse_roles(args.role or []))
            print(f"{args.name} 的角色已更改")
        elif args.action in ("disable", "enable"):
            auth.set_disabled(engine, args.name, args.action == "disable")
            print(f"账号 {args.name} {'已停用' if args.action == 'disable' else '已启用'}")
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
        print("请用本人的身份验证器应用扫描或录入以下内容（只显示这一次，须保密）：")
        print(uri)
    else:
        print(f"账号 {name} 今后只凭密码登录")


def _audit(engine: Any, limit: int, name: str) -> None:
    """The newest login events, in Beijing time, with the outcome in Chinese."""
    with sessions(engine)() as s:
        for ev in login.recent_events(s, limit, name):
            when = ev.at.replace(tzinfo=dt.UTC).astimezone(BEIJING)
            label = login.OUTCOME_LABELS.get(ev.outcome, ev.outcome)
            print(f"{when:%Y-%m-%d %H:%M:%S} 北京时间  {ev.username:<20} {ev.source:<16} {label}")
