"""Crashes: ``kill -9`` of a syncing process at random moments, and an application's exactly-once
delivery across kills before and after its POST and a response lost after the server committed."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from synchelpers import doc, kv, mirror_docs

from kiosk import outbox
from kiosk.db import open_engine, session_factory
from kiosk.sync_state import now_utc
from sync.client import sync_once
from sync.server.db import FeedDoc, Submission, sessions

ROOT = Path(__file__).resolve().parents[2]


def _spawn(cfg_path: Path, page_size: int = 10) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sync", "--once", "--config", str(cfg_path), "--page-size", str(page_size)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assert_at_page_boundary(server, db: Path) -> int:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    cursor = int(kv(db, "sync.cursor") or 0)
    with sessions(server.engine)() as s:
        expected = {r.id: r.seq for r in s.scalars(select(FeedDoc).where(FeedDoc.seq <= cursor))}
    docs = mirror_docs(db)
    assert {k: v[1] for k, v in docs.items()} == expected, f"mirror not at page boundary {cursor}"
    return cursor


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_the_mirror_at_a_page_boundary(server, proxy, data_dir: Path) -> None:
    total = 1000  # 100 pages of 10: a kill after up to 1 s lands mid-sync even on a fast machine
    server.publish_lines([doc(i) for i in range(1, total + 1)])
    cfg = server.terminal(data_dir, url=proxy.url)  # the proxy only passes traffic on; its log shows progress
    assert cfg.path is not None
    open_engine(cfg.db_path).dispose()  # migrate first: these kills aim at sync, not at schema set-up
    rng = random.Random(20261127)
    cursors = []
    for _ in range(4):
        seen = sum(1 for p, _ in proxy.log if p.startswith("/v1/changes"))
        proc = _spawn(cfg.path)
        # wait for its first feed request (or for it to finish: then there is nothing left to interrupt)
        _wait(
            lambda seen=seen, proc=proc: (
                proc.poll() is not None or sum(1 for p, _ in proxy.log if p.startswith("/v1/changes")) > seen
            ),
            60,
        )
        # somewhere inside the page loop (fetching, verifying or applying): 100 pages take far longer than
        # 2.5 s, while the first page may take a second to commit on a loaded machine
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        cursors.append(_assert_at_page_boundary(server, cfg.db_path))
    assert any(0 < c < total for c in cursors), f"no kill landed mid-sync: {cursors}"
    proc = _spawn(cfg.path)
    assert proc.wait(120) == 0
    assert _assert_at_page_boundary(server, cfg.db_path) == total and len(mirror_docs(cfg.db_path)) == total


def _application() -> dict[str, object]:
    return {
        "tracking_no": "WB01-20261127-0042",
        "zone": "wanbao",
        "submitted_at": "2026-11-27T09:30:00+08:00",
        "applicant": {"kind": "citizen", "name": "李四", "phone": "13912345678"},
        "request": {"description": "村务公开材料"},
    }


def _enqueue(cfg) -> None:
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        outbox.enqueue(s, "application", _application(), key="application-test-0042")
    engine.dispose()


def _server_rows(server) -> int:
    with sessions(server.engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Submission).where(Submission.kind == "application")))


def _outbox_state(cfg) -> tuple[bool, str | None]:
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        e = s.scalar(select(outbox.OutboxEntry).where(outbox.OutboxEntry.kind == "application"))
        assert e is not None
        state = (e.acked_at is not None, e.response)
    engine.dispose()
    return state


def _wait(cond, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("moment", ["before_post_reaches_server", "after_server_committed"])
def test_application_exactly_once_across_kill_9(server, proxy, data_dir: Path, moment: str) -> None:
    cfg = server.terminal(data_dir, url=proxy.url)
    _enqueue(cfg)
    mode = "hold_request" if moment == "before_post_reaches_server" else "hold_response"
    proxy.set_fault(mode, "/v1/submissions/application")
    proc = _spawn(cfg.path)
    _wait(lambda: any(p.startswith("/v1/submissions/application") for p, _ in proxy.log))
    if moment == "after_server_committed":
        _wait(lambda: _server_rows(server) == 1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _server_rows(server) == (0 if moment == "before_post_reaches_server" else 1)
    assert _outbox_state(cfg)[0] is False  # not acknowledged: the payload is still on the terminal
    proxy.clear()
    report = sync_once(cfg)
    assert report.error is None and report.pushed == 1
    assert _server_rows(server) == 1
    acked, response = _outbox_state(cfg)
    assert acked and json.loads(response or "{}")["tracking_no"] == "WB01-20261127-0042"


def test_application_exactly_once_when_the_response_is_lost(server, proxy, data_dir: Path) -> None:
    cfg = server.terminal(data_dir, url=proxy.url)
    _enqueue(cfg)
    proxy.set_fault("drop_response", "/v1/submissions/application", times=1)
    report = sync_once(cfg)
    assert report.error and _server_rows(server) == 1 and _outbox_state(cfg)[0] is False
    later = now_utc() + timedelta(hours=2)  # past the backoff
    report = sync_once(cfg, now=later)
    assert report.error is None and report.pushed == 1
    assert _server_rows(server) == 1 and _outbox_state(cfg)[0] is True
