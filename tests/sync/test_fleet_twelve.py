"""The district's twelve terminals, end to end, as IT sets them up (docs/deploy.md).

A real server (``python -m sync.server serve``) with twelve published zones and a printer template;
per terminal one server command (``terminal add``) and one terminal command (``kiosk enrol``); then the
terminals run: eleven headless sync loops (``kiosk sync``) and one touchscreen app (``kiosk run``,
offscreen; the frozen program when ``KIOSK_BUNDLE`` names a built bundle) whose heartbeat carries its
print service's printer state. Printers are emupos (an independent ESC/POS emulator): one zone's
printer is faked out of paper. The fleet page and its JSON must show all twelve by name and zone, the
paper-out printer, and 离线 for a terminal once it stops.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from adminlogin import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ZONES = [
    ("district", "区政务服务中心", "QZ"),
    ("wanbao", "万宝镇", "WB"),
    ("hexi", "河西街道", "HX"),
    ("chayuan", "茶园镇", "CY"),
    ("shimen", "石门镇", "SM"),
    ("longtan", "龙潭镇", "LT"),
    ("qingshan", "青山乡", "QS"),
    ("baisha", "白沙镇", "BS"),
    ("huaqiao", "花桥镇", "HQ"),
    ("jinzhu", "金竹乡", "JZ"),
    ("yangliu", "杨柳镇", "YL"),
    ("taoyuan", "桃源街道", "TY"),
]
PAPER_OUT_ZONE = "baisha"
INTERVAL_S = 5
PIN = "583920"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software"}
    env.update(extra)
    return env


def _run(args: list[str], stdin: str = "", cwd: Path | None = None) -> str:
    r = subprocess.run(
        [sys.executable, "-m", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
        cwd=cwd,
        check=False,
    )
    assert r.returncode == 0, f"{args[:3]}: {r.stderr[-800:]}"
    return r.stdout


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited with {proc.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def emupos(tmp_path: Path) -> Iterator[tuple[int, int, str]]:
    """emupos with two TCP receipt printers, ``good`` and ``bad``: (good port, bad port, api URL)."""
    made = subprocess.run(
        [str(ROOT / "scripts" / "emupos-env")], capture_output=True, text=True, timeout=600, check=False
    )
    if made.returncode != 0:
        pytest.fail(f"scripts/emupos-env failed: {made.stderr[-500:]}")
    exe = made.stdout.strip().splitlines()[-1]
    good, bad, api = _free_port(), _free_port(), _free_port()
    devices = "".join(
        f"  - id: {name}\n    type: printer\n    profile: xprinter-xp80t\n"
        f"    connections:\n      - tcp: {{ host: 127.0.0.1, port: {port} }}\n    receipts_dir: ./{name}\n"
        for name, port in (("good", good), ("bad", bad))
    )
    (tmp_path / "emupos.yaml").write_text(
        f"schema: 1\napi: {{ host: 127.0.0.1, port: {api} }}\ndevices:\n{devices}", encoding="utf-8"
    )
    proc = subprocess.Popen(
        [exe, "run", "--config", "emupos.yaml"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for port in (good, bad, api):
            _wait_port(port, proc)
        url = f"http://127.0.0.1:{api}"
        r = httpx.put(f"{url}/api/v1/devices/bad/faults/paper-out", timeout=10)
        assert r.status_code == 204, r.text
        yield good, bad, url
    finally:
        proc.terminate()
        proc.wait(10)


def _fleet(c: httpx.Client) -> dict[str, dict[str, object]]:
    r = c.get("/admin/api/fleet")
    assert r.status_code == 200, r.text
    return {t["id"]: t for t in r.json()["terminals"]}


def _heartbeats(db: str) -> dict[str, datetime | None]:
    """Each terminal's last heartbeat as the server recorded it (naive UTC, to the microsecond: the fleet
    page shows minutes)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute("SELECT id, last_heartbeat_at FROM terminals").fetchall()
    finally:
        con.close()
    return {str(i): datetime.fromisoformat(str(t)) if t else None for i, t in rows}


