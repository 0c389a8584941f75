"""``kiosk bench NAME [options]``: run a named benchmark (not a test; figures go to docs/benchmarks.md).

Each benchmark is an entry point in ``pyproject.toml`` (group ``zwgk_kiosk.benchmarks``, read by
:mod:`kiosk.plugins`), declared by the package that implements it: a module exposing
``add_arguments(parser)`` and ``run(args) -> int``. A benchmark whose package this build leaves out (the
frozen terminal has no server) is listed as missing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk import plugins


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="运行指定的基准测试并输出结果（docs/benchmarks.md）")
    names = p.add_subparsers(dest="benchmark", metavar="NAME")
    names.required = True
    for name, mod in plugins.loaded(plugins.BENCHMARKS).items():
        if isinstance(mod, plugins.Missing):  # the frozen terminal program leaves out what it does not run
            bp = names.add_parser(name, help=f"（本版本未包含：{mod.module}）")
            bp.set_defaults(func=_missing(name, mod.module))
            continue
        bp = names.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
        mod.add_arguments(bp)
        bp.set_defaults(func=mod.run)


def _missing(name: str, what: str) -> Any:
    def run(_args: argparse.Namespace) -> int:
        print(f"kiosk bench {name}：本版本未包含此命令（未打包 {what}）；请从源代码运行", file=sys.stderr)
        return 2

    return run


def run(args: argparse.Namespace) -> int:  # pragma: no cover - each benchmark sets its own func
    raise SystemExit("choose a benchmark")
