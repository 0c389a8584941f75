"""``kiosk self-test [--config FILE] [--json]``: check fonts, QML, database, printers, server and disk.

Prints a table (or one JSON object with ``--json``), logs one JSON line per check to the terminal's log,
and exits 1 when any check failed (0 otherwise). The frozen program runs it as ``kiosk --self-test``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.selftest import failed, format_table, run_checks


def register(sub: Any) -> None:
    p = sub.add_parser("self-test", help="检查字体、QML、数据库、打印机、服务器连通和磁盘")
    p.add_argument("--config", type=Path, help="终端配置文件（默认：演示终端）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = config_mod.load(args.config)
    from kiosk.logsetup import file_logger

    log = file_logger("kiosk.selftest", cfg.log_dir)  # the table goes to the console, the lines to the file
    results = list(run_checks(cfg))
    for r in results:
        log.info(
            "self-test %s: %s",
            r.name,
            r.verdict.value,
            extra={"event": "self_test", "check": r.name, "verdict": r.verdict.value, "ms": round(r.ms)},
        )
    if args.json:
        print(
            json.dumps(
                {
                    "passed": not failed(results),
                    "checks": [
                        {"name": r.name, "verdict": r.verdict.value, "detail": r.detail, "ms": round(r.ms)}
                        for r in results
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        print(format_table(results))
    return 1 if failed(results) else 0
