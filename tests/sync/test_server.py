"""The reference server on its own: refusals (forged token, other zone, oversized, malformed) are logged
without personal data and store nothing; idempotent answers; Range blobs; OpenAPI; admin pages;
PostgreSQL where one is available."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from adminlogin import login
from sqlalchemy import func, select
from synchelpers import ZONES, doc

from sync.server.__main__ import add_terminal
from sync.server.db import Submission, Terminal, open_db, sessions

APP = {
    "tracking_no": "WB01-20261127-0007",
    "zone": "wanbao",
    "submitted_at": "2026-11-27T09:00:00+08:00",
    "applicant": {"name": "王五", "id_number": "11010519491231002X", "phone": "13700001111"},
    "request": {"description": "2026年财政预算"},
}
PERSONAL = ("王五", "11010519491231002X", "13700001111")


def _client(server, zone: str = "wanbao") -> httpx.Client:
    server.ensure_zone(zone)
    _tid, token = add_terminal(server.db_url, zone)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _rows(server) -> int:
    with sessions(server.engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Submission)) or 0)


def _post(c: httpx.Client, kind: str, body: object, key: str = "k-1", raw: bytes | None = None) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    return c.post(
        f"/v1/submissions/{kind}", content=content, headers={"Idempotency-Key": key, "Content-Type": "application/json"}
    )


def test_refusals_are_logged_without_personal_data_and_store_nothing(server, caplog) -> None:
    caplog.set_level(logging.INFO, logger="sync.server")
    forged = httpx.Client(base_url=server.url, headers={"Authorization": "Bearer forged-token"}, timeout=10)
    assert _post(forged, "application", APP).status_code == 401
    assert forged.get("/v1/manifest").status_code == 401
    assert httpx.get(f"{server.url}/v1/changes").status_code == 401
    other_zone = _client(server, "hexi")
    r = _post(other_zone, "application", APP)
    assert r.status_code == 403 and r.json()["error"] == "wrong_zone"
    own = _client(server)
    big = dict(APP, request={"description": "长" * 40000})
    assert _post(own, "application", big).status_code == 413
    assert _post(own, "application", None, raw=b'{"tracking_no": "WB-1",').status_code == 400
    assert _post(own, "application", {k: v for k, v in APP.items() if k != "tracking_no"}).status_code == 422
    assert _post(own, "application", ["not", "an", "object"]).status_code == 400
    assert _post(own, "rating", {"score": 9}).status_code == 422
    assert _post(own, "nonsense", {}).status_code == 404
    assert _post(own, "application", APP, key="bad key with spaces").status_code == 400
    assert _rows(server) == 0
    text = caplog.text
    assert "refused" in text and "unknown terminal token" in text and "zone does not match" in text
    for secret in PERSONAL:
        assert secret not in text


def test_idempotent_answers_and_tracking_number_conflicts(server) -> None:
    c = _client(server)
    first = _post(c, "application", APP, key="application-abc")
    assert first.status_code == 200 and first.json()["tracking_no"] == APP["tracking_no"]
    again = _post(c, "application", APP, key="application-abc")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    clash = _post(c, "application", APP, key="application-other")
    assert clash.status_code == 409
    assert _rows(server) == 1


def test_a_terminal_files_only_its_own_tracking_numbers(server) -> None:
    own = _client(server)  # wanbao-01: prefix WB, terminal code 01
    second = _client(server)  # wanbao-02
    hexi = _client(server, "hexi")
    for tn in ("WB02-20261127-0001", "HX01-20261127-0001", "WB1-20261127-0001", "WB01-2026-1"):
        r = _post(own, "application", dict(APP, tracking_no=tn), key=f"k-{tn}")
        assert r.status_code in (403, 422), (tn, r.text)
    r = _post(second, "application", APP, key="k-2")
    assert r.status_code == 403 and r.json()["error"] == "wrong_terminal"
    assert _post(hexi, "application", dict(APP, zone="hexi", tracking_no="WB01-20261127-0001")).status_code == 403
    assert _rows(server) == 0
    assert _post(second, "application", dict(APP, tracking_no="WB02-20261127-0001"), key="k-3").status_code == 200


def test_lookup_needs_the_right_phone_and_reveals_no_personal_data(server) -> None:
    c = _client(server)
    assert _post(c, "application", APP, key="a-1").status_code == 200
    ok = c.post("/v1/applications/lookup", json={"tracking_no": APP["tracking_no"], "phone": "137 0000 1111"})
    assert ok.status_code == 200 and ok.json()["status_label"] == "已受理，正在办理"
    for secret in PERSONAL:
        assert secret not in ok.text
    wrong = c.post("/v1/applications/lookup", json={"tracking_no": APP["tracking_no"], "phone": "13700001112"})
    missing = c.post("/v1/applications/lookup", json={"tracking_no": "WB-00000000-0000", "phone": "13700001111"})
    assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()


def test_blob_range_requests(server) -> None:
    data = os.urandom(5000)
    server.publish_lines(
        [
            doc(
                1,
                attachments=[
                    {
                        "name": "a.bin",
                        "mime": "application/octet-stream",
                        "data_base64": base64.b64encode(data).decode(),
                    }
                ],
            )
        ]
    )
    c = _client(server)
    sha = hashlib.sha256(data).hexdigest()
    assert c.get(f"/v1/blobs/{sha}").content == data
    part = c.get(f"/v1/blobs/{sha}", headers={"Range": "bytes=4000-"})
    assert part.status_code == 206 and part.content == data[4000:]
    assert part.headers["Content-Range"] == "bytes 4000-4999/5000"
    assert c.get(f"/v1/blobs/{sha}", headers={"Range": "bytes=6000-"}).status_code == 416
    assert c.get("/v1/blobs/" + "0" * 64).status_code == 404


def test_openapi_lists_every_endpoint(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    for path in (
        "/v1/manifest",
        "/v1/changes",
        "/v1/blobs/{sha256}",
        "/v1/zones",
        "/v1/categories",
        "/v1/calendar",
        "/v1/submissions/{kind}",
        "/v1/applications/lookup",
    ):
        assert path in spec["paths"], path


def test_admin_pages_show_fleet_and_evaluation(server) -> None:
    c = _client(server)
    hb = {"version": "0.1.0", "mirror_seq": 0, "printer_state": "paper_out", "free_disk_mb": 1234}
    assert _post(c, "heartbeat", hb, key="hb-1").status_code == 200
    assert _post(c, "rating", {"zone": "wanbao", "score": 4}, key="r-1").status_code == 200
    assert _post(c, "application", APP, key="a-1").status_code == 200
    admin = login(server.url, server.engine, "both", ("it", "office"))
    fleet = admin.get("/admin/fleet").text
    assert "wanbao-01" in fleet and "缺纸" in fleet and "1.2 GB" in fleet
    office = admin.get("/admin/office").text
    assert "万宝镇" in office and "满意度" in office  # the zone by its published name
    for secret in PERSONAL:
        assert secret not in office


def test_command_line_round_trip(tmp_path: Path, capsys) -> None:
    from sync.server.__main__ import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    keygen = subprocess.run(
        [sys.executable, "-m", "sync.server", "keygen", "--out", str(tmp_path / "k")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert keygen.returncode == 0 and "密钥编号：" in keygen.stdout and "只保存在服务器上" in keygen.stdout
    assert run("keygen", "--out", str(tmp_path / "k"))[0] == 2  # never overwrites a key
    db = str(tmp_path / "d.db")
    pack = tmp_path / "p.jsonl"
    pack.write_text(json.dumps(doc(1), ensure_ascii=False) + "\n" + json.dumps(doc(2), ensure_ascii=False) + "\n")
    assert "已发布：新增 2 件，修订 0 件，未变 0 件" in run("publish", "--db", db, str(pack))[1]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    code, _out, err = run("publish", "--db", db, str(bad))
    assert code == 1 and "1 行有错；未发布任何内容" in err and f"{bad}:1: 缺少标题（title）" in err
    assert "已废止 doc-00001（发布序号 3）" in run("repeal", "--db", db, "doc-00001", "--by", "doc-00002")[1]
    code, _out, err = run("repeal", "--db", db, "no-such")
    assert code == 2 and "没有文件编号为 'no-such' 的已发布文件" in err
    code, _out, err = run("repeal", "--db", db, "doc-00002", "--by", "no-such")
    assert code == 2 and "没有文件编号为 'no-such' 的已发布文件，不能把它写作替代文件" in err
    add = ("terminal", "add", "--db", db, "--zone", "wanbao", "--server", "https://zwgk.example")
    code, _out, err = run(*add)
    assert code == 2 and "未知专区 'wanbao'（还没有发布任何专区，请先发布）" in err  # no zone published yet
    zones = tmp_path / "zones.jsonl"
    zones.write_text("\n".join(json.dumps(z, ensure_ascii=False) for z in ZONES) + "\n", encoding="utf-8")
    assert "专区 3 个" in run("publish", "--db", db, str(zones))[1]
    code, out, _err = run(*add)
    assert code == 0 and "token" not in out.lower()  # an enrolment code, never a token
    enrolment = re.search(r"注册码：\s*([A-Z0-9]{5}-[A-Z0-9]{5})", out)
    assert enrolment is not None
    with sessions(open_db(db))() as s:
        term = s.scalar(select(Terminal))
        assert term is not None and term.id == "wanbao-01"
        stored = " ".join(str(v) for v in vars(term).values())
        assert enrolment.group(1) not in stored and enrolment.group(1).replace("-", "") not in stored


@pytest.mark.slow
def test_postgresql_backend(postgres_url: str, tmp_path: Path, district_keys: Path) -> None:
    from sqlalchemy import text
    from syncserver import RunningServer

    from kiosk import outbox
    from kiosk.db import open_engine, session_factory
    from sync.client import sync_once
    from sync.server.db import ServerBase

    engine = open_db(postgres_url)
    srv = RunningServer(
        db_url=postgres_url, db_path=Path("/nonexistent"), key_dir=district_keys, engine=engine, tmp=tmp_path
    )
    try:
        assert engine.dialect.name == "postgresql"
        srv.publish_lines([*ZONES, doc(1), doc(2, zone="wanbao"), doc(3, zone="hexi")])
        srv.publish_lines([doc(1, title="修订")], "amend.jsonl")
        srv.start()
        cfg = srv.terminal(tmp_path / "terminal")
        term_engine = open_engine(cfg.db_path)
        with session_factory(term_engine)() as s, s.begin():
            outbox.enqueue(s, "application", APP, key="pg-app-1")
        report = sync_once(cfg, engine=term_engine)
        term_engine.dispose()
        assert report.error is None and report.applied == 2 and report.pushed == 1
        c = _client(srv)
        other = _post(c, "application", APP, key="pg-app-1")  # another terminal's key space
        assert other.status_code == 403 and other.json()["error"] == "wrong_terminal"  # not its number
        with engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM meta WHERE key = 'head_seq'")).scalar() == "4"
            assert conn.execute(text("SELECT count(*) FROM submissions")).scalar() == 1
    finally:
        srv.stop()
        ServerBase.metadata.drop_all(engine)
        engine.dispose()
