"""Fork-check benchmark: ``python -m kiosk bench fork``; figures go to docs/benchmarks.md, "## Fork check".

What the fork check (:mod:`sync.fork`, :mod:`sync.server.feed.chain`) costs a sync, measured beside a sync
without it in the same run: two reference servers in this process (uvicorn on 127.0.0.1), over two
databases with the same content and key, one signing the epoch and chain values into its manifests and
pages, the other not (``create_app(fork_check=False)``: the answers of a server from before the chain, which
a terminal cannot check). One terminal each, the same mirror; then, alternating which goes first, rounds
of: K documents amended on both servers, an incremental sync on each terminal, and a sync where nothing
changed. Bytes are response bodies counted by the client; times are whole runs (``TerminalSync.run``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from kiosk.config import Config
from sync.bench import _loadavg, _sync, _synthetic, _terminal, _write_pack
from sync.protocol import signing
from sync.server.app import create_app
from sync.server.db import open_db
from sync.server.feed.publish import publish_pack


class _Server:
    """A reference server in a thread of this process, with or without the fork check."""

    def __init__(self, folder: Path, key_dir: Path, *, fork_check: bool) -> None:
        folder.mkdir(parents=True)
        self.db_url = f"sqlite:///{folder / 'district.db'}"
        self.engine = open_db(self.db_url)
        self.key_dir = key_dir
        app = create_app(self.engine, signing.load_signer(key_dir), fork_check=fork_check)
        self.uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.uv.run, daemon=True)
        self.url = ""

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.uv.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.uv.servers[0].sockets[0].getsockname()[1]}"

    def stop(self) -> None:
        self.uv.should_exit = True
        self.thread.join(10)
        self.engine.dispose()


def measure(root: Path, mirror: int, changed: int, rounds: int, page_size: int) -> dict[str, dict[str, list[float]]]:
    key_dir = root / "keys"
    signing.generate(key_dir)
    servers = {name: _Server(root / name, key_dir, fork_check=name == "with") for name in ("with", "without")}
    pack = root / "mirror.jsonl"
    _write_pack(pack, [_synthetic(i) for i in range(mirror)])
    out: dict[str, dict[str, list[float]]] = {
        n: {"inc_s": [], "inc_b": [], "noop_s": [], "noop_b": []} for n in servers
    }
    try:
        cfgs: dict[str, Config] = {}
        for name, srv in servers.items():
            publish_pack(srv.engine, pack)
            srv.start()
            cfgs[name] = _terminal(root, srv, f"terminal-{name}")  # type: ignore[arg-type]
            report, _t, _b = _sync(cfgs[name], page_size, use_snapshot=False)
            if report.error:
                raise RuntimeError(f"building the {name} mirror failed: {report.error}")
        step = max(1, mirror // changed)
        for r in range(rounds):
            changes = [_synthetic(i, rev=r + 1) for i in range(r, step * changed, step)][:changed]
            pack_r = root / f"changes-{r}.jsonl"
            _write_pack(pack_r, changes)
            order = list(servers) if r % 2 == 0 else list(reversed(servers))
            for name in order:
                publish_pack(servers[name].engine, pack_r)
            for name in order:
                report, took, got = _sync(cfgs[name], page_size, use_snapshot=False)
                if report.error or report.applied != changed:
                    raise RuntimeError(f"{name}: applied {report.applied}: {report.error}")
                out[name]["inc_s"].append(took)
                out[name]["inc_b"].append(got)
            for name in order:
                report, took, got = _sync(cfgs[name], page_size, use_snapshot=False)
                if report.error:
                    raise RuntimeError(f"{name}: {report.error}")
                out[name]["noop_s"].append(took)
                out[name]["noop_b"].append(got)
    finally:
        for srv in servers.values():
            srv.stop()
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mirror", type=int, default=2000, help="documents on the mirror")
    p.add_argument("--changed", type=int, default=50, help="documents amended per round")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--page-size", type=int, default=200)


def _row(label: str, with_: list[float], without: list[float], unit: str) -> str:
    a, b = statistics.median(with_), statistics.median(without)
    fmt: Any = (lambda v: f"{v:,.0f} B") if unit == "B" else (lambda v: f"{v * 1000:.1f} ms")
    return f"  {label:<34} with {fmt(a):>12}   without {fmt(b):>12}   extra {(a - b) / b * 100:+.2f} %"


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="fork-bench-") as tmp:
        r = measure(Path(tmp), args.mirror, args.changed, args.rounds, args.page_size)
    w, wo = r["with"], r["without"]
    print(
        f"fork check on a {args.mirror}-document mirror, {args.changed} amended per round, "
        f"{args.rounds} rounds, medians (load average {_loadavg()}):"
    )
    print(_row("incremental sync, bytes", w["inc_b"], wo["inc_b"], "B"))
    print(_row("incremental sync, time", w["inc_s"], wo["inc_s"], "s"))
    print(_row("sync with nothing changed, bytes", w["noop_b"], wo["noop_b"], "B"))
    print(_row("sync with nothing changed, time", w["noop_s"], wo["noop_s"], "s"))
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m sync.bench_fork")
    add_arguments(ap)
    raise SystemExit(run(ap.parse_args()))
