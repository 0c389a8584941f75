"""``python -m sync.server backup|restore|lost``: the district's backup and restore commands
(:mod:`sync.server.recovery`; the drill is in docs/deploy.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sync.server import pii, recovery
from sync.server.db import normalize_url, open_db, sessions, utcnow
from sync.server.terminals.fleet import beijing


def add_parsers(sub: Any) -> None:
    b = sub.add_parser("backup", help="备份运行中的服务器数据库（SQLite 在线备份）")
    b.add_argument("--db", required=True)
    b.add_argument("--out", type=Path, required=True, help="要写入的备份文件（原子替换）")
    r = sub.add_parser("restore", help="从备份恢复并开启新的发布纪元（须先停止服务器）")
    r.add_argument("--db", required=True)
    r.add_argument("--from", dest="source", type=Path, help="SQLite：备份文件（PostgreSQL：先用 pg_restore）")
    r.add_argument("--key", type=Path, required=True, help="签名密钥文件夹（其中的 feed-state.json）")
    r.add_argument("--state", type=Path, help="签发记录文件（默认：密钥旁的 feed-state.json）")
    r.add_argument("--snapshots", type=Path, help="要清空的快照文件夹（默认与 serve 相同）")
    lo = sub.add_parser("lost", help="终端已告知申请人已受理、而本服务器没有的申请")
    lo.add_argument("--db", required=True)
    lo.add_argument("--all", action="store_true", help="也列出已标为跟进过的")
    lo.add_argument("--resolve", metavar="TRACKING_NO", help="将一件标为政务公开办已跟进")


def add_serve_arguments(sv: Any) -> None:
    """``serve --state FILE``: where the last signed manifest is recorded (the guard against old databases)."""
    sv.add_argument("--state", type=Path, help="最近一次签发清单的记录（默认：密钥旁的 feed-state.json）")


def run(args: argparse.Namespace, default_snapshot_dir: Any) -> int | None:
    """Run a recovery command; None when ``args`` is another command."""
    if args.cmd == "backup":
        out = recovery.backup_sqlite(args.db, args.out)
        print(f"备份已写入：{out}（{out.stat().st_size} 字节）")
        print(
            "请在另一块磁盘上与它一起保存：密钥文件夹（district-signing.key、keyset.json、root.pub、roots/、"
            f"feed-state.json）和个人信息密钥环 {pii.default_path(normalize_url(args.db))}"
            "（没有它，备份中的申请无法读取）"
        )
        return 0
    if args.cmd == "restore":
        state_file = args.state or recovery.state_path(args.key)
        snaps = args.snapshots or default_snapshot_dir(args.db)
        st = recovery.restore(args.db, args.source, state_file, snaps)
        print(
            f"已恢复：发布纪元 {st.epoch}，发布序号 {st.head_seq}，清单版本保持为 {st.manifest_version}；"
            "各终端下次同步时自动核对，并报告本数据库缺少的申请（python -m sync.server lost --db …）"
        )
        return 0
    if args.cmd == "lost":
        return _lost(args)
    return None


def _utc(text: str | None) -> dt.datetime | None:
    """A terminal's ISO time (``2026-12-08T02:27:33Z``) as naive UTC; None when it is not one."""
    try:
        t = dt.datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _lost(args: argparse.Namespace) -> int:
    engine = open_db(args.db)
    try:
        with sessions(engine)() as s, s.begin():
            if args.resolve:
                rows = list(
                    s.scalars(
                        select(recovery.LostApplication).where(recovery.LostApplication.tracking_no == args.resolve)
                    )
                )
                for row in rows:
                    row.resolved_at = utcnow()
                print(f"{args.resolve}：{'已标为已跟进' if rows else '不在清单中'}")
                return 0 if rows else 1
            rows = recovery.lost_applications(s, open_only=not args.all)
            if not rows:
                print("没有缺失的已受理申请")
            else:
                print("受理编号                 专区         终端             终端收到确认 / 报告时间（北京时间）")
            for row in rows:
                done = "  (已跟进)" if row.resolved_at else ""
                acked = beijing(_utc(row.acked_at)) or "?"
                print(
                    f"{row.tracking_no:<24} {row.zone:<12} {row.terminal_id:<16} 确认于 {acked}"
                    f"  报告于 {beijing(row.reported_at)}{done}"
                )
    finally:
        engine.dispose()
    return 0
