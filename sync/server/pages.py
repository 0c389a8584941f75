"""Plain server-rendered HTML pages: the fleet for IT and the evaluation for the 政务公开 office.

No personal data appears on either page: applications are counted, never listed with their contents.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from sync.server import layout
from sync.server.db import Terminal, utcnow


def _table(head: list[str], rows: list[list[Any]]) -> str:
    return layout.table(head, rows)


def fleet_page(session: Session, head: int, request: Request | None = None) -> str:
    now = utcnow()
    rows = []
    for t in session.scalars(select(Terminal).order_by(Terminal.zone, Terminal.id)):
        if t.last_heartbeat_at is None:
            seen = "从未"
        else:
            minutes = int((now - t.last_heartbeat_at).total_seconds() // 60)
            seen = f"{t.last_heartbeat_at:%Y-%m-%d %H:%M} ({minutes} 分钟前)"
        behind = "" if t.mirror_seq is None else str(max(0, head - t.mirror_seq))
        rows.append(
            [
                t.id,
                t.zone,
                seen,
                t.app_version or "",
                t.printer_state or "",
                t.mirror_synced_at or "",
                behind,
                "" if t.free_disk_mb is None else f"{t.free_disk_mb} MB",
                "" if t.pending_outbox is None else t.pending_outbox,
            ]
        )
    head_cols = ["终端", "专区", "最近心跳", "版本", "打印机", "镜像最近同步", "落后(序号)", "剩余磁盘", "待发送"]
    return layout.page("终端运行情况", f"<p>发布序号 head = {head}</p>" + _table(head_cols, rows), request)
