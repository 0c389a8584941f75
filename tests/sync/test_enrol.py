"""Enrolment against the real server: ``terminal add`` issues a one-time code, ``kiosk enrol`` redeems it
and writes a production configuration (no demo, no default PIN, the server's id, pinned key, printers from
the zone's template); codes work once; revoke, rotate and remove; unknown zones refused."""

from __future__ import annotations

import io
import re
import stat
import sys
from pathlib import Path

import httpx
import pytest
from synchelpers import application_state, submit_application

from kiosk import config as config_mod
from kiosk.errors import SubmitRefused
from kiosk.staff import verify_pin
from sync.client import sync_once
from sync.protocol import signing
from sync.server.__main__ import main as server_main
from sync.server.terminals import enrol

PIN = "583920"


def _add(server, capsys, zone: str = "wanbao", *extra: str) -> tuple[str, str, str]:
    """Run `terminal add`; returns (terminal id, code, the fingerprint printed)."""
    server.ensure_zone(zone)
    code = server_main(
        [
            "terminal",
            "add",
            "--db",
            server.db_url,
            "--zone",
            zone,
            "--server",
            server.url,
            "--key",
            str(server.key_dir),
            *extra,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    tid = re.search(r"终端：\s*([a-z0-9-]+)（[^，]+，专区 [^（]+（[a-z0-9_-]+））", out)
    cd = re.search(r"注册码：\s*([A-Z0-9]{5}-[A-Z0-9]{5})（仅能使用一次，北京时间 [-\d]+ [:\d]+ 前有效）", out)
    fp = re.search(r"--fingerprint (\w{16})", out)
    assert tid and cd and fp, out
    return tid.group(1), cd.group(1), fp.group(1)


def _enrol(tmp_path: Path, monkeypatch, server, code: str, fp: str, name: str = "t", *extra: str) -> int:
    from kiosk.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    return main(
        [
            "enrol",
            "--server",
            server.url,
            "--code",
            code,
            "--fingerprint",
            fp,
            "--out",
            str(tmp_path / name / "terminal.toml"),
            "--data",
            str(tmp_path / name / "data"),
            "--pin-stdin",
            "--user",
            "root",  # the tests run as root on a machine without the service user
            *extra,
        ]
    )


def test_enrol_writes_a_production_configuration_once(server, tmp_path: Path, monkeypatch, capsys) -> None:
    printers = tmp_path / "printers.toml"
    printers.write_text(
        '[[printers]]\nname = "receipt"\nrole = "receipt"\nkind = "tcp"\ntarget = "127.0.0.1:9100"\n', encoding="utf-8"
    )
    server.ensure_zone("wanbao")
    broken = tmp_path / "broken.toml"
    for content, why in (
        (b"[[printers]\n", "不是有效的 TOML："),
        (b"\xff\xfe", "不是 UTF-8 文本"),
        (None, "无法读取：文件不存在"),
    ):
        if content is not None:
            broken.write_bytes(content)
        missing = broken if content is not None else tmp_path / "none.toml"
        set_broken = ["printers", "set", "--db", server.db_url, "--zone", "wanbao", "--file", str(missing)]
        assert server_main(set_broken) == 2
        assert f"{missing}：{why}" in capsys.readouterr().err
    assert server_main(["printers", "set", "--db", server.db_url, "--zone", "wanbao", "--file", str(printers)]) == 0
    tid, code, fp = _add(server, capsys, "wanbao", "--qr", str(tmp_path / "qr.svg"))
    assert tid == "wanbao-01" and (tmp_path / "qr.svg").read_text().startswith("<?xml")
    assert fp == signing.load_signer(server.key_dir).key_id
    # A typed code may be lower-case, with O for 0 and without the dash.
    typed = code.lower().replace("-", "").replace("0", "o")
    assert _enrol(tmp_path, monkeypatch, server, typed, fp) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "已注册为终端 wanbao-01（万宝镇 01 号机），专区 wanbao" in out and "token" not in out.lower()
    assert "打印机：receipt（小票打印机，tcp）" in out
    path = tmp_path / "t" / "terminal.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cfg = config_mod.load(path)
    assert cfg.terminal.id == "wanbao-01" and cfg.terminal.zone == "wanbao" and cfg.terminal.name == "万宝镇 01 号机"
    assert cfg.terminal.content_pack == "" and verify_pin(PIN, cfg.staff.pin_hash)
    assert not verify_pin("246810", cfg.staff.pin_hash)
    assert [(p.name, p.kind, p.target) for p in cfg.printers] == [("receipt", "tcp", "127.0.0.1:9100")]
    assert cfg.server.token and cfg.server.token not in path.read_text().split("#")[1]  # not in the comment
    report = sync_once(cfg)
    assert report.error is None or report.error == "", report.error
    # The code works once.
    assert _enrol(tmp_path, monkeypatch, server, code, fp, "again") == 2
    assert "已被使用、已过期" in capsys.readouterr().err
    assert not (tmp_path / "again" / "terminal.toml").exists()


def test_wrong_fingerprint_writes_nothing_and_spends_nothing(server, tmp_path: Path, monkeypatch, capsys) -> None:
    tid, code, fp = _add(server, capsys)
    wrong = ("0" if fp[0] != "0" else "1") + fp[1:]
    assert _enrol(tmp_path, monkeypatch, server, code, wrong) == 2
    err = capsys.readouterr().err
    assert "区级密钥指纹是" in err and "注册码仍未使用" in err and not (tmp_path / "t").exists()
    assert server_main(["terminal", "list", "--db", server.db_url]) == 0
    assert re.search(rf"{tid}\s+wanbao\s+待注册", capsys.readouterr().out)  # no token nobody holds
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0  # the same code, the right digits: it works


def test_enrol_as_root_without_the_service_user_is_refused_before_spending(
    server, tmp_path: Path, monkeypatch, capsys
) -> None:
    _tid, code, fp = _add(server, capsys)
    assert _enrol(tmp_path, monkeypatch, server, code, fp, "t", "--user", "zwgk-no-such-user") == 2
    err = capsys.readouterr().err
    assert "本机没有用户 'zwgk-no-such-user'" in err and "install" in err and "useradd" in err
    assert not (tmp_path / "t").exists()
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0  # nothing was spent


def test_plain_http_is_refused_unless_loopback_or_allowed(server, tmp_path: Path, monkeypatch, capsys) -> None:
    server.ensure_zone("wanbao")
    base = ["terminal", "add", "--db", server.db_url, "--zone", "wanbao"]
    assert server_main([*base, "--server", "http://zwgk.louxing.example"]) == 2
    assert "http://" in capsys.readouterr().err
    assert server_main([*base, "--server", "ftp://zwgk.louxing.example"]) == 2
    capsys.readouterr()
    assert server_main([*base, "--server", "http://zwgk.louxing.example", "--allow-http"]) == 0
    assert "--allow-http" in capsys.readouterr().out  # the terminal's command carries the same choice
    from kiosk.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))
    args = ["enrol", "--server", "http://10.1.2.3:8750", "--code", "AAAAA-BBBBB", "--pin-stdin", "--user", "root"]
    assert main([*args, "--out", str(tmp_path / "h.toml"), "--data", str(tmp_path / "h")]) == 2
    assert "令牌会以明文在网络上传输" in capsys.readouterr().err and not (tmp_path / "h.toml").exists()


