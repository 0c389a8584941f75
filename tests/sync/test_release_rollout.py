"""Releases end to end, with the real server and two terminals as processes under a supervisor that does
what systemd does: release N+1 goes to one zone, then to all (a terminal whose hall is open waits for
closing time); a deliberately broken N+2 (its QML shell missing, so its self-test fails) reaches one
terminal with a SIGKILL at each step of download, unpack and switch and at its first start, and the
terminal switches back by itself and says why. Through all of it the terminal keeps its queued
application (the server refusing it meanwhile), its print queue and its mirror. The fleet page is
photographed in headless Chromium at each state (tests/.artifacts/releases/)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chromium
import httpx
import pytest
from hostile import HostileServer, Request
from releasekit import Supervisor, install, make_bundle
from synchelpers import CATEGORIES, ZONES, doc, mirror_docs, submit_application
from syncserver import write_terminal_config

from kiosk import config as config_mod
from kiosk.update.layout import CURRENT, Layout
from sync.server.__main__ import add_terminal
from sync.server.db import Submission, Terminal, open_db, sessions
from sync.server.feed.publish import publish_pack

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / ".artifacts" / "releases"
N, N1, N2 = "2026.12.1", "2026.12.2", "2026.12.3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hours(open_now: bool) -> str:
    """Opening hours that include now (Beijing time), or a window twelve hours away from now."""
    if open_now:
        return "每天 00:00-23:59"
    h = (datetime.now(UTC) + timedelta(hours=8 + 12)).hour
    return f"每天 {h:02d}:00-{(h + 1) % 24:02d}:00"


def _zones(hexi_open: bool) -> list[dict[str, Any]]:
    return [dict(z, hours=_hours(z["code"] == "hexi" and hexi_open)) for z in ZONES]


def _publish(db: Path, lines: list[dict[str, Any]], name: str) -> None:
    pack = db.parent / name
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    engine = open_db(str(db))
    publish_pack(engine, pack)
    engine.dispose()


def _server_cli(db: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sync.server", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _wait(what: str, ok: Callable[[], Any], timeout: float = 180) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = ok()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _up(url: str, server: subprocess.Popen[bytes]) -> bool:
    assert server.poll() is None, "the server died"
    try:
        return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _terminal(db: Path, tid: str) -> Terminal:
    engine = open_db(str(db))
    try:
        with sessions(engine)() as s:
            t = s.get(Terminal, tid)
            assert t is not None
            return t
    finally:
        engine.dispose()


def _paced(rate: int) -> Callable[[Request, Any], Iterator[bytes | float]]:
    """An archive answer passed on at ``rate`` bytes/s (a district link), so steps take visible time."""

    def rule(_r: Request, up: Any) -> Iterator[bytes | float]:
        answer = up()
        step = rate // 10
        for i in range(0, len(answer), step):
            yield answer[i : i + step]
            yield 0.1

    return rule


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium.require()
    drv = chromium.start(tmp_path / "profile", size=(1366, 900), load_timeout=90)
    yield drv
    drv.quit()


class Fleet:
    """The fleet page in Chromium, logged in as IT; ``shot(name)`` at 1366 px (and 390 px when asked)."""

    def __init__(self, drv: Any, url: str, db: Path) -> None:
        from adminlogin import PASSWORD, make_account, submit_and_wait
        from selenium.webdriver.common.by import By

        engine = open_db(str(db))
        make_account(engine)
        engine.dispose()
        self.drv, self.url, self.by = drv, url, By
        drv.get(f"{url}/admin/login")
        drv.find_element(By.ID, "username").send_keys("it-admin")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def shot(self, name: str, *, narrow: bool = False) -> str:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.drv.set_window_size(1366, 900)
        self.drv.get(f"{self.url}/admin/fleet")
        text = str(self.drv.find_element(self.by.TAG_NAME, "body").text)
        height = self.drv.execute_script("return document.body.scrollHeight")
        self.drv.set_window_size(1366, max(900, int(height) + 120))
        self.drv.save_screenshot(str(ARTIFACTS / f"{name}-1366.png"))
        if narrow:
            self.drv.set_window_size(390, 900)
            height = self.drv.execute_script("return document.body.scrollHeight")
            self.drv.set_window_size(390, max(900, int(height) + 120))
            self.drv.save_screenshot(str(ARTIFACTS / f"{name}-390.png"))
        return text


def _print_job(db: Path) -> None:
    """A receipt that failed (paper out), waiting in the print queue for staff."""
    from datetime import datetime as _dt

    from kiosk.db import make_engine, session_factory
    from kiosk.printjobs import PrintJob

    engine = make_engine(db)
    with session_factory(engine)() as s, s.begin():
        s.add(
            PrintJob(
                printer="receipt",
                kind="receipt",
                content_type="escpos",
                label="HX01-20261207-0001",
                state="failed",
                reason="paper_out",
                payload=b"\x1b@receipt",
                size=10,
                created_at=_dt(2026, 12, 7, 10, 0),
            )
        )
    engine.dispose()


def _attempts(db: Path, tracking_no: str) -> int:
    """How often the terminal has tried to send the application (its outbox entry)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute("SELECT payload, attempts FROM outbox WHERE kind = 'application'").fetchall()
    finally:
        con.close()
    tries = [int(n) for payload, n in rows if payload and tracking_no in str(payload)]
    assert len(tries) == 1, rows
    return tries[0]


