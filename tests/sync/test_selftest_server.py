"""The self-test's server check against the real server: it passes only with the right token and the
right key, and says which one is wrong; a revoked terminal is told so. Also the outbox and calendar checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kiosk import selftest
from kiosk.selftest import Verdict
from sync import selftest as sync_selftest
from sync.client import sync_once
from sync.protocol import signing
from sync.server.terminals import enrol


def test_server_check_tells_the_truth(server, tmp_path: Path, other_keys: Path) -> None:
    cfg = server.terminal(tmp_path / "t")
    ok = sync_selftest.check_server(cfg)
    assert (
        ok.verdict is Verdict.OK
        and "令牌有效；第 1 版清单由信任的密钥签名" in ok.detail
        and signing.load_signer(server.key_dir).key_id in ok.detail
    )

    wrong_token = dataclasses.replace(cfg, server=dataclasses.replace(cfg.server, token="not-the-token"))
    r = sync_selftest.check_server(wrong_token)
    assert r.verdict is Verdict.FAIL and "[server] token" in r.detail and "not-the-token" not in r.detail

    wrong_key = dataclasses.replace(
        cfg, server=dataclasses.replace(cfg.server, trust_key=str(other_keys / signing.PUBLIC_NAME))
    )
    r = sync_selftest.check_server(wrong_key)
    assert r.verdict is Verdict.FAIL and "trust_key" in r.detail

    enrol.revoke(server.engine, cfg.terminal.id)
    r = sync_selftest.check_server(cfg)
    assert r.verdict is Verdict.FAIL and "本终端已被区信息中心吊销" in r.detail


def test_outbox_and_calendar_checks(server, tmp_path: Path) -> None:
    from kiosk import outbox
    from kiosk.db import open_engine, session_factory

    cfg = server.terminal(tmp_path / "t")
    assert not sync_once(cfg).error
    assert selftest.check_outbox(cfg).verdict is Verdict.OK
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        outbox.enqueue(s, "rating", {"score": 5})
    engine.dispose()
    r = selftest.check_outbox(cfg)
    assert r.verdict is Verdict.WARN and r.detail.startswith("1 件待发送") and "北京时间 起" in r.detail
    cal = selftest.check_calendar(cfg)
    assert cal.verdict in (Verdict.OK, Verdict.WARN) and "区级服务器公布（server）" in cal.detail, cal.detail


def test_server_check_before_the_first_sync_follows_the_pinned_root(server, tmp_path: Path) -> None:
    """deploy.md §3 runs the self-test right after `kiosk enrol`, which pins the offline root: the server
    signs with an online key the root certified, which the terminal has not fetched yet. The check must
    follow the root's key set (as the sync does), not fail naming trust_key; it stores nothing."""
    import shutil

    from sync.server import keys_cli

    root = tmp_path / "offline-root"
    keys_cli.init(root)
    online = tmp_path / "online"
    signing.generate(online)
    keys_cli.certify(root, online, 365, [])
    server.stop()
    server.key_dir = online
    server.start_on_same_port()
    cfg = server.terminal(tmp_path / "t", trust=root / "root.pub")

    r = sync_selftest.check_server(cfg)
    assert r.verdict is Verdict.OK, r.detail
    assert signing.load_signer(online).key_id in r.detail and "由根密钥（root）" in r.detail
    assert sync_selftest._stored_keys(cfg.db_path) is None  # a check, not a sync

    # an online key the root never certified is still refused, naming the trusted key
    rogue = tmp_path / "rogue"
    signing.generate(rogue)
    shutil.copyfile(online / "keyset.json", rogue / "keyset.json")
    server.stop()
    server.key_dir = rogue
    server.start_on_same_port()
    r = sync_selftest.check_server(cfg)
    assert r.verdict is Verdict.FAIL and "trust_key" in r.detail, r.detail

    # drill 2: the online key leaked and was revoked; a terminal that met the new key set and then finds
    # the leaked key serving is told what that means, not only that the key does not fit
    new = tmp_path / "new"
    signing.generate(new)
    shutil.copyfile(online / "keyset.json", new / "keyset.json")
    keys_cli.certify(root, new, 365, [signing.load_signer(online).key_id])
    for folder in (new, online):
        server.stop()
        server.key_dir = folder
        server.start_on_same_port()
        if folder is new:
            assert sync_once(cfg).error is None
    r = sync_selftest.check_server(cfg)
    assert r.verdict is Verdict.FAIL and "已被区离线根密钥吊销" in r.detail and "演练 2" in r.detail, r.detail