def test_rotate_says_what_happens_to_the_old_token(server, tmp_path: Path, monkeypatch, capsys) -> None:
    tid, code, fp = _add(server, capsys)
    rotate = ["terminal", "rotate", tid, "--db", server.db_url, "--server", server.url]
    assert server_main(rotate) == 0
    assert "此前还没有可用的令牌" in capsys.readouterr().out
    code = re.search(r"注册码：\s*([A-Z0-9]{5}-[A-Z0-9]{5})", (server_main(rotate), capsys.readouterr().out)[1])
    assert code and _enrol(tmp_path, monkeypatch, server, code.group(1), fp) == 0
    assert server_main(rotate) == 0
    assert "现有的令牌照常可用" in capsys.readouterr().out
    assert server_main(["terminal", "revoke", tid, "--db", server.db_url]) == 0
    assert server_main(rotate) == 0
    out = capsys.readouterr().out
    assert "仍处于吊销状态" in out and "照常可用" not in out
    cfg = config_mod.load(tmp_path / "t" / "terminal.toml")
    assert (
        httpx.get(f"{server.url}/v1/manifest", headers={"Authorization": f"Bearer {cfg.server.token}"}).status_code
        == 401
    )


def test_fleet_in_zone_order_shows_a_revoked_terminal_knocking(server, tmp_path: Path, monkeypatch, capsys) -> None:
    from sync.server.db import sessions
    from sync.server.terminals import fleet

    server.publish_lines(
        [
            {"type": "zone", "code": "zb", "name": "乙镇", "kind": "township", "prefix": "ZB", "sort_order": 2},
            {"type": "zone", "code": "za", "name": "甲镇", "kind": "township", "prefix": "ZA", "sort_order": 3},
            {"type": "zone", "code": "zc", "name": "丙镇", "kind": "township", "prefix": "ZC", "sort_order": 1},
        ],
        "zones-order.jsonl",
    )
    ids = [_add(server, capsys, z)[0] for z in ("za", "zb", "zc")]
    tid, code, fp = _add(server, capsys, "zc")
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0
    cfg = config_mod.load(tmp_path / "t" / "terminal.toml")
    assert server_main(["terminal", "revoke", tid, "--db", server.db_url]) == 0
    for _ in range(3):
        assert sync_once(cfg).error  # the stolen terminal keeps knocking
    from adminlogin import login

    with sessions(server.engine)() as s:
        rows = fleet.fleet(s, 0)
    html = login(server.url, server.engine).get("/admin/fleet").text
    ours = [r for r in rows if r.zone in ("za", "zb", "zc") and r.state == "awaiting"]
    assert [r.id for r in ours] == [ids[2], ids[1], ids[0]]  # 丙镇 (1), 乙镇 (2), 甲镇 (3)
    knocking = next(r for r in rows if r.id == tid)
    assert knocking.state == "revoked" and knocking.refused is not None and knocking.refused >= 3
    assert knocking.refused_last and "停用后仍尝试连接" in html


