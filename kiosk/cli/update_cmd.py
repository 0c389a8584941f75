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
    p = sub.add_parser("update", help="the installed terminal's release switch: guard, confirm, status")
    p.add_argument("action", choices=["guard", "confirm", "status"])
    p.add_argument("--config", type=Path, help="terminal configuration")
    p.add_argument("--root", type=Path, help="guard: the install root (default: where this program is installed)")
    p.add_argument("--json", action="store_true", help="status: print JSON")
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


def run(args: argparse.Namespace) -> int:
    cfg = config_mod.load(args.config)
    if args.action == "status":
        cur = st.load(cfg.data_dir)
        installed = installed_layout()
        out = asdict(cur) | {"running": installed[1] if installed else None}
        print(json.dumps(out, ensure_ascii=False) if args.json else f"{cur.state} {cur.version or ''} {cur.note}")
        return 0
    if args.action == "guard":
        installed = installed_layout()
        if args.root is None and installed is None:
            raise ConfigError("not an installed release: give --root (the install folder)")
        from kiosk.update.layout import Layout

        layout = Layout(args.root.resolve()) if args.root else installed[0]  # type: ignore[index]
        now = guard.boot_guard(layout, cfg.data_dir)
        print(f"{now.state} {now.version or ''} {now.note}".strip())
        return 0
    return RESTART if confirm_on_start(cfg) else 0
