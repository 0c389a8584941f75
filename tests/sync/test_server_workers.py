"""Stateless workers: two server processes on one PostgreSQL behind one port (a round-robin proxy, as a
reverse proxy would be) count the same enrolment failures, status-page guesses and login failures, and
build one lazy snapshot between them that a terminal's first sync installs — every request alternating
between the two. With the old in-memory limiters each process would have seen half the failures and let
them through."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from adminlogin import PASSWORD, make_account
from rrproxy import RoundRobinProxy
from synchelpers import CATEGORIES, ZONES, doc, mirror_docs
from syncserver import write_terminal_config

from kiosk import config as config_mod
from sync.client import sync_once
from sync.protocol import signing
from sync.server.__main__ import add_terminal
from sync.server.db import ServerBase, open_db
from sync.server.feed.publish import publish_pack
from sync.server.feed.snapshot import LAZY_MIN_HEAD
from sync.server.terminals import enrol

HTML = {"Accept": "text/html"}
SERVE = [sys.executable, "-m", "sync.server", "serve"]


def STATE(tmp: Path) -> list[str]:
    """This test's own record of the signed feed (the session's key folder is shared by many servers)."""
    return ["--state", str(tmp / "feed-state.json")]


APP = {
    "tracking_no": "WB01-20261207-0001",
    "zone": "wanbao",
    "submitted_at": "2026-12-07T09:00:00+08:00",
    "applicant": {"name": "王五", "id_number": "11010519491231002X", "phone": "13700001111"},
    "request": {"description": "2026年财政预算"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_workers(postgres_url: str, district_keys: Path, tmp_path: Path) -> Iterator[tuple[str, RoundRobinProxy, str]]:
    engine = open_db(postgres_url)
    pack = tmp_path / "pack.jsonl"
    lines = [*ZONES, *CATEGORIES, *(doc(i) for i in range(1, LAZY_MIN_HEAD + 1))]
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    publish_pack(engine, pack)
    snapshots = tmp_path / "snapshots"
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen(
            [
                *SERVE,
                "--db",
                postgres_url,
                "--key",
                str(district_keys),
                "--port",
                str(p),
                "--snapshots",
                str(snapshots),
                "--state",  # this test's own record of the signed feed (the key folder is shared)
                str(tmp_path / "feed-state.json"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"worker-{p}.log").open("wb"),
        )
        for p in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for p in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{p}/status", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / f"worker-{p}.log").read_text()
                time.sleep(0.2)
        proxy = RoundRobinProxy(ports)
        yield f"http://127.0.0.1:{proxy.port}", proxy, postgres_url
        proxy.close()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        ServerBase.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()


def _fresh(url: str, **kw: object) -> httpx.Client:
    """A client that opens a new connection per request, so the proxy alternates the workers."""
    return httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0), **kw)  # type: ignore[arg-type]


@pytest.mark.slow
def test_two_workers_share_limits_lockouts_and_one_snapshot_build(
    two_workers: tuple[str, RoundRobinProxy, str], district_keys: Path, tmp_path: Path
) -> None:
    url, proxy, db_url = two_workers
    engine = open_db(db_url)
    # Enrolment: a real code redeems through one worker; then twenty wrong codes, alternating, close it
    # for this source — the twenty-first is refused by whichever worker gets it.
    issued = enrol.register(engine, "wanbao")
    c = _fresh(url)
    ok = c.post("/v1/enrol", json={"code": enrol.format_code(issued.code)})
    assert ok.status_code == 200, ok.text
    token = ok.json()["token"]
    wrong = [c.post("/v1/enrol", json={"code": f"ZZZZZ-{i:05d}"}).status_code for i in range(21)]
    assert wrong[:20] == [404] * 20 and wrong[20] == 429, wrong
    # The status page: five wrong four-digit answers for one number, then refused on either worker.
    t = _fresh(url, headers={"Authorization": f"Bearer {token}"})
    r = t.post("/v1/submissions/application", json=APP, headers={"Idempotency-Key": "w-app-1"})
    assert r.status_code == 200, r.text
    guesses = [c.post("/status", data={"no": APP["tracking_no"], "tail": f"{i:04d}"}).status_code for i in range(6)]
    assert guesses == [404] * 5 + [429], guesses
    # Logins: three wrong passwords, then the wait applies on both workers.
    make_account(engine)
    codes = []
    for i in range(5):
        form = c.get("/admin/login", headers=HTML)
        m = re.search(r"name=['\"]csrf['\"] value=['\"]([^'\"]+)['\"]", form.text)
        assert m is not None, form.text
        password = PASSWORD if i == 4 else f"wrong-password-{i}"
        codes.append(
            c.post("/admin/login", data={"username": "it-admin", "password": password, "csrf": m.group(1)}).status_code
        )
    assert codes == [401, 401, 401, 429, 429], codes
    # A first sync: both workers are asked for the snapshot; one builds it (a lease in the database), the
    # terminal installs it and takes the feed after it, all through the alternating proxy.
    cfg_path = tmp_path / "term.toml"
    tid, term_token = add_terminal(db_url, "wanbao")
    write_terminal_config(
        cfg_path,
        terminal_id=tid,
        zone="wanbao",
        server=url,
        token=term_token,
        trust=district_keys / signing.PUBLIC_NAME,
        data=tmp_path / "term",
    )
    cfg = config_mod.load(cfg_path)
    deadline = time.monotonic() + 120
    while True:
        desc = [_fresh(url, headers={"Authorization": f"Bearer {term_token}"}).get("/v1/snapshot") for _ in range(2)]
        if all(d.status_code == 200 for d in desc):
            break
        assert time.monotonic() < deadline, [d.text for d in desc]
        time.sleep(1)
    builds = sum(1 for p in tmp_path.glob("snapshots/*.sqlite.gz"))
    assert builds == 1  # one build between the two workers
    report = sync_once(cfg)
    assert report.error is None, report.error
    assert report.snapshot is not None and report.snapshot.documents == LAZY_MIN_HEAD
    assert len(mirror_docs(cfg.db_path)) == LAZY_MIN_HEAD
    assert set(proxy.connections) == set(proxy.connections[:2]) and len(set(proxy.connections)) == 2
    engine.dispose()


@pytest.mark.slow
def test_serve_workers_runs_n_processes_on_one_port(tmp_path: Path, district_keys: Path) -> None:
    """``serve --workers 2``: the database is migrated once, two worker processes answer on one port."""
    db = tmp_path / "district.db"
    port = _free_port()
    proc = subprocess.Popen(
        [*SERVE, "--db", str(db), "--key", str(district_keys), "--port", str(port), "--workers", "2", *STATE(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/status", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        workers = [
            c
            for c in children
            if "sync.server" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")
            or "multiprocessing" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")
        ]
        assert len(workers) >= 2, children
        answers = [_fresh(f"http://127.0.0.1:{port}").get("/status").status_code for _ in range(6)]
        assert answers == [200] * 6
    finally:
        proc.terminate()
        proc.wait(30)
