"""``kiosk update guard|confirm|status``: the installed terminal's release switch, from the command line.

guard     before each start (the unit's ExecStartPre, run from the *previous* release): settle a
          half-done switch, count an unconfirmed one, switch back a release that did not come up
          healthy within the bound (kiosk.update.guard)
confirm   in a freshly switched release: run the health checks, confirm it or switch back (exit 75:
          the supervisor then starts the old release)
status    the updater's state (``--json`` for scripts)
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from kiosk.update import guard
from kiosk.update import state as st
from kiosk.update.layout import installed_layout

RESTART = 75  # EX_TEMPFAIL: the supervisor starts the program again (into the release now current)


def register(sub: Any) -> None:
    p = sub.add_parser("update", help="已安装终端的版本切换：guard 启动前检查、confirm 确认新版本、status 查看状态")
    p.add_argument("action", choices=["guard", "confirm", "status"])
    p.add_argument("--config", type=Path, help="终端配置文件")
    p.add_argument("--root", type=Path, help="guard：安装目录（默认：本程序的安装位置）")
    p.add_argument("--json", action="store_true", help="status：以 JSON 输出")
    p.set_defaults(func=run)


def failed_health_checks(cfg: config_mod.Config) -> list[str]:
    """The names of the health checks a new release must pass that failed (kiosk.selftest.HEALTH_CHECKS)."""
    from kiosk.selftest import HEALTH_CHECKS, Verdict, run_checks

    return [r.name for r in run_checks(cfg, HEALTH_CHECKS) if r.verdict is Verdict.FAIL]


def confirm_on_start(cfg: config_mod.Config) -> bool:
    """At start-up of an installed release: confirm a pending switch to it, or switch back. True when the
    process must exit (with :data:`RESTART`) so the supervisor starts the release now current."""
    installed = installed_layout()
    if installed is None:
        return False
    layout, running = installed
    done = guard.confirm(layout, cfg.data_dir, running, lambda: failed_health_checks(cfg))
    return done is not None and done.state == "rolled_back"


def describe(cur: st.UpdateState, running: str | None) -> str:
    """The updater's state as IT reads it: ``更新状态：已更新（confirmed），版本 2026.12.2；正在运行 2026.12.2``."""
    parts = [f"更新状态：{st.STATE_LABELS.get(cur.state, cur.state)}（{cur.state}）"]
    if cur.version:
        parts.append(f"，版本 {cur.version}")
    if running:
        parts.append(f"；正在运行 {running}")
    if cur.note:
        parts.append(f"；{cur.note}")
    return "".join(parts)


def run(args: argparse.Namespace) -> int:
    cfg = config_mod.load(args.config)
    if args.action == "status":
        cur = st.load(cfg.data_dir)
        installed = installed_layout()
        out = asdict(cur) | {"running": installed[1] if installed else None}
        print(json.dumps(out, ensure_ascii=False) if args.json else describe(cur, installed[1] if installed else None))
        return 0
    if args.action == "guard":
        installed = installed_layout()
        if args.root is None and installed is None:
            raise ConfigError("本程序不是已安装的版本：请用 --root 给出安装目录")
        from kiosk.update.layout import Layout

        layout = Layout(args.root.resolve()) if args.root else installed[0]  # type: ignore[index]
        now = guard.boot_guard(layout, cfg.data_dir)
        print(describe(now, None))
        return 0
    return RESTART if confirm_on_start(cfg) else 0