def test_weak_pin_is_refused_before_the_code_is_spent(server, tmp_path: Path, monkeypatch, capsys) -> None:
    from kiosk.cli import main

    _tid, code, fp = _add(server, capsys)
    for weak in ("246810", "123456", "111111", "12345"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(weak + "\n"))
        args = ["enrol", "--server", server.url, "--code", code, "--fingerprint", fp, "--pin-stdin", "--user", "root"]
        args += ["--out", str(tmp_path / "w.toml"), "--data", str(tmp_path / "w")]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "太容易被猜到" in err or "须为 6 到 12 位数字" in err, err
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0  # the code still works


def test_revoke_rotate_remove(server, tmp_path: Path, monkeypatch, capsys) -> None:
    tid, code, fp = _add(server, capsys)
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0
    cfg = config_mod.load(tmp_path / "t" / "terminal.toml")
    assert not sync_once(cfg).error
    assert server_main(["terminal", "revoke", tid, "--db", server.db_url]) == 0
    r = httpx.get(f"{server.url}/v1/manifest", headers={"Authorization": f"Bearer {cfg.server.token}"})
    assert r.status_code == 401 and r.json()["error"] == "terminal_revoked"
    assert "停用" in r.json()["message"]
    queued = submit_application(cfg)  # taken before the terminal learnt it was revoked
    err = sync_once(cfg).error
    assert err and "此终端已被区里停用" in err  # what the staff screen shows as the last error
    with pytest.raises(SubmitRefused, match="本机已被区里停用"):  # the resident is told, nothing is kept
        submit_application(cfg, name="王芳")
    assert application_state(cfg.db_path, queued)[0] == "pending"  # what it had queued stays
    # Rotation re-admits it with a fresh code (and a fresh token).
    assert server_main(["terminal", "rotate", tid, "--db", server.db_url, "--server", server.url]) == 0
    rotated = capsys.readouterr().out
    new_code = re.search(r"注册码：\s*([A-Z0-9]{5}-[A-Z0-9]{5})", rotated)
    assert new_code
    # the command printed for the terminal is the one that works there, which is configured already
    assert re.search(rf"kiosk enrol --server \S+ --code {new_code.group(1)} .*--force", rotated), rotated
    assert _enrol(tmp_path, monkeypatch, server, new_code.group(1), fp, "t", "--force", "--mirror-all-zones") == 0
    cfg2 = config_mod.load(tmp_path / "t" / "terminal.toml")
    assert cfg2.server.token != cfg.server.token and not sync_once(cfg2).error
    assert application_state(cfg.db_path, queued)[0] == "delivered"
    submit_application(cfg2, name="王芳")  # in good standing again
    assert cfg2.terminal.mirror_all_zones and not cfg.terminal.mirror_all_zones
    assert server_main(["terminal", "list", "--db", server.db_url]) == 0
    # the last heartbeat in Beijing time, labelled, as on the fleet page (not UTC)
    assert re.search(
        rf"{tid}\s+wanbao\s+已注册\s+最近心跳 \d{{4}}-\d\d-\d\d \d\d:\d\d 北京时间", capsys.readouterr().out
    )
    assert server_main(["terminal", "remove", tid, "--db", server.db_url]) == 0
    assert (
        httpx.get(f"{server.url}/v1/manifest", headers={"Authorization": f"Bearer {cfg2.server.token}"}).status_code
        == 401
    )


