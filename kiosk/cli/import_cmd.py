"""``kiosk import PACK.jsonl [--db PATH] [--skip-bad]``: import a content pack into a mirror."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.contentpack import import_pack
from kiosk.db import open_engine, session_factory
from kiosk.errors import ContentPackError
from kiosk.mirror.blobs import BlobStore


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="将内容包（JSON Lines）导入内容镜像")
    p.add_argument("pack", type=Path, help=".jsonl 文件")
    p.add_argument("--db", type=Path, help="镜像数据库（默认：本终端的）")
    p.add_argument("--config", type=Path, help="终端配置文件（默认：演示终端）")
    p.add_argument("--skip-bad", action="store_true", help="导入正确的行，报告有错的行")
    p.add_argument("--json", action="store_true", help="以 JSON 输出报告")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.db is not None:
        db_path = args.db
        blob_dir = args.db.parent / (args.db.stem + ".blobs")
    else:
        cfg = config_mod.load(args.config)
        db_path, blob_dir = cfg.db_path, cfg.blob_dir
    t0 = time.perf_counter()
    engine = open_engine(db_path)
    try:
        report = import_pack(session_factory(engine)(), BlobStore(blob_dir), args.pack, skip_bad=args.skip_bad)
    except ContentPackError as exc:
        for n, why in exc.problems:
            print(f"{args.pack}:{n}: {why}", file=sys.stderr)
        if args.json:
            bad = [{"line": n, "problem": why} for n, why in exc.problems]
            print(
                json.dumps(
                    {"ok": False, "error": f"{len(bad)} 行有错；未导入任何内容", "problems": bad}, ensure_ascii=False
                )
            )
            return 1
        print(
            f"kiosk import：{len(exc.problems)} 行有错；未导入任何内容（加 --skip-bad 可导入其余各行）",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    for n, why in report.problems:
        print(f"{args.pack}:{n}: 已跳过：{why}", file=sys.stderr)
    took = time.perf_counter() - t0
    if args.json:
        print(
            json.dumps(
                {"counts": report.counts, "skipped": len(report.problems), "seconds": round(took, 2)},
                ensure_ascii=False,
            )
        )
    else:
        c = report.counts
        print(
            f"已导入 {args.pack.name}，用时 {took:.1f} 秒：新增 {c.get('inserted', 0)} 份，"
            f"更新 {c.get('updated', 0)} 份，状态变更 {c.get('status_changed', 0)} 份，"
            f"未变 {c.get('unchanged', 0)} 份，忽略较旧的 {c.get('older', 0)} 份；"
            f"专区 {c.get('zones', 0)} 个，分类 {c.get('categories', 0)} 个；跳过 {len(report.problems)} 行"
        )
    return 0
