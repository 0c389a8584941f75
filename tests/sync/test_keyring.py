"""Keys that change without a site visit (sync/protocol/keyring.py, sync/server/keys_cli.py), against the
real server under uvicorn: a terminal pinning the offline root takes a routine rotation of the online key,
a compromise rotation (the old key revoked: content it signs is refused even with its old key set
replayed), and a rotation of the root itself, signed by the old root."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from synchelpers import doc
from syncserver import RunningServer

from sync.client import sync_once
from sync.protocol import signing
from sync.server import keys_cli


def _restart_with(srv: RunningServer, key_dir: Path) -> None:
    srv.stop()
    srv.key_dir = key_dir
    srv.start_on_same_port()


def _online(tmp: Path, name: str, previous: Path | None) -> Path:
    """A new online key folder (keygen on the server), carrying the current key set to certify over."""
    d = tmp / name
    signing.generate(d)
    if previous is not None:
        shutil.copyfile(previous / "keyset.json", d / "keyset.json")
        if (previous / "roots").is_dir():
            shutil.copytree(previous / "roots", d / "roots")
    return d


def test_routine_and_compromise_rotation_and_root_rotation(server: RunningServer, tmp_path: Path) -> None:
    root = tmp_path / "offline-root"
    keys_cli.init(root)
    k1 = _online(tmp_path, "k1", None)
    keys_cli.certify(root, k1, 365, [])
    _restart_with(server, k1)
    server.publish_lines([doc(1)])
    cfg = server.terminal(tmp_path / "t1", trust=root / "root.pub")  # enrolment pins the root
    first = sync_once(cfg)
    assert first.error is None, first.error

    # Routine rotation: a new online key, certified by the root; no visit to the terminal.
    k2 = _online(tmp_path, "k2", k1)
    keys_cli.certify(root, k2, 365, [])
    _restart_with(server, k2)
    server.publish_lines([doc(2)])
    r = sync_once(cfg)
    assert r.error is None and r.applied == 1, r.error

    # Compromise: k2 leaked. A new key, k2 revoked; the terminal takes it and then refuses k2 for good.
    k3 = _online(tmp_path, "k3", k2)
    keys_cli.certify(root, k3, 365, [signing.load_signer(k2).key_id])
    _restart_with(server, k3)
    server.publish_lines([doc(3)])
    assert sync_once(cfg).error is None
    impostor = _online(tmp_path, "impostor", None)  # what the thief serves: k2 and the key set that listed it
    shutil.copyfile(k2 / signing.PRIVATE_NAME, impostor / signing.PRIVATE_NAME)
    shutil.copyfile(k2 / signing.PUBLIC_NAME, impostor / signing.PUBLIC_NAME)
    shutil.copyfile(k2 / "keyset.json", impostor / "keyset.json")
    _restart_with(server, impostor)
    server.publish_lines([doc(4)])
    refused = sync_once(cfg)
    assert refused.codes[0] == "revoked-key", refused.errors
    assert "已吊销" in (refused.error or "")

    # The root itself rotates: the old root signs the new one; the new root certifies the online key.
    new_root = tmp_path / "offline-root-2"
    keys_cli.init(new_root)
    k4 = _online(tmp_path, "k4", k3)
    assert keys_cli.rotate(root, new_root, k4) == 1
    keys_cli.certify(new_root, k4, 365, [])
    _restart_with(server, k4)
    server.publish_lines([doc(5)])
    r = sync_once(cfg)
    assert r.error is None, r.error
    # a key set signed by the old root after its rotation is no longer accepted
    k5 = _online(tmp_path, "k5", k4)
    keys_cli.certify(root, k5, 365, [])
    _restart_with(server, k5)
    assert sync_once(cfg).codes[0] in ("wrong-key", "signature")


def test_enrolment_pins_the_root_when_the_key_folder_has_one(server: RunningServer, tmp_path: Path) -> None:
    import httpx

    from sync.server.terminals import enrol

    root = tmp_path / "offline-root"
    kid = keys_cli.init(root)
    k1 = _online(tmp_path, "k1", None)
    keys_cli.certify(root, k1, 365, [])
    _restart_with(server, k1)
    server.ensure_zone("wanbao")
    issued = enrol.register(server.engine, "wanbao")
    answer = httpx.post(f"{server.url}/v1/enrol", json={"code": issued.code}, timeout=10).json()
    assert answer["key_id"] == kid != signing.load_signer(k1).key_id
    assert answer["public_key_pem"] == (root / "root.pub").read_text(encoding="ascii")


def test_the_fleet_page_shows_the_key_state(server: RunningServer, tmp_path: Path) -> None:
    """IT sees which key terminals pin, until when the online key is certified, and what is revoked."""
    from adminlogin import login

    root = tmp_path / "offline-root"
    keys_cli.init(root)
    k1 = _online(tmp_path, "k1", None)
    keys_cli.certify(root, k1, 365, [])
    k2 = _online(tmp_path, "k2", None)
    keys_cli.certify(root, k2, 20, [signing.load_signer(k1).key_id])  # a compromise: k1 revoked, k2 short-lived
    _restart_with(server, k2)
    page = login(server.url, server.engine).get("/admin/fleet").text
    root_fp = signing.format_fingerprint(signing.load_verifier(root / "root.pub").key_id)
    assert f"离线根密钥 {root_fp}" in page
    assert signing.format_fingerprint(signing.load_signer(k2).key_id) in page and "北京时间" in page
    assert f"已吊销的密钥：{signing.format_fingerprint(signing.load_signer(k1).key_id)}" in page
    assert "到期，请尽快用离线根密钥续签" in page  # 20 days left: flagged


def test_certify_takes_the_revoked_key_id_as_people_copy_it(tmp_path: Path, capsys) -> None:
    """Drill 2 revokes the leaked key by its id, which the fleet page and `terminal add` show in groups of
    four (``beea c921 9e93 b8f6``): copied so, or in capitals, it must revoke that key, not be kept as a
    string no key id ever equals; a typo (not 16 hex digits) is refused before anything is signed."""
    import pytest

    from kiosk.errors import ConfigError
    from sync.server.__main__ import main as server_main

    root = tmp_path / "root"
    keys_cli.init(root)
    leaked = _online(tmp_path, "leaked", None)
    keys_cli.certify(root, leaked, 365, [])
    leaked_id = signing.load_signer(leaked).key_id
    new = _online(tmp_path, "new", leaked)
    as_shown = signing.format_fingerprint(leaked_id).upper()
    assert server_main(["root", "certify", "--root", str(root), "--key", str(new), "--revoke", as_shown]) == 0
    payload = json.loads((new / "keyset.json").read_text(encoding="utf-8"))["payload"]
    assert payload["revoked"] == [leaked_id] and payload["version"] == 2
    assert leaked_id in capsys.readouterr().out

    before = (new / "keyset.json").read_bytes()
    with pytest.raises(ConfigError, match="16"):
        keys_cli.certify(root, new, 365, [leaked_id[:15]])
    assert (new / "keyset.json").read_bytes() == before  # nothing signed
