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
    p = sub.add_parser("import", help="import a content pack (JSON Lines) into the mirror")
    p.add_argument("pack", type=Path, help="the .jsonl file")
    p.add_argument("--db", type=Path, help="mirror database (default: the terminal's)")
    p.add_argument("--config", type=Path, help="terminal configuration (default: the demo terminal)")
    p.add_argument("--skip-bad", action="store_true", help="import the good lines and report the bad ones")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
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
            print(json.dumps({"ok": False, "error": "nothing was imported", "problems": bad}, ensure_ascii=False))
            return 1
        print(
            f"kiosk import: {len(exc.problems)} bad line(s); nothing was imported (use --skip-bad to import the rest)",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    for n, why in report.problems:
        print(f"{args.pack}:{n}: skipped: {why}", file=sys.stderr)
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
            f"imported {args.pack.name} in {took:.1f} s: {c.get('inserted', 0)} new, {c.get('updated', 0)} "
            f"updated, {c.get('status_changed', 0)} status changed, {c.get('unchanged', 0)} unchanged, "
            f"{c.get('older', 0)} older ignored, {c.get('zones', 0)} zones, {c.get('categories', 0)} "
            f"categories, {len(report.problems)} skipped"
        )
    return 0
