"""The server's side of releases (sync/server/releases): publish packs a bundle once, deterministically;
rollout and halt decide what the signed list offers; the manifest carries the list's hash; archives are
served by ranges; the list verifies only as the release role; heartbeats' updater reports are strict."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from kiosk.errors import SignatureError
from sync.protocol import signing
from sync.protocol.releases import newest_for, verify_releases
from sync.server.__main__ import add_terminal
from sync.server.__main__ import main as server_main
from sync.server.releases import store


def _bundle(folder: Path, text: str = "v1") -> Path:
    (folder / "app").mkdir(parents=True)
    (folder / "kiosk").write_text("#!/bin/sh\n", encoding="utf-8")
    (folder / "app" / "x.txt").write_text(text, encoding="utf-8")
    return folder


def _client(server) -> httpx.Client:
    server.ensure_zone("wanbao")
    _tid, token = add_terminal(server.db_url, "wanbao")
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_publish_rollout_halt_and_the_signed_list(server, tmp_path: Path, capsys) -> None:
    c = _client(server)
    verifier = signing.load_verifier(server.key_dir / signing.PUBLIC_NAME)
    m0 = c.get("/v1/manifest").json()["payload"]["releases_sha256"]
    db = ["--db", server.db_url]
    assert server_main(["release", "publish", str(_bundle(tmp_path / "b1")), "--version", "1.1", *db]) == 0
    assert "尚未向任何终端推送：release rollout 1.1 --zones" in capsys.readouterr().out
    assert server_main(["release", "publish", str(_bundle(tmp_path / "b2")), "--version", "1.1", *db]) == 2
    assert "版本 1.1 已发布过" in capsys.readouterr().err
    assert verify_releases(verifier, c.get("/v1/releases").json()) == []  # published, not rolled out
    assert server_main(["release", "rollout", "1.1", "--zones", "nowhere", *db]) == 2
    assert server_main(["release", "rollout", "1.1", "--zones", "wanbao", *db]) == 0
    items = verify_releases(verifier, c.get("/v1/releases").json())
    assert [(r.version, r.zones) for r in items] == [("1.1", ["wanbao"])]
    assert newest_for(items, "wanbao") is not None and newest_for(items, "hexi") is None
    m1 = c.get("/v1/manifest").json()["payload"]["releases_sha256"]
    assert m1 != m0  # terminals learn of it at their next sync
    assert server_main(["release", "halt", "1.1", *db]) == 0
    assert verify_releases(verifier, c.get("/v1/releases").json()) == []
    assert server_main(["release", "rollout", "1.1", "--all", *db]) == 0
    assert verify_releases(verifier, c.get("/v1/releases").json())[0].zones == ["*"]


def test_archives_are_deterministic_and_served_by_ranges(server, tmp_path: Path) -> None:
    c = _client(server)
    one = store.publish(server.engine, tmp_path / "r1", _bundle(tmp_path / "a"), "2.0")
    two = store.publish(server.engine, tmp_path / "r2", _bundle(tmp_path / "b"), "2.1")
    assert one.sha256 == two.sha256 and one.size == two.size  # same folder, same bytes
    store.publish(
        server.engine, server.db_path.with_name(server.db_path.name + "-releases"), _bundle(tmp_path / "c", "v3"), "3.0"
    )
    whole = c.get("/v1/releases/3.0/archive")
    assert whole.status_code == 200
    data = whole.content
    part = c.get("/v1/releases/3.0/archive", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = c.get("/v1/releases/3.0/archive", headers={"Range": "bytes=20-"})
    assert tail.content == data[20:]
    assert c.get("/v1/releases/3.0/archive", headers={"Range": f"bytes={len(data)}-"}).status_code == 416
    assert c.get("/v1/releases/9.9/archive").status_code == 404
    assert httpx.get(f"{server.url}/v1/releases").status_code == 401  # terminals only
    assert hashlib.sha256(data).hexdigest() == store.list_rows(server.engine)[-1].sha256


def test_the_list_verifies_only_for_the_release_role(district_keys: Path) -> None:
    signer = signing.load_signer(district_keys)
    verifier = signing.load_verifier(district_keys / signing.PUBLIC_NAME)
    good = {"kind": "releases", "role": "release", "items": []}
    assert verify_releases(verifier, json.loads(json.dumps(signer.sign(good)))) == []
    with pytest.raises(SignatureError):
        verify_releases(verifier, signer.sign(dict(good, role="root")))
    env = signer.sign(good)
    env["payload"]["items"] = [{"version": "6.6"}]  # altered after signing
    with pytest.raises(SignatureError):
        verify_releases(verifier, env)


def test_heartbeat_update_reports_are_strict(server) -> None:
    c = _client(server)

    def beat(update: object) -> int:
        return c.post(
            "/v1/submissions/heartbeat",
            json={"version": "1.1", "update": update},
            headers={"Idempotency-Key": "hb-1"},
        ).status_code

    assert (
        beat({"state": "rolled_back", "version": "1.2", "note": "新版本 1.2 自检未通过", "at": "2026-12-07T12:00:00Z"})
        == 200
    )
    assert beat({"state": "downloading", "version": "1.2", "percent": 40, "at": "2026-12-07T12:00:00Z"}) == 200
    assert beat({"state": "exploded", "at": "2026-12-07T12:00:00Z"}) == 400
    assert beat({"state": "downloading", "percent": True, "at": "2026-12-07T12:00:00Z"}) == 400
    assert beat({"state": "current", "version": "../../etc", "at": "2026-12-07T12:00:00Z"}) == 400
