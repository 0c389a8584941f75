"""Applicants' personal data at rest (sync/server/pii.py, pii_admin.py): sealed in the database under a
key kept outside it, found again by keyed hashes; a database without its keyring refuses to read or
write applications; rotation re-seals everything and keeps every lookup working; rows stored before
sealing are still found and get sealed by the next rotation."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from syncserver import RunningServer

from sync.server import pii, pii_admin
from sync.server.__main__ import add_terminal
from sync.server.db import Meta, Submission, open_db, sessions
from sync.server.office import notices
from sync.server.office.models import Case

NAME, ID_NO, PHONE = "欧阳明月", "11010519491231002X", "13912345678"


def app(no: str, phone: str = PHONE) -> dict[str, object]:
    return {
        "tracking_no": no,
        "zone": "wanbao",
        "submitted_at": "2026-12-07T09:00:00+08:00",
        "applicant": {"name": NAME, "id_number": ID_NO, "phone": phone, "address": "万宝镇幸福路1号"},
        "request": {"description": "2026年低保金发放名单"},
    }


def submit(server: RunningServer, no: str) -> httpx.Client:
    server.ensure_zone("wanbao")
    _tid, token = add_terminal(server.db_url, "wanbao")
    c = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r = c.post("/v1/submissions/application", json=app(no), headers={"Idempotency-Key": f"k-{no}"})
    assert r.status_code == 200, r.text
    return c


def file_bytes(db: Path) -> bytes:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db.read_bytes() + (
        db.with_name(db.name + "-wal").read_bytes() if db.with_name(db.name + "-wal").exists() else b""
    )


def test_the_database_holds_no_readable_personal_data(server: RunningServer) -> None:
    c = submit(server, "WB01-20261207-0001")
    raw = file_bytes(server.db_path)
    for secret in (NAME, ID_NO, PHONE, PHONE[-4:] + '"'):
        assert secret.encode() not in raw, secret
    with sessions(server.engine)() as s:
        stored = s.scalar(select(Submission.payload).where(Submission.kind == "application"))
        assert stored is not None and stored.startswith("pii1:k1:")
        # The office still reads it (notices carry the name), the applicant still finds it.
        assert notices.application_of(s, "WB01-20261207-0001")["applicant"]["name"] == NAME
    found = c.post("/v1/applications/lookup", json={"tracking_no": "WB01-20261207-0001", "phone": PHONE})
    assert found.status_code == 200
    assert (
        c.post(
            "/v1/applications/lookup", json={"tracking_no": "WB01-20261207-0001", "phone": "13900000000"}
        ).status_code
        == 404
    )
    page = httpx.post(f"{server.url}/status", data={"no": "WB01-20261207-0001", "tail": PHONE[-4:]})
    assert page.status_code == 200
    keyring = server.db_path.with_name(server.db_path.name + ".pii-keys.json")
    assert keyring.exists() and keyring.stat().st_mode & 0o077 == 0


def test_a_database_without_its_keyring_refuses(server: RunningServer) -> None:
    submit(server, "WB01-20261207-0002")
    keyring = server.db_path.with_name(server.db_path.name + ".pii-keys.json")
    keyring.rename(keyring.with_name("elsewhere.json"))
    with pytest.raises(pii.KeyringError, match=r"存有加密的个人信息，但它的个人信息密钥环 .* 不见了：请从备份恢复"):
        open_db(str(server.db_path))
    assert not keyring.exists()  # never a silent new key


def test_a_damaged_keyring_is_refused_in_chinese(server: RunningServer) -> None:
    """What IT reads when the server will not open its database: which file, and why, in Chinese."""
    submit(server, "WB01-20261207-0004")
    keyring = server.db_path.with_name(server.db_path.name + ".pii-keys.json")
    good = keyring.read_bytes()
    for damaged, why in (
        (b"{not json", "不是有效的 JSON（第 1 行）"),
        (b'{"version": 1}', "缺少字段 'keys'"),
        (b'{"version": 1, "keys": [{"id": "k1", "key": "AAAA"}], "lookup": {}}', "其中有密钥不是 32 字节"),
    ):
        keyring.write_bytes(damaged)
        with pytest.raises(pii.KeyringError) as err:
            pii.Keyring.load(keyring)
        assert str(err.value) == f"无法读取个人信息密钥环 {keyring}：{why}"
    keyring.write_bytes(good)


def test_rotation_reseals_everything_and_lookups_keep_working(server: RunningServer, tmp_path: Path) -> None:
    c = submit(server, "WB01-20261207-0003")
    # An application stored before sealing existed: plain JSON, hashes under the old in-database salt.
    salt = "0123456789abcdef"
    old_no = "WB01-20261101-0009"
    with sessions(server.engine)() as s, s.begin():
        s.add(Meta(key="phone_salt", value=salt))
        s.add(
            Submission(
                terminal_id="wanbao-01",
                zone="wanbao",
                kind="application",
                idem_key="legacy-1",
                tracking_no=old_no,
                phone_hash=hmac.new(salt.encode(), PHONE.encode(), hashlib.sha256).hexdigest(),
                payload=json.dumps(app(old_no), ensure_ascii=False),
                response="{}",
            )
        )
    assert c.post("/v1/applications/lookup", json={"tracking_no": old_no, "phone": PHONE}).status_code == 200
    out = subprocess.run(
        [sys.executable, "-m", "sync.server", "pii", "rotate", "--db", str(server.db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "已用密钥 k2 重新加密" in out.stdout
    assert pii_admin.usage(server.engine) == {"k2": 2}
    pii.attach(server.engine)  # the running server's process reloads the keyring (serve does at start)
    for no in ("WB01-20261207-0003", old_no):
        assert c.post("/v1/applications/lookup", json={"tracking_no": no, "phone": PHONE}).status_code == 200, no
    assert httpx.post(f"{server.url}/status", data={"no": "WB01-20261207-0003", "tail": PHONE[-4:]}).status_code == 200
    with sessions(server.engine)() as s:
        assert s.get(Meta, "phone_salt") is None
        assert notices.application_of(s, old_no)["applicant"]["id_number"] == ID_NO
        assert s.get(Case, "WB01-20261207-0003") is not None
    assert NAME.encode() not in file_bytes(server.db_path)
    assert pii_admin.prune(server.engine) == ["k1"]
    assert pii.Keyring.load(server.db_path.with_name(server.db_path.name + ".pii-keys.json")).order == ["k2"]
