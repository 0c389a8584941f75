"""``kiosk bench charfinder`` runs as a command and reports the load beside its baseline and each search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_charfinder_bench_reports_load_baseline_and_searches() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "bench", "charfinder", "--runs", "1"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout[run.stdout.index("{") :])
    assert figures["characters"] > 80_000
    assert figures["load_ms"] > 0 and figures["baseline_read_split_ms"] > 0
    searches = {k: v for k, v in figures.items() if k.startswith("search ")}
    assert len(searches) == 4
    assert any("(ms, 1 hits)" in k for k in searches), "the part 宏 finds 𬭎 alone"
