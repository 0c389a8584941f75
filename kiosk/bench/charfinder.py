"""The rare-character finder's table: load time beside reading the file alone, and search times.

``kiosk bench charfinder [--runs N]`` loads ``assets/charfinder`` N times (median) next to a plain read
and split of ``hanzi.tsv`` in the same run (the I/O floor), then times the searches a resident makes
(a radical and strokes, a part alone, the largest part) 20 times each. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from kiosk.charfinder import CharFinder
from kiosk.paths import assets_dir

QUERIES: list[tuple[str, str, int | None, str]] = [
    ("钅 + 7 strokes", "167'", 7, ""),
    ("the part 宏", "", None, "宏"),
    ("the part 口 (the largest)", "", None, "口"),
    ("水氵 any strokes", "85", None, ""),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=5, help="loads to take the median of (default 5)")


def run(args: argparse.Namespace) -> int:
    folder = assets_dir() / "charfinder"
    reads, loads = [], []
    finder = None
    for _ in range(max(1, args.runs)):
        t0 = time.perf_counter()
        (folder / "hanzi.tsv").read_text(encoding="utf-8").splitlines()
        reads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        finder = CharFinder.load(folder)
        loads.append(time.perf_counter() - t0)
    assert finder is not None
    out: dict[str, object] = {
        "characters": len(finder),
        "load_ms": round(statistics.median(loads) * 1000),
        "baseline_read_split_ms": round(statistics.median(reads) * 1000),
    }
    for label, radical, residual, parts in QUERIES:
        t0 = time.perf_counter()
        for _ in range(20):
            hits = finder.search(radical, residual, parts)
        out[f"search {label} (ms, {len(hits)} hits)"] = round((time.perf_counter() - t0) / 20 * 1000, 2)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0
