"""Benchmark: do writers starve during a first sync? ``python -m sync.bench_writers --docs N``.

A real reference server (subprocess) publishes N synthetic documents once (the real publishing code, in
chunks); then each run (``--runs``, in order) takes a fresh terminal whose mirror is written while, in the
same process as the app would, one thread submits an application every ``--submit-every`` seconds (the
real ``kiosk.applications.service.submit``, its own engine) and another reads the sync status on a
read-only engine every 0.2 s. Runs:

- ``idle``: no sync at all for ``--idle-s`` seconds: what a submit costs on this machine (the baseline);
- ``feed-noturns``: first sync page by page with plain BEGIN IMMEDIATE and SQLite's busy handler (the
  code before :class:`kiosk.db.WriteTurns`);
- ``feed``: first sync page by page, writers taking turns;
- ``snapshot``: first sync from the district's signed snapshot (:mod:`sync.snapshot`; the server builds
  it before the runs, as it would on publishing), writers taking turns.

Reported per run: refusals (any exception, "database is locked" included) and the submit's wait (time to
commit) p50/p99/max. Issue 14 item 6: ``--docs 100000 --submit-every 6 --runs idle,snapshot,feed``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert

import kiosk.db
from kiosk.applications import service
from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
from kiosk.db import make_engine, open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.sync_state import read_status
from kiosk.workdays import WorkCalendar
from sync.bench import ServerProcess, _loadavg, _synthetic, _terminal
from sync.client import sync_once
from sync.protocol import signing
from sync.protocol.signing import canonical
from sync.protocol.wire import record_to_wire, wire_to_record
from sync.server.db import FeedDoc, head_seq, meta_set, sessions
from sync.server.feed import snapshot as server_snapshot
from sync.server.feed.publish import _content_hash, publish_pack


def sample_application(i: int) -> Application:
    """The ``i``-th made-up application a writers' load submits (also the starvation test's)."""
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="李堃",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="13912345678",
            address="万宝街道1号",
        ),
        request=RequestedInfo(description=f"第{i}件：2025年度老旧小区改造资金使用情况"),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )


class Load:
    """The resident and staff load beside a sync: a submit every ``submit_every`` s on its own engine, a
    status read every 0.2 s on a read-only engine. Waits and refusals are collected until :meth:`stop`."""

    def __init__(self, db_path: Path, terminal_id: str, submit_every: float) -> None:
        self.db_path, self.terminal_id, self.submit_every = db_path, terminal_id, submit_every
        self.done = threading.Event()
        self.waits: list[float] = []
        self.refusals: list[str] = []
        self.reads = 0
        self.threads = [threading.Thread(target=self._submitter), threading.Thread(target=self._reader)]
        for t in self.threads:
            t.start()

    def _submitter(self) -> None:
        engine = make_engine(self.db_path)
        zone = Zone(code="wanbao", name="万宝", kind="street", prefix="WB")
        i = 0
        while not self.done.wait(self.submit_every):
            i += 1
            t0 = time.perf_counter()
            try:
                with session_factory(engine)() as s:
                    now = datetime.now(timezone(timedelta(hours=8)))
                    service.submit(
                        s,
                        sample_application(i),
                        zone=zone,
                        terminal_id=self.terminal_id,
                        now=now,
                        calendar=WorkCalendar(),
                    )
                self.waits.append(time.perf_counter() - t0)
            except Exception as exc:
                self.refusals.append(f"submit: {type(exc).__name__}: {str(exc)[:80]}")
        engine.dispose()

    def _reader(self) -> None:
        engine = make_engine(self.db_path, read_only=True)
        while not self.done.wait(0.2):
            try:
                with session_factory(engine)() as s:
                    read_status(s)
                self.reads += 1
            except Exception as exc:
                self.refusals.append(f"read: {type(exc).__name__}: {str(exc)[:80]}")
        engine.dispose()

    def stop(self) -> dict[str, Any]:
        self.done.set()
        for t in self.threads:
            t.join()
        w = sorted(self.waits)
        q = statistics.quantiles(w, n=100, method="inclusive") if len(w) >= 2 else [w[0] if w else 0.0] * 99
        return {
            "submits": len(w),
            "reads": self.reads,
            "refusals": self.refusals,
            "p50_ms": statistics.median(w) * 1000 if w else 0.0,
            "p99_ms": q[98] * 1000,
            "max_ms": max(w, default=0.0) * 1000,
        }


RUNS = {
    "idle": "no sync running (the baseline)",
    "feed-noturns": "first sync page by page, plain BEGIN IMMEDIATE (before WriteTurns)",
    "feed": "first sync page by page, writers take turns",
    "snapshot": "first sync from the signed snapshot, writers take turns",
}


def one_run(
    root: Path, server: ServerProcess, kind: str, submit_every: float, *, idle_s: float, page_size: int
) -> dict[str, Any]:
    """One terminal, fresh mirror, under the load; ``kind`` is one of :data:`RUNS`."""
    kiosk.db.WRITE_TURNS = kind != "feed-noturns"
    try:
        cfg = _terminal(root, server, f"{kind}-terminal")
        open_engine(cfg.db_path).dispose()
        load = Load(cfg.db_path, cfg.terminal.id, submit_every)
        t0 = time.perf_counter()
        error: str | None = None
        install_s = 0.0
        if kind == "idle":
            time.sleep(idle_s)
        else:
            report = sync_once(cfg, page_size=page_size, use_snapshot=kind == "snapshot")
            error = report.error
            if kind == "snapshot":
                if report.snapshot is None:
                    error = f"the snapshot was not used: {error}"
                else:
                    install_s = report.snapshot.install_s
        took = time.perf_counter() - t0
        return {"name": kind, "sync_s": took, "sync_error": error, "install_s": install_s, **load.stop()}
    finally:
        kiosk.db.WRITE_TURNS = True


def seed(server: ServerProcess, root: Path, n: int) -> float:
    """Put ``n`` synthetic documents into the server's feed; returns the seconds. The zone and the first
    document go through the real publishing code; the rest are written straight into the feed table in
    the very form publishing gives them (the terminal's first sync is what is measured, not publishing)."""
    t0 = time.perf_counter()
    zone = {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"}
    pack = root / "seed.jsonl"
    pack.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in (zone, _synthetic(0))), "utf-8")
    publish_pack(server.engine, pack)
    with sessions(server.engine)() as session, session.begin():
        head = head_seq(session)
        batch: list[dict[str, Any]] = []
        for i in range(1, n):
            head += 1
            wire = record_to_wire(wire_to_record(_synthetic(i)))
            payload = {"kind": "document", "seq": head, "op": "put", "id": wire["id"], "doc": wire}
            batch.append(
                {
                    "id": wire["id"],
                    "seq": head,
                    "zone": None,
                    "prev_zone": None,
                    "op": "put",
                    "version": int(wire.get("version", 1)),
                    "content_hash": _content_hash(wire),
                    "payload": canonical(payload).decode("utf-8"),
                }
            )
            if len(batch) == 5000:
                session.execute(insert(FeedDoc), batch)
                batch = []
        if batch:
            session.execute(insert(FeedDoc), batch)
        meta_set(session, "head_seq", str(head))
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m sync.bench_writers")
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--submit-every", type=float, default=1.0, help="seconds between application submits")
    ap.add_argument(
        "--runs",
        default="idle,feed-noturns,feed",
        help=f"comma-separated, in order, each on a fresh terminal: {', '.join(k for k in RUNS if RUNS[k])}",
    )
    ap.add_argument("--idle-s", type=float, default=60.0, help="idle: how long the load runs without a sync")
    ap.add_argument("--page-size", type=int, default=200)
    args = ap.parse_args()
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    if any(not RUNS.get(r) for r in runs):
        ap.error(f"--runs: choose from {', '.join(k for k in RUNS if RUNS[k])}")
    with tempfile.TemporaryDirectory(prefix="writers-bench-") as tmp:
        root = Path(tmp)
        key_dir = root / "keys"
        signing.generate(key_dir)
        server = ServerProcess(root / "server", key_dir)
        seeded = seed(server, root, args.docs)
        line = f"{args.docs} documents in the server's feed in {seeded:.0f} s"
        if "snapshot" in runs:
            t0 = time.perf_counter()
            env = server_snapshot.build(
                server.engine, signing.load_signer(key_dir), server.snapshot_dir, "own", "wanbao"
            )
            line += f"; snapshot {env['payload']['size'] / 1e6:.1f} MB built in {time.perf_counter() - t0:.0f} s"
        print(line, flush=True)
        server.start()
        try:
            print(
                f"a submit every {args.submit_every:g} s, a status read every 0.2 s (read-only engine); "
                f"load average {_loadavg()}",
                flush=True,
            )
            for kind in runs:
                r = one_run(root, server, kind, args.submit_every, idle_s=args.idle_s, page_size=args.page_size)
                extra = f"  install held the lock {r['install_s']:.2f} s" if r["install_s"] else ""
                print(
                    f"  {r['name']:12}  {r['sync_s']:7.1f} s  submits {r['submits']:4}  reads {r['reads']:5}  "
                    f"refusals {len(r['refusals']):3}  wait p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                    f"max {r['max_ms']:7.1f} ms{extra}  {r['sync_error'] or ''}",
                    flush=True,
                )
                for why in r["refusals"][:3]:
                    print(f"                {why}")
            print(f"load average {_loadavg()}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
