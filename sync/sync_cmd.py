"""``kiosk sync --once [--config FILE]``: one sync run from the command line (IT, cron, tests)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk import config as config_mod


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="sync the mirror with the district server and deliver the outbox")
    p.add_argument("--once", action="store_true", help="one run, then exit (the default)")
    p.add_argument("--config", type=Path, help="terminal configuration (default: the demo terminal)")
    p.add_argument("--page-size", type=int, default=200, help="feed entries per page (1–1000)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sync.client import sync_once

    cfg = config_mod.load(args.config)
    report = sync_once(cfg, page_size=max(1, min(1000, args.page_size)))
    if args.json:
        out = {k: v for k, v in vars(report).items()}
        out["error"] = report.error
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"pages {report.pages}, applied {report.applied}, deleted {report.deleted}, blobs fetched "
              f"{report.blobs_fetched}, collected {report.blobs_collected}, sent {report.pushed}, cursor "
              f"{report.cursor}, manifest v{report.manifest_version}")
        if report.error:
            print(f"同步未完成：{report.error}")
    return 1 if report.error else 0