def test_unknown_zone_and_category_are_refused(server, tmp_path: Path, capsys) -> None:
    server.ensure_zone("wanbao")
    assert server_main(["terminal", "add", "--db", server.db_url, "--zone", "nowhere", "--server", server.url]) == 2
    err = capsys.readouterr().err
    assert "未知专区 'nowhere'（已有专区：" in err and "wanbao（万宝镇）" in err
    pack = tmp_path / "p.jsonl"
    pack.write_text(
        '{"id": "d1", "title": "t", "body": "b", "zone": "nowhere"}\n'
        '{"id": "d2", "title": "t", "body": "b", "categories": ["policy", "nonsense"]}\n',
        encoding="utf-8",
    )
    assert server_main(["publish", "--db", server.db_url, str(pack)]) == 1
    err = capsys.readouterr().err
    assert "没有这个专区（zone）'nowhere'" in err and "nonsense" in err and "未发布任何内容" in err


def test_enrolment_codes_expire_and_guessing_is_throttled(server, capsys) -> None:
    import datetime as dt

    server.ensure_zone("hexi")
    issued = enrol.register(server.engine, "hexi", valid=dt.timedelta(seconds=-1))
    r = httpx.post(f"{server.url}/v1/enrol", json={"code": issued.code})
    assert r.status_code == 404
    codes = [httpx.post(f"{server.url}/v1/enrol", json={"code": f"AAAAA{i:05d}"}).status_code for i in range(25)]
    assert codes[0] == 404 and codes[-1] == 429
    assert len(enrol.normalise_code("abcde-fghjk")) == 10


@pytest.mark.parametrize("pin", ["583920", "902731"])
def test_good_pins_pass(pin: str) -> None:
    from sync.enrol_cmd import check_pin

    assert check_pin(pin) == pin


def test_a_terminal_seeded_with_the_demo_by_mistake_drops_it_at_first_sync(
    server, tmp_path: Path, monkeypatch, capsys
) -> None:
    from synchelpers import doc, mirror_docs

    from kiosk.seed import ensure_seeded

    data = tmp_path / "t" / "data"
    assert ensure_seeded(config_mod.demo_config(data))  # started once as the demo before enrolment
    assert len(mirror_docs(data / "mirror.db")) > 100
    server.ensure_zone("wanbao")
    server.publish_lines([doc(1), doc(2, zone="wanbao")])
    _tid, code, fp = _add(server, capsys)
    assert _enrol(tmp_path, monkeypatch, server, code, fp) == 0
    cfg = config_mod.load(tmp_path / "t" / "terminal.toml")
    assert not ensure_seeded(cfg)  # production: never seeds
    assert not sync_once(cfg).error
    docs = mirror_docs(data / "mirror.db")
    assert sorted(docs) == ["doc-00001", "doc-00002"] and all(seq > 0 for _v, seq, _s in docs.values())
