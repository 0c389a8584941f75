"""``kiosk bench NAME [options]``: run a named benchmark (not a test; figures go to docs/benchmarks.md).

A small registry: :data:`BENCHMARKS` maps a benchmark name to the module that implements it. Each
module exposes ``add_arguments(parser)`` and ``run(args) -> int``. Other areas add their own line here
(e.g. ``"sync": "sync.bench"``); modules are imported only when their benchmark is chosen.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

# benchmark name -> module with add_arguments(parser) and run(args)
BENCHMARKS: dict[str, str] = {
    "search": "kiosk.bench.search",
    "search-eval": "kiosk.bench.search_eval",  # recall@10 / MRR by kind on the labelled queries, vs baselines
    "charfinder": "kiosk.bench.charfinder",  # the rare-character finder's table load and searches
    "forms": "printing.pdf.bench",  # A4 PDF generation (printing/ may not be imported by kiosk/ itself)
    "receipts": "printing.bench",  # ESC/POS receipt and queue-ticket bytes
    "sync": "sync.bench",  # first sync vs one-file download; incremental sync bytes vs changed records
    "fork": "sync.bench_fork",  # the fork check's extra bytes and time per sync, beside a sync without it
    "wizard": "ui.bench_wizard",  # 提交申请 → tracking number painted → receipt printed, vs the core submit
    "screens": "ui.bench",  # start, transition, keystroke→results, frames under writes, memory (needs Qt)
}


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="run a named benchmark and print its figures")
    names = p.add_subparsers(dest="benchmark", metavar="NAME")
    names.required = True
    for name, module in BENCHMARKS.items():
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:  # the frozen terminal program leaves out what it does not run (the server)
            bp = names.add_parser(name, help=f"(not in this build: {exc.name or exc})")
            bp.set_defaults(func=_missing(name, str(exc.name or exc)))
            continue
        bp = names.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
        mod.add_arguments(bp)
        bp.set_defaults(func=mod.run)


def _missing(name: str, what: str) -> Any:
    def run(_args: argparse.Namespace) -> int:
        print(f"kiosk bench {name}: not in this build ({what} is left out); run it from the source", file=sys.stderr)
        return 2

    return run


def run(args: argparse.Namespace) -> int:  # pragma: no cover - each benchmark sets its own func
    raise SystemExit("choose a benchmark")
