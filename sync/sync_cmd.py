"""``kiosk sync --once [--config FILE]``: one sync run from the command line (IT, cron, tests); without
``--once`` the background loop runs in the foreground until Ctrl-C (a terminal without the app).
``kiosk sync --status`` prints the sync state (read on a read-only engine: it never waits for, or holds
up, a running sync or an application submit)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import config as config_mod
from kiosk.update.hours import BEIJING

if TYPE_CHECKING:
    from sync.client import SyncReport


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="与区级服务器同步内容镜像，并发送待发送的申请")
    p.add_argument("--once", action="store_true", help="同步一次后退出（不加此项：持续同步）")
    p.add_argument("--config", type=Path, help="终端配置文件（默认：演示终端）")
    p.add_argument("--page-size", type=int, default=200, help="每页发布条目数（1–1000）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出报告")
    p.add_argument("--status", action="store_true", help="显示同步状态后退出（只读）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sync.client import sync_once

    cfg = config_mod.load(args.config)
    if args.status:
        return _status(cfg, as_json=args.json)
    if not args.once:
        return _forever(cfg)
    report = sync_once(cfg, page_size=max(1, min(1000, args.page_size)))
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    else:
        print(
            f"{report.pages} 页，更新 {report.applied} 份，删除 {report.deleted} 份，"
            f"下载附件 {report.blobs_fetched} 个，清理附件 {report.blobs_collected} 个，发送 {report.pushed} 件；"
            f"发布序号 {report.cursor}，"
            f"清单第 {report.manifest_version} 版"
        )
        if report.error:
            print(f"同步未完成：{report.error}")
    return 1 if report.error else 0


def report_json(report: SyncReport) -> dict[str, Any]:
    """One run's report as plain JSON (``ok``, the counts, every failure with its part and code)."""
    snap = report.snapshot
    return {
        "ok": report.error is None,
        "pages": report.pages,
        "applied": report.applied,
        "deleted": report.deleted,
        "blobs_fetched": report.blobs_fetched,
        "blobs_collected": report.blobs_collected,
        "pushed": report.pushed,
        "cursor": report.cursor,
        "manifest_version": report.manifest_version,
        "snapshot": None if snap is None else {"documents": snap.documents, "head_seq": snap.head_seq},
        "error": report.error,
        "failures": [{"part": f.part, "code": f.code, "text": f.text} for f in report.failures],
    }


def _status(cfg: config_mod.Config, *, as_json: bool) -> int:
    from kiosk.sync_state import iso, read_status_at

    if not cfg.db_path.exists():
        message = "本机尚无内容库（还没有同步过）"
        print(json.dumps({"ok": False, "error": message}, ensure_ascii=False) if as_json else message)
        return 1
    st = read_status_at(cfg.db_path)
    f = st.last_failure
    out = {
        "last_success_at": iso(st.last_success_at) if st.last_success_at else None,
        "last_attempt_at": iso(st.last_attempt_at) if st.last_attempt_at else None,
        "cursor": st.cursor,
        "behind": st.behind,
        "manifest_version": st.manifest_version,
        "frozen": st.frozen,
        "warning": st.warning,
        "pending_outbox": st.pending_outbox,
        "last_error": st.last_error,
        "last_failure": None if f is None else {"part": f.part, "code": f.code, "text": f.text, "at": iso(f.at)},
        "failures_in_a_row": st.failures_in_a_row,
    }
    if as_json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    at = st.last_success_at
    last = f"{at.replace(tzinfo=dt.UTC).astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）" if at else "从未"
    print(f"上次成功同步：{last}；发布序号 {st.cursor}，尚差 {st.behind} 条；待发送 {st.pending_outbox} 条")
    if st.warning:
        print(st.warning)
    if f is not None:
        print(f"最近错误（{f.code}，连续 {st.failures_in_a_row} 次）：{f.text}")
    return 0


def _printer_summary(cfg: config_mod.Config) -> Callable[[], str] | None:
    """Without the app, the heartbeat asks the configured printers themselves (printing's backends)."""
    if not cfg.printers:
        return None
    from printing.backends import open_printer
    from printing.status import heartbeat_summary

    printers = {p.name: open_printer(p) for p in cfg.printers}
    return lambda: heartbeat_summary(list(printers), lambda name: printers[name].status())


def _forever(cfg: config_mod.Config) -> int:
    """The loop in the foreground until Ctrl-C; an installed release first confirms a pending switch to
    itself (or switches back), and a run that switched releases ends the process with 75 (restart)."""
    import threading

    from kiosk.cli.update_cmd import RESTART, confirm_on_start
    from sync.loop import SyncLoop

    if confirm_on_start(cfg):
        print("新版本自检未通过，已退回原版本；重新启动", flush=True)
        return RESTART

    def show(report: SyncReport) -> None:
        print(
            f"更新 {report.applied} 份，删除 {report.deleted} 份，发送 {report.pushed} 件；发布序号 {report.cursor}"
            + (f"；{report.error}" if report.error else ""),
            flush=True,
        )

    restart = threading.Event()
    loop = SyncLoop(cfg, on_report=show, printer_state=_printer_summary(cfg), on_restart=restart.set)
    loop.start()
    try:
        restart.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        loop.stop()
    print("已切换到新版本；重新启动", flush=True)
    return RESTART
