"""Small helpers shared by the sync tests: content-pack lines and mirror inspection."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def doc(i: int, **kw: Any) -> dict[str, Any]:
    """A small document line of a content pack."""
    base: dict[str, Any] = {
        "id": f"doc-{i:05d}",
        "title": f"测试文件第{i}号关于低保金发放的通知",
        "issuer": "某区民政局",
        "published": "2026-01-05",
        "body": f"正文 {i} " + "政务公开。" * 20,
    }
    base.update(kw)
    return base


ZONES = [
    {"type": "zone", "code": "district", "name": "区政务服务中心", "kind": "district", "prefix": "QZ"},
    {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"},
    {"type": "zone", "code": "hexi", "name": "河西街道", "kind": "street", "prefix": "HX"},
]
CATEGORIES = [{"type": "category", "code": "policy", "name": "政策文件", "facet": "type"}]


def mirror_docs(db: Path) -> dict[str, tuple[int, int, str]]:
    """id -> (version, seq, status) of every document in a terminal's mirror file."""
    con = sqlite3.connect(db)
    try:
        return {r[0]: (r[1], r[2], r[3]) for r in con.execute("SELECT id, version, seq, status FROM documents")}
    finally:
        con.close()


def kv(db: Path, key: str) -> str | None:
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()
