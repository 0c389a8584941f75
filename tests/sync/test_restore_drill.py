"""The restore drill and the two key drills of docs/deploy.md, end to end with real processes: a served
district server (``python -m sync.server serve``), twelve terminals each syncing as its own process
(``kiosk sync --once``) and pinning the district's offline root key, ``backup`` / ``restore`` / ``lost`` /
``root certify`` as IT runs them.

Publish 50, sync, back up, publish 30 (and amend and withdraw one of the first 50), sync, the server's
disk dies (``kill -9``), a database copied back by hand is refused by ``serve``, ``restore`` raises a new
feed epoch, publish 40, sync: every terminal notices the fork (no run reports success), heals itself from
the server's content (its outbox, applications and print queue kept) and ends on the server's exact
document set; one terminal is killed with ``kill -9`` in the middle of its healing run and heals on the
next. Between the backup and the disk failure the online key is rotated (routine); the restored server
comes back with a new online key and the leaked one revoked (compromise): every terminal takes both
from the root's key set, and refuses content signed with the revoked key afterwards. The applications
the server acknowledged after the backup are listed for the office (``lost`` and the fleet page); the
one queued offline meanwhile arrives exactly once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from adminlogin import PASSWORD
from syncserver import write_terminal_config
from test_fleet_twelve import ZONES, _env, _free_port, _run, _wait_port

from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.printjobs import PrintJob
from kiosk.workdays import WorkCalendar
from sync.bench_writers import sample_application
from sync.server.__main__ import add_terminal

pytestmark = pytest.mark.slow
BEIJING = timezone(timedelta(hours=8))


def _doc(i: int, zone: str | None = None, title: str = "") -> dict[str, object]:
    d: dict[str, object] = {"id": f"doc-{i:03d}", "title": title or f"第{i}号通知", "body": f"正文第{i}号。"}
    if zone is not None:
        d["zone"] = zone
    return d


def _pack(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _server_docs(db: str, zone: str) -> set[tuple[str, int]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT id, version FROM feed_docs WHERE op = 'put' AND (zone IS NULL OR zone = ?)", (zone,)
        ).fetchall()
    finally:
        con.close()
    return {(str(i), int(v)) for i, v in rows}


def _mirror(cfg: Path) -> Path:
    return cfg.parent / "data" / "mirror.db"


def _mirror_docs(cfg: Path) -> set[tuple[str, int]]:
    con = sqlite3.connect(f"file:{_mirror(cfg)}?mode=ro", uri=True)
    try:
        return {(str(i), int(v)) for i, v in con.execute("SELECT id, version FROM documents")}
    finally:
        con.close()


def _kv(cfg: Path, key: str) -> str:
    con = sqlite3.connect(f"file:{_mirror(cfg)}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    finally:
        con.close()
    return str(row[0]) if row else ""


def _sync_all(configs: dict[str, Path], kill: str | None = None) -> dict[str, tuple[int, str]]:
    """One ``kiosk sync --once`` per terminal, all at once; ``kill``: that one gets SIGKILL mid-run."""
    procs = {
        tid: subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sync", "--once", "--config", str(cfg)],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for tid, cfg in configs.items()
    }
    if kill is not None:
        # The healing run of a terminal: killed as soon as it has recorded the fork (sync.fork), i.e. while
        # it reconciles its mirror with the server's content.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and procs[kill].poll() is None:
            try:
                if _kv(configs[kill], "sync.fork"):
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.01)
        procs[kill].send_signal(signal.SIGKILL)
    out = {}
    for tid, p in procs.items():
        stdout, stderr = p.communicate(timeout=180)
        out[tid] = (p.returncode, stdout.decode() + stderr.decode()[-1500:])
    return out


def _submit(cfg: Path, zone: str, prefix: str, tid: str, i: int) -> str:
    from kiosk.applications import service

    engine = open_engine(_mirror(cfg))
    try:
        with session_factory(engine)() as s:
            app = service.submit(
                s,
                sample_application(i),
                zone=Zone(code=zone, name=zone, kind="township", prefix=prefix),
                terminal_id=tid,
                now=datetime.now(BEIJING),
                calendar=WorkCalendar(),
            )
        with session_factory(engine)() as s, s.begin():
            s.add(
                PrintJob(
                    printer="receipt",
                    kind="receipt",
                    content_type="escpos",
                    label=str(app.tracking_no),
                    payload=b"\x1b@receipt",
                    size=10,
                    created_at=datetime.now(BEIJING).replace(tzinfo=None),
                )
            )
    finally:
        engine.dispose()
    return str(app.tracking_no)


def _serve(db: str, keys: Path, port: int) -> subprocess.Popen[bytes]:
    """``serve`` with its log in a file beside the database (a pipe nobody reads would fill up and stall
    the server once it has logged 64 KB)."""
    with open(Path(db).with_name("server.log"), "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "sync.server", "serve", "--db", db, "--key", str(keys), "--port", str(port)],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _rotate(new: Path, old: Path, root: Path, revoke: Path | None = None) -> Path:
    """The online key folder ``new`` (made by ``keygen``) takes over: carry over the key set and
    signed-state file, certify by the root."""
    for carried in ("keyset.json", "feed-state.json"):
        shutil.copyfile(old / carried, new / carried)
    extra = []
    if revoke is not None:
        kid = json.loads((revoke / "keyset.json").read_text(encoding="utf-8"))["payload"]["keys"][0]["key_id"]
        extra = ["--revoke", kid]
    _run(["sync.server", "root", "certify", "--root", str(root), "--key", str(new), *extra])
    return new


def _fleet(url: str) -> dict[str, object]:
    with httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/html"}) as admin:
        form = admin.get("/admin/login")
        token = re.search(r"name='csrf' value='([^']+)'", form.text)
        assert token
        r = admin.post("/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": token.group(1)})
        assert r.status_code == 303
        data: dict[str, object] = admin.get("/admin/api/fleet").json()
        data["page"] = admin.get("/admin/fleet").text
        return data


@pytest.mark.timeout(600)
def test_restore_drill_twelve_terminals(tmp_path: Path) -> None:
    t_start = time.monotonic()
    db, keys, root = str(tmp_path / "district.db"), tmp_path / "keys-1", tmp_path / "offline-root"
    zones = [{"type": "zone", "code": c, "name": n, "kind": "township", "prefix": p} for c, n, p in ZONES]
    first = [_doc(i, "wanbao" if i % 10 == 0 else None) for i in range(1, 51)]
    # The keys (the offline machine's root, the online key and the two that will replace it, each made by
    # keygen ahead of its rotation) and the database are set up side by side: each command is one process
    # on one core, and the two lines touch nothing of each other's.
    spare = [tmp_path / "keys-2", tmp_path / "keys-3"]

    def key_side() -> None:
        _run(["sync.server", "root", "init", "--out", str(root)])  # on the offline machine
        _run(["sync.server", "keygen", "--out", str(keys)])
        _run(["sync.server", "root", "certify", "--root", str(root), "--key", str(keys)])
        _run(["sync.server", "keygen", "--out", str(spare[1])])

    def database_side() -> None:
        _run(["sync.server", "publish", "--db", db, str(_pack(tmp_path / "zones.jsonl", zones))])
        _run(["sync.server", "publish", "--db", db, str(_pack(tmp_path / "p50.jsonl", first))])
        _run(["sync.server", "account", "add", "it-admin", "--role", "it", "--db", db], stdin=PASSWORD + "\n")
        _run(["sync.server", "keygen", "--out", str(spare[0])])

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(key_side), pool.submit(database_side)]:
            done.result()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    configs: dict[str, Path] = {}
    for zone, _name, _prefix in ZONES:
        tid, token = add_terminal(db, zone)
        cfg = tmp_path / zone / "terminal.toml"
        write_terminal_config(
            cfg,
            terminal_id=tid,
            zone=zone,
            server=url,
            token=token,
            trust=root / "root.pub",  # enrolment pins the root
            data=tmp_path / zone / "data",
        )
        # twelve processes against one server on a shared 2-core machine: a page may wait its turn
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("[server]\n", "[server]\ntimeout_s = 60\n"))
        configs[tid] = cfg
    server = _serve(db, keys, port)
    try:
        _wait_port(port, server)
        # 1. Publish 50, sync: everyone on the server's set.
        for tid, (rc, out) in _sync_all(configs).items():
            assert rc == 0, (tid, out)
        for tid, cfg in configs.items():
            assert _mirror_docs(cfg) == _server_docs(db, tid[:-3]), tid
        before_backup = _submit(configs["wanbao-01"], "wanbao", "WB", "01", 1)
        assert all(rc == 0 for rc, _ in _sync_all({"wanbao-01": configs["wanbao-01"]}).values())

        # 2. Back up the live database.
        backup = tmp_path / "backups" / "district-1.db"
        _run(["sync.server", "backup", "--db", db, "--out", str(backup)])

        # 3. Routine key rotation (a new online key the root certifies), then publish 30, amend one and
        #    withdraw one of the first 50; two applications are acknowledged.
        #    The office's publishing (the database) goes on while IT rotates the key (the key folders), both
        #    while the server is down for the rotation; the server then signs all of it with the new key.
        more = [_doc(i, "hexi" if i % 10 == 0 else None) for i in range(51, 81)]
        more.append(_doc(7, title="第7号通知（修订）"))

        def office() -> None:
            _run(["sync.server", "publish", "--db", db, str(_pack(tmp_path / "p30.jsonl", more))])
            _run(["sync.server", "withdraw", "--db", db, "doc-003"])

        server.send_signal(signal.SIGTERM)
        server.wait(30)
        with ThreadPoolExecutor(2) as pool:
            rotated, published = pool.submit(_rotate, spare[0], keys, root), pool.submit(office)
            keys = rotated.result()
            published.result()
        server = _serve(db, keys, port)
        _wait_port(port, server)
        after_backup = [
            _submit(configs["wanbao-01"], "wanbao", "WB", "01", 2),
            _submit(configs["hexi-01"], "hexi", "HX", "01", 3),
        ]
        for tid, (rc, out) in _sync_all(configs).items():
            assert rc == 0, (tid, out)
        assert ("doc-007", 2) in _mirror_docs(configs["district-01"])

        # 4. The disk dies. A database copied back by hand is refused: it is older than what was signed.
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        Path(db).write_bytes(backup.read_bytes())
        refused = _serve(db, keys, port)
        assert refused.wait(60) == 2
        assert "python -m sync.server restore" in Path(db).with_name("server.log").read_text(encoding="utf-8")
        # restore raises a new feed epoch; the leaked online key is replaced and revoked (compromise drill);
        # the server starts; a terminal queued an application offline meanwhile.
        _run(["sync.server", "restore", "--db", db, "--from", str(backup), "--key", str(keys)])
        leaked = keys
        keys = _rotate(spare[1], keys, root, revoke=leaked)
        offline = _submit(configs["chayuan-01"], "chayuan", "CY", "01", 4)
        server = _serve(db, keys, port)
        _wait_port(port, server)
        t_restored = time.monotonic()

        # 5. The office publishes 40 new documents (sequence numbers 51-90 again, other content).
        newer = [_doc(i, "chayuan" if i % 10 == 0 else None, f"恢复后第{i}号通知") for i in range(101, 141)]
        _run(["sync.server", "publish", "--db", db, str(_pack(tmp_path / "p40.jsonl", newer))])

        # 6. Sync: every terminal finds the fork, says so, and heals; none reports success. One is killed.
        results = _sync_all(configs, kill="wanbao-01")
        for tid, (rc, out) in results.items():
            assert rc != 0, (tid, out)
            if tid != "wanbao-01":
                assert "已从备份恢复" in out and "已自动按服务器内容重新核对" in out, (tid, out)
                assert _mirror_docs(configs[tid]) == _server_docs(db, tid[:-3]), tid
                assert json.loads(_kv(configs[tid], "sync.last_failure"))["code"] == "fork"
        fleet = _fleet(url)
        # The fleet page shows the fork for every terminal whose heartbeat got through (one refused under this
        # load — the server's SQLite write lock busy for over 10 s — is said in that terminal's own report).
        shown = {t["id"] for t in fleet["terminals"] if t["failure_code"] == "fork"}  # type: ignore[attr-defined,index]
        for tid, (_rc, out) in results.items():
            if tid != "wanbao-01" and "发送运行状态失败" not in out:
                assert tid in shown, (tid, json.dumps(fleet["terminals"], ensure_ascii=False)[:1500])
        assert len(shown) >= 9, shown
        # 7. The next run: all on the server's set (the killed one heals now), all succeed.
        for tid, (rc, out) in _sync_all(configs).items():
            if tid == "wanbao-01" and rc != 0:  # killed before it healed: this run heals it
                assert "已自动按服务器内容重新核对" in out, out
                rc2, out2 = _sync_all({tid: configs[tid]})[tid]
                assert rc2 == 0, (tid, out2)
                continue
            assert rc == 0, (tid, out)
        converge_s = time.monotonic() - t_restored
        for tid, cfg in configs.items():
            assert _mirror_docs(cfg) == _server_docs(db, tid[:-3]), tid
            assert _kv(cfg, "sync.fork") == ""
        # Outbox, applications and print queue kept; the offline application arrived exactly once.
        for cfg, tn in ((configs["wanbao-01"], before_backup), (configs["chayuan-01"], offline)):
            con = sqlite3.connect(f"file:{_mirror(cfg)}?mode=ro", uri=True)
            try:
                assert con.execute("SELECT count(*) FROM print_jobs WHERE label = ?", (tn,)).fetchone()[0] == 1
                assert con.execute("SELECT count(*) FROM applications WHERE tracking_no = ?", (tn,)).fetchone()[0]
                assert con.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0] == 0
            finally:
                con.close()
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            assert con.execute("SELECT count(*) FROM submissions WHERE tracking_no = ?", (offline,)).fetchone()[0] == 1
        finally:
            con.close()
        # 8. The office is told which acknowledged applications the restored server lacks, and only those.
        listed = _run(["sync.server", "lost", "--db", db])
        for tn in after_backup:
            assert tn in listed, listed
        assert before_backup not in listed and offline not in listed
        fleet = _fleet(url)
        lost = {a["tracking_no"] for a in fleet["lost_applications"]}  # type: ignore[attr-defined]
        assert lost == set(after_backup)
        assert "服务器恢复后缺失的申请 2 件" in str(fleet["page"])
        # 9. The thief's server (the revoked key and the key set that listed it) is refused by every terminal.
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        server = _serve(db, leaked, port)
        _wait_port(port, server)
        for tid, (rc, out) in _sync_all(dict(list(configs.items())[:3])).items():
            assert rc != 0 and "已吊销" in out, (tid, out)
        total = time.monotonic() - t_start
        print(f"\ntwelve terminals converged {converge_s:.1f} s after the restored server started; drill {total:.1f} s")
        (tmp_path / "converge.txt").write_text(f"{converge_s:.1f}\n", encoding="utf-8")
        if os.environ.get("DRILL_REPORT"):
            Path(os.environ["DRILL_REPORT"]).write_text(f"converge_s={converge_s:.1f} total_s={total:.1f}\n")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(20)
