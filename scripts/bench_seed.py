#!/usr/bin/env python3
"""Benchmark: seeding a fresh terminal with the demo district, beside baselines from the same run.

    .venv/bin/python scripts/bench_seed.py [--rounds 5]

For each round, in a fresh data folder: ``kiosk.seed.ensure_seeded`` (migrate, import both demo packs
with their attachments, build the search index). Baselines, same process, same rounds:
- ``read+parse``: reading the pack files and ``json.loads`` of every line (the least any import does);
- ``raw insert``: the same documents inserted with plain ``sqlite3`` ``executemany`` into a bare table in
  one transaction, with no ORM, no validation and no search index (what storage alone costs).
Prints the medians (wall and CPU seconds) and the seed's ratio to each baseline.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.config import demo_config  # noqa: E402
from kiosk.paths import demo_dir  # noqa: E402
from kiosk.seed import ensure_seeded  # noqa: E402


def timed(fn: Callable[[Path], object], rounds: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            w0, c0 = time.perf_counter(), time.process_time()
            fn(Path(tmp))
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def seed(tmp: Path) -> None:
    assert ensure_seeded(demo_config(tmp / "terminal"))


def read_parse(_tmp: Path) -> None:
    for f in sorted(demo_dir().glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            json.loads(line)


def raw_insert(tmp: Path) -> None:
    rows = []
    for f in sorted(demo_dir().glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            if obj.get("type", "document") == "document":
                rows.append((obj["id"], obj["title"], obj.get("body", "")))
    con = sqlite3.connect(tmp / "raw.db")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE d(id TEXT PRIMARY KEY, title TEXT, body TEXT)")
    with con:
        con.executemany("INSERT INTO d VALUES (?, ?, ?)", rows)
    con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    seed(Path(tempfile.mkdtemp()))  # warm-up: imports, pypinyin's dictionaries
    results = {
        "seed demo (ensure_seeded)": timed(seed, args.rounds),
        "baseline read+parse": timed(read_parse, args.rounds),
        "baseline raw insert": timed(raw_insert, args.rounds),
    }
    docs = sum(
        1
        for f in demo_dir().glob("*.jsonl")
        for line in f.read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("type", "document") == "document"
    )
    size = sum(f.stat().st_size for f in demo_dir().rglob("*") if f.is_file())
    print(f"demo pack: {docs} documents, {size / 1e6:.1f} MB on disk; median of {args.rounds} rounds")
    seed_wall, seed_cpu = results["seed demo (ensure_seeded)"]
    for name, (wall, cpu) in results.items():
        ratio = "" if name.startswith("seed") else f"   seed = {seed_wall / wall:.1f}x wall, {seed_cpu / cpu:.1f}x CPU"
        print(f"{name:<28} {wall:6.2f} s wall {cpu:6.2f} s CPU{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