def _both(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Two independent commands side by side (the machine has two cores; each command is one)."""
    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(first), pool.submit(second)]:
            f.result()


# 36 Python processes (24 enrolment commands, two at a time; twelve terminals) and a served server: about
# 75 s on a quiet 2-core machine (94 s with the enrolments one after another), over the suite's 300 s
# default when the machine is busy (seen at load 7-10).
@pytest.mark.timeout(600)
def test_twelve_terminals_enrolled_running_and_watched(tmp_path: Path, emupos: tuple[int, int, str]) -> None:
    good, bad, _api = emupos
    db, keys = str(tmp_path / "district.db"), tmp_path / "keys"
    pack = tmp_path / "zones.jsonl"
    pack.write_text(
        "".join(
            json.dumps(
                {
                    "type": "zone",
                    "code": c,
                    "name": n,
                    "kind": "district" if c == "district" else "township",
                    "prefix": p,
                },
                ensure_ascii=False,
            )
            + "\n"
            for c, n, p in ZONES
        )
        + json.dumps(
            {"id": "notice-1", "title": "关于政务公开专区试运行的通知", "body": "全区十二台终端试运行。"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    printer_files = {}
    for zone, printer_port in (("*", good), (PAPER_OUT_ZONE, bad)):
        f = tmp_path / f"printers-{zone.strip('*') or 'all'}.toml"
        f.write_text(
            f'[[printers]]\nname = "receipt"\nrole = "receipt"\nkind = "tcp"\ntarget = "127.0.0.1:{printer_port}"\n',
            encoding="utf-8",
        )
        printer_files[zone] = f

    # The key folder is the key's alone; the database's commands come one after another (the zones first:
    # a zone's printer template needs the zone).
    def database() -> None:
        _run(["sync.server", "publish", "--db", db, str(pack)])
        for zone, f in printer_files.items():
            _run(["sync.server", "printers", "set", "--db", db, "--zone", zone, "--file", str(f)])
        _run(["sync.server", "account", "add", "it-admin", "--role", "it", "--db", db], stdin=PASSWORD + "\n")

    _both(lambda: _run(["sync.server", "keygen", "--out", str(keys)]), database)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "sync.server", "serve", "--db", db, "--key", str(keys), "--port", str(port)),
            *("--sync-interval", str(INTERVAL_S), "--offline-after-missed", "3"),
        ],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    terminals: list[subprocess.Popen[bytes]] = []
    try:
        _wait_port(port, server)

        # One command per terminal on each side, timed; two terminals are set up at a time (two people,
        # or one at two consoles: each command is one process on one core).
        def enrol(zone: str) -> tuple[Path, float, float]:
            t0 = time.perf_counter()
            out = _run(
                ["sync.server", "terminal", "add", "--db", db, "--zone", zone, "--server", url, "--key", str(keys)]
            )
            t1 = time.perf_counter()
            command = re.search(r"在终端上以 root 身份运行：\n\s+kiosk (enrol .+)", out)
            assert command, out
            cfg = tmp_path / zone / "terminal.toml"
            args = [*command.group(1).split(), "--out", str(cfg), "--data", str(tmp_path / zone / "data")]
            _run(["kiosk", *args, "--pin-stdin", "--user", "root"], stdin=PIN + "\n", cwd=tmp_path)
            return cfg, t1 - t0, time.perf_counter() - t1

        with ThreadPoolExecutor(2) as pool:
            enrolled = list(pool.map(enrol, [zone for zone, _name, _prefix in ZONES]))
        configs = {f"{zone}-01": cfg for (zone, _n, _p), (cfg, _s, _t) in zip(ZONES, enrolled, strict=True)}
        t_server, t_terminal = sum(e[1] for e in enrolled), sum(e[2] for e in enrolled)
        print(f"\nenrolment per terminal: server {t_server / 12:.2f} s, terminal {t_terminal / 12:.2f} s")
        for tid, cfg in configs.items():
            text = cfg.read_text(encoding="utf-8")
            assert f'id = "{tid}"' in text and 'content_pack = ""' in text and "246810" not in text

        # Start them: the touchscreen app for one (frozen when a bundle is given), sync loops for the rest.
        bundle = os.environ.get("KIOSK_BUNDLE")
        app_zone = "wanbao"
        for tid, cfg in configs.items():
            if tid.startswith(app_zone):
                cmd = [str(Path(bundle) / "kiosk")] if bundle else [sys.executable, "-m", "kiosk"]
                cmd += ["run", "--config", str(cfg), "--windowed"]
            else:
                cmd = [sys.executable, "-m", "kiosk", "sync", "--config", str(cfg)]
            terminals.append(
                subprocess.Popen(
                    cmd, env=_env(HOME=str(tmp_path / "home")), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
            )

        admin = httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/html"})
        form = admin.get("/admin/login")
        token = re.search(r"name='csrf' value='([^']+)'", form.text)
        assert token
        r = admin.post("/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": token.group(1)})
        assert r.status_code == 303

        deadline = time.monotonic() + 180
        fleet: dict[str, dict[str, object]] = {}
        while time.monotonic() < deadline:
            fleet = _fleet(admin)
            print(f"{time.monotonic() - deadline + 180:.0f} s:", sorted((k, v["state"]) for k, v in fleet.items()))
            ready = all(
                t["state"] == "online" and t["printers"] and all(p["state"] != "starting" for p in t["printers"])  # type: ignore[union-attr]
                for t in fleet.values()
            )  # the app's first heartbeat may come before its print service has started
            if len(fleet) == 12 and ready:
                break
            for p in terminals:
                assert p.poll() is None, p.stderr.read().decode(errors="replace")[-2000:] if p.stderr else ""
            time.sleep(1)
        assert len(fleet) == 12 and all(t["state"] == "online" for t in fleet.values()), json.dumps(
            fleet, ensure_ascii=False
        )[:3000]
        names = {z: n for z, n, _p in ZONES}
        for tid, t in fleet.items():
            zone = tid[:-3]
            assert t["zone_name"] == names[zone] and t["name"] == f"{names[zone]} 01 号机"
            want = "paper_out" if zone == PAPER_OUT_ZONE else "ready"
            assert [p["state"] for p in t["printers"]] == [want], (tid, t["printers"])  # type: ignore[union-attr]
        page = admin.get("/admin/fleet").text
        assert all(n in page for _z, n, _p in ZONES) and "缺纸" in page and "北京时间" in page

        # One stops: 离线 after three missed heartbeats (3 × 1.1 × 5 s); the eleven that run stay 在线.
        # "Stay 在线" is the server's rule applied to heartbeats that keep coming: a running terminal's next
        # heartbeat is due one interval (±10 %) after its run ends, so on a machine at load 10 a run that
        # takes longer than 2.2 intervals (11 s) makes it 离线 for a moment, as the rule says it should (the
        # one failure seen: 10 在线 instead of 11, at load 10+). So the
        # page is read until it shows hexi-01 离线 and the other eleven 在线 in one answer (and the page's
        # summary in the same state), and each of the eleven must have been heard from after hexi-01
        # stopped while hexi-01 has not.
        stopped = list(configs).index("hexi-01")
        terminals[stopped].send_signal(signal.SIGTERM)
        terminals[stopped].wait(30)
        stopped_at = max(t for t in _heartbeats(db).values() if t is not None)  # its last one came before
        t_stop = time.monotonic()
        offline_after = seen = None
        page = ""
        while time.monotonic() - t_stop < 120:
            fleet = _fleet(admin)
            if fleet["hexi-01"]["state"] == "offline":
                offline_after = offline_after or time.monotonic() - t_stop
                others = sorted(k for k, t in fleet.items() if k != "hexi-01" and t["state"] != "online")
                if not others:
                    page = admin.get("/admin/fleet").text
                    if "离线 1" in page and _fleet(admin)["hexi-01"]["state"] == "offline":
                        break
                elif others != seen:
                    seen = others
                    print(f"{time.monotonic() - t_stop:.1f} s: also not 在线 for now: {others}")
            for p in terminals:
                assert p is terminals[stopped] or p.poll() is None, p.stderr.read().decode(errors="replace")[-2000:]  # type: ignore[union-attr]
            time.sleep(0.5)
        if offline_after is not None:
            print(f"hexi-01 marked offline {offline_after:.1f} s after it stopped")
        states = {k: (t["state"], t["last_contact"], t["last_error"]) for k, t in fleet.items()}
        assert fleet["hexi-01"]["state"] == "offline", states
        assert sum(t["state"] == "online" for t in fleet.values()) == 11, states
        assert "离线 1" in page, states
        heard = _heartbeats(db)
        assert heard["hexi-01"] is not None and heard["hexi-01"] <= stopped_at, heard
        late = {k: v for k, v in heard.items() if k != "hexi-01" and (v is None or v <= stopped_at)}
        assert not late, (late, stopped_at)
    finally:
        for p in terminals:
            if p.poll() is None:
                p.terminate()
        for p in terminals:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        server.terminate()
        server.wait(20)