def _print_jobs(db: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return [(str(a), str(b)) for a, b in con.execute("SELECT label, state FROM print_jobs")]
    finally:
        con.close()


@pytest.mark.timeout(1200)  # five releases' archives, a dozen restarts, Chromium: ~6 min on 2 busy cores
def test_release_rollout_rollback_and_kill_9_at_every_step(tmp_path: Path, district_keys: Path, browser: Any) -> None:
    db = tmp_path / "district.db"
    _publish(db, [*_zones(hexi_open=True), *CATEGORIES, *(doc(i) for i in range(1, 21))], "district.jsonl")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.server",
            "serve",
            "--db",
            str(db),
            "--key",
            str(district_keys),
            "--state",  # this test's own record of the signed feed (the key folder is shared)
            str(tmp_path / "feed-state.json"),
            "--port",
            str(port),
            "--sync-interval",
            "2",
        ],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=(tmp_path / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    proxy = HostileServer(port)  # the district's link: archives at 8 MB/s
    proxy.rule("/v1/releases/", lambda r, up: _paced(8 * 1024 * 1024)(r, up) if "/archive" in r.path else [up()])
    sups: dict[str, Supervisor] = {}

    # IT builds and publishes N+1 and then the broken N+2 while the terminals start and take N+1: a
    # published release reaches no terminal before it is rolled out (each rollout below waits for its
    # release's publication).
    def build_and_publish(version: str) -> None:
        make_bundle(tmp_path / "bundles" / version, broken=version == N2)
        _server_cli(db, "release", "publish", str(tmp_path / "bundles" / version), "--version", version)

    it_desk = ThreadPoolExecutor(1)
    published = {v: it_desk.submit(build_and_publish, v) for v in (N1, N2)}
    try:
        _wait("the server", lambda: _up(url, server), 60)
        cfgs: dict[str, config_mod.Config] = {}
        for zone in ("wanbao", "hexi"):
            tid, token = add_terminal(str(db), zone)
            root = tmp_path / zone / "opt"
            install(root, N)
            path = tmp_path / zone / "terminal.toml"
            write_terminal_config(
                path,
                terminal_id=tid,
                zone=zone,
                server=proxy.url,
                token=token,
                trust=district_keys / "district-signing.pub",
                data=tmp_path / zone / "data",
            )
            path.write_text(path.read_text().replace("[server]\n", "[server]\nsync_interval_s = 2\ntimeout_s = 5\n"))
            cfgs[tid] = config_mod.load(path)
            sups[tid] = Supervisor(root, path, tmp_path / zone / "supervisor.log", tmp_path / zone / "data")
            sups[tid].start()
        wanbao, hexi = "wanbao-01", "hexi-01"
        _wait("both terminals on N", lambda: all(_terminal(db, t).app_version == N for t in sups))
        fleet = Fleet(browser, url, db)
        fleet.shot("1-all-on-N")

        # N+1 to one zone: wanbao (closed now) switches; hexi is not offered it
        published[N1].result()
        _server_cli(db, "release", "rollout", N1, "--zones", "wanbao")
        _wait(
            "wanbao on N+1",
            lambda: _terminal(db, wanbao).app_version == N1 and _terminal(db, wanbao).update_state == "confirmed",
        )
        assert _terminal(db, hexi).app_version == N and Layout(tmp_path / "hexi" / "opt").installed() == [N]
        assert Layout(tmp_path / "wanbao" / "opt").linked(CURRENT) == N1
        text = fleet.shot("2-wanbao-on-N1")
        assert "已更新 2026.12.2" in text and "版本发布进度" in text

        # N+1 to all: hexi's hall is open, so it downloads and waits for closing time
        _server_cli(db, "release", "rollout", N1, "--all")
        _wait("hexi staged", lambda: _terminal(db, hexi).update_state == "staged")
        text = fleet.shot("3-hexi-waits-for-closing", narrow=True)
        assert "等闭馆后切换" in text and _terminal(db, hexi).app_version == N
        _publish(db, _zones(hexi_open=False), "zones-closed.jsonl")  # evening at 河西街道
        _wait(
            "hexi on N+1",
            lambda: _terminal(db, hexi).app_version == N1 and _terminal(db, hexi).update_state == "confirmed",
        )
        fleet.shot("4-all-on-N1")

        # what hexi holds: an application the server refuses for now, a failed receipt, its mirror
        hexi_cfg = cfgs[hexi]
        proxy.rule("/v1/submissions/application", lambda _r, _u: [b"HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n"])
        tracking_no = submit_application(hexi_cfg, name="赵敏", zone=("hexi", "HX"))
        _print_job(hexi_cfg.db_path)
        docs_before = mirror_docs(hexi_cfg.db_path)

        # a broken N+2 to hexi, with a SIGKILL at every step
        published[N2].result()
        sup = sups[hexi]
        steps = ["download", "unpack", "switch", "switched", "confirm"]
        sup.crash_plan = list(steps)
        killed_before = sup.exits.count(-9)
        sup.restart()  # the next start carries the first crash point
        _server_cli(db, "release", "rollout", N2, "--zones", "hexi")
        _wait(
            "hexi downloading N+2",
            lambda: _terminal(db, hexi).update_state in ("downloading", "staged", "switched", "rolled_back"),
            120,
        )
        _wait(
            "hexi rolled back",
            lambda: _terminal(db, hexi).update_state == "rolled_back" and _terminal(db, hexi).app_version == N1,
            300,
        )
        assert sup.exits.count(-9) - killed_before == len(steps), (
            sup.exits,
            (tmp_path / "hexi" / "supervisor.log").read_text()[-3000:],
        )
        assert 75 in sup.exits  # the broken release failed its health checks and asked to be restarted
        t = _terminal(db, hexi)
        assert "自检未通过" in (t.update_note or "") and "界面文件" in (t.update_note or "")
        assert Layout(tmp_path / "hexi" / "opt").linked(CURRENT) == N1
        text = fleet.shot("5-hexi-rolled-back", narrow=True)
        assert "已自动退回" in text and "自检未通过" in text

        # nothing lost: the print queue, the mirror, and the application (delivered once the server takes it)
        assert ("HX01-20261207-0001", "failed") in _print_jobs(hexi_cfg.db_path)
        assert mirror_docs(hexi_cfg.db_path) == docs_before
        engine = open_db(str(db))
        with sessions(engine)() as s:
            assert s.query(Submission).filter(Submission.tracking_no == tracking_no).count() == 0
        proxy.rules = [r for r in proxy.rules if r[0] != "/v1/submissions/application"]
        # each refusal doubled the entry's backoff (jittered, up to 5 s · 2^attempts): the wait allows for
        # the longest one the terminal may have drawn (a refusal still on its way counted too), plus two minutes
        attempts = _attempts(hexi_cfg.db_path, tracking_no)
        _wait("the application delivered", lambda: _count(engine, tracking_no) == 1, 5 * 2 ** (attempts + 1) + 120)
        time.sleep(3)
        assert _count(engine, tracking_no) == 1
        engine.dispose()
        # and hexi stays on N+1: the version it rolled back from is never offered to it again
        assert _terminal(db, hexi).app_version == N1
        fleet.shot("6-final", narrow=True)
    finally:
        it_desk.shutdown(cancel_futures=True)
        for s in sups.values():
            s.stop()
        proxy.close()
        server.terminate()
        server.wait(30)


def _count(engine: Any, tracking_no: str) -> int:
    with sessions(engine)() as s:
        return int(s.query(Submission).filter(Submission.tracking_no == tracking_no).count())
