"""Writers never starve: a real first sync (page by page) from the real reference server on 127.0.0.1,
while one thread submits real applications (``kiosk.applications.service.submit``, its own writer engine)
and another reads the sync status on a read-only engine (``kiosk.sync_state.read_status_at``), as the app
and the staff screen do. Asserted: no refusal at all (no "database is locked", no error of any kind),
and every submit committed within :data:`MAX_SUBMIT_WAIT_S`.

The bound: 5 s. SQLite's busy timeout here is 10 s, so a writer that loses every retry to the sync is
refused at 10 s; with the writers' turns (``kiosk.db.WriteTurns``) a submit waits for at most the one
page transaction in progress (tens to a few hundred ms on the 2-core machine), so 5 s leaves a loaded CI
machine more than ten times the room. Run it with ``SYNCFAULTS_WITHOUT_TURNS=1`` to see it fail with the
turns switched off (plain BEGIN IMMEDIATE and SQLite's busy handler): refusals or waits past the bound.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import kiosk.db
from kiosk.applications import service
from kiosk.db import make_engine, open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.sync_state import read_status_at
from kiosk.workdays import WorkCalendar
from sync.bench_writers import sample_application
from sync.client import sync_once

DOCS = 1500
PAGE = 50
SUBMIT_EVERY_S = 0.25
READ_EVERY_S = 0.1
MAX_SUBMIT_WAIT_S = 5.0
WITHOUT_TURNS = os.environ.get("SYNCFAULTS_WITHOUT_TURNS") == "1"


def _doc(i: int) -> dict[str, str]:
    return {
        "id": f"w-{i:06d}",
        "title": f"关于第{i}批城乡低保资金发放情况的公示",
        "issuer": "某区民政局",
        "published": "2026-03-01",
        "body": f"第{i}号公示。" + "根据有关规定，现将低保资金发放情况予以公示，接受群众监督。" * 8,
    }


@pytest.fixture
def turns_as_asked() -> object:
    kiosk.db.WRITE_TURNS = not WITHOUT_TURNS
    yield kiosk.db.WRITE_TURNS
    kiosk.db.WRITE_TURNS = True


def test_a_first_sync_never_starves_submits_or_status_reads(server, data_dir: Path, turns_as_asked: object) -> None:
    server.publish_lines([_doc(i) for i in range(DOCS)])
    cfg = server.terminal(data_dir)
    open_engine(cfg.db_path).dispose()  # the app has migrated its mirror before it syncs
    done = threading.Event()
    waits: list[float] = []
    refusals: list[str] = []
    reads = [0]

    def submitter() -> None:
        engine = make_engine(cfg.db_path)
        zone = Zone(code="wanbao", name="万宝", kind="street", prefix="WB")
        i = 0
        try:
            while not done.wait(SUBMIT_EVERY_S):
                i += 1
                t0 = time.perf_counter()
                try:
                    with session_factory(engine)() as s:
                        now = datetime.now(timezone(timedelta(hours=8)))
                        service.submit(
                            s,
                            sample_application(i),
                            zone=zone,
                            terminal_id=cfg.terminal.id,
                            now=now,
                            calendar=WorkCalendar(),
                        )
                    waits.append(time.perf_counter() - t0)
                except Exception as exc:
                    refusals.append(f"submit {i}: {type(exc).__name__}: {str(exc)[:120]}")
        finally:
            engine.dispose()

    def reader() -> None:
        while not done.wait(READ_EVERY_S):
            try:
                read_status_at(cfg.db_path)
                reads[0] += 1
            except Exception as exc:
                refusals.append(f"read: {type(exc).__name__}: {str(exc)[:120]}")

    threads = [threading.Thread(target=submitter), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    try:
        report = sync_once(cfg, page_size=PAGE, use_snapshot=False)  # the page-by-page first sync
    finally:
        took = time.perf_counter() - t0
        done.set()
        for t in threads:
            t.join(60)
    worst = max(waits, default=0.0)
    summary = (
        f"turns={'off' if WITHOUT_TURNS else 'on'} sync {took:.1f} s ({report.pages} pages), "
        f"{len(waits)} submits (median {statistics.median(waits) if waits else 0:.3f} s, max {worst:.3f} s), "
        f"{reads[0]} status reads, refusals {refusals[:3]}, load {Path('/proc/loadavg').read_text().split()[:3]}"
    )
    print(summary)
    assert report.error is None and report.applied == DOCS, report.error
    assert took > 3 * SUBMIT_EVERY_S, "the sync was too short to overlap the writers"
    assert not refusals, summary
    assert len(waits) >= took / SUBMIT_EVERY_S / 4, summary  # submits kept coming in during the sync
    assert worst <= MAX_SUBMIT_WAIT_S, summary
    assert reads[0] >= took / READ_EVERY_S / 4, summary
