"""Benchmark: do writers starve during a first sync? ``python -m sync.bench_writers --docs N``.

A real reference server (subprocess) publishes N documents; a terminal runs its first sync while, in the
same process as the app would, one thread submits an application every ``--submit-every`` seconds (the
real ``kiosk.applications.service.submit``, its own engine) and another reads the sync status on a
read-only engine every 0.2 s. Reported: refusals (any exception, "database is locked" included) and the
submit's wait (time to commit) p50/p99/max, with the writers' turns (``kiosk.db.WriteTurns``) and, as the
baseline in the same process run, without them (plain BEGIN IMMEDIATE and SQLite's busy handler).
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

import kiosk.db
from kiosk.applications import service
from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
from kiosk.db import make_engine, open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.sync_state import read_status
from kiosk.workdays import WorkCalendar
from sync import signing
from sync.bench import ServerProcess, _synthetic, _terminal
from sync.client import sync_once
from sync.server.publish import publish_pack


def _application(i: int) -> Application:
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


def one_run(  # noqa: PLR0915 - one measured scenario, read top to bottom
    root: Path, key_dir: Path, n: int, submit_every: float, *, turns: bool
) -> dict[str, Any]:
    kiosk.db.WRITE_TURNS = turns
    name = "turns" if turns else "baseline"
    pack = root / f"{name}.jsonl"
    zone = {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"}
    lines = [zone, *(_synthetic(i) for i in range(n))]
    pack.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    server = ServerProcess(root / name, key_dir)
    publish_pack(server.engine, pack)
    server.start()
    try:
        cfg = _terminal(root, server, f"{name}-terminal")
        open_engine(cfg.db_path).dispose()
        done = threading.Event()
        waits: list[float] = []
        refusals: list[str] = []
        reads = [0]

        def submitter() -> None:
            engine = make_engine(cfg.db_path)
            zone = Zone(code="wanbao", name="万宝", kind="street", prefix="WB")
            i = 0
            while not done.wait(submit_every):
                i += 1
                t0 = time.perf_counter()
                try:
                    with session_factory(engine)() as s:
                        now = datetime.now(timezone(timedelta(hours=8)))
                        service.submit(
                            s, _application(i), zone=zone, terminal_id=cfg.terminal.id, now=now, calendar=WorkCalendar()
                        )
                    waits.append(time.perf_counter() - t0)
                except Exception as exc:
                    refusals.append(f"submit: {type(exc).__name__}: {str(exc)[:80]}")
            engine.dispose()

        def reader() -> None:
            engine = make_engine(cfg.db_path, read_only=True)
            while not done.wait(0.2):
                try:
                    with session_factory(engine)() as s:
                        read_status(s)
                    reads[0] += 1
                except Exception as exc:
                    refusals.append(f"read: {type(exc).__name__}: {str(exc)[:80]}")
            engine.dispose()

        threads = [threading.Thread(target=submitter), threading.Thread(target=reader)]
        for t in threads:
            t.start()
        t0 = time.perf_counter()
        report = sync_once(cfg, page_size=200)
        took = time.perf_counter() - t0
        done.set()
        for t in threads:
            t.join()
        q = statistics.quantiles(waits, n=100, method="inclusive") if len(waits) >= 2 else [0.0] * 99
        return {
            "name": name,
            "sync_s": took,
            "sync_error": report.error,
            "submits": len(waits),
            "reads": reads[0],
            "refusals": refusals,
            "p50_ms": statistics.median(waits) * 1000 if waits else 0.0,
            "p99_ms": q[98] * 1000,
            "max_ms": max(waits, default=0.0) * 1000,
        }
    finally:
        server.stop()
        kiosk.db.WRITE_TURNS = True


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m sync.bench_writers")
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--submit-every", type=float, default=1.0, help="seconds between application submits")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="writers-bench-") as tmp:
        root = Path(tmp)
        key_dir = root / "keys"
        signing.generate(key_dir)
        print(f"first sync of {args.docs} documents, a submit every {args.submit_every:g} s, status read every 0.2 s")
        for turns in (False, True):
            r = one_run(root, key_dir, args.docs, args.submit_every, turns=turns)
            print(
                f"  {r['name']:8}  sync {r['sync_s']:6.1f} s  submits {r['submits']:4}  reads {r['reads']:5}  "
                f"refusals {len(r['refusals']):3}  wait p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                f"max {r['max_ms']:7.1f} ms  {r['sync_error'] or ''}",
                flush=True,
            )
            for why in r["refusals"][:3]:
                print(f"            {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
