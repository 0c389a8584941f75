"""The document screen shows an amended document's 历史版本: a terminal synced from the real reference
server (uvicorn on 127.0.0.1) after a document was published and amended twice shows the 已修订 note with
both earlier versions; tapping one shows that version's text read-only, marked 历史版本（已被修订，不再有效）,
and one tap brings the current version back."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from uishell import Shell

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))  # the sync tests' running server and lines
from synchelpers import CATEGORIES, ZONES
from syncserver import RunningServer

from kiosk.config import Config
from sync.client import sync_once
from sync.protocol import signing
from sync.server.db import open_db

BASE = {
    "id": "wb-heating",
    "title": "万宝镇冬季集中供暖工作通知",
    "issuer": "万宝镇人民政府",
    "zone": "wanbao",
    "categories": ["policy"],
    "published": "2026-10-20",
}


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[Config]:
    keys = tmp_path / "keys"
    signing.generate(keys)
    url = f"sqlite:///{tmp_path / 'district.db'}"
    srv = RunningServer(db_url=url, db_path=tmp_path / "district.db", key_dir=keys, engine=open_db(url), tmp=tmp_path)
    srv.start()
    try:
        srv.publish_lines(ZONES + CATEGORIES, "district.jsonl")
        data = tmp_path / "terminal"
        data.mkdir()
        cfg = srv.terminal(data)
        srv.publish_lines([dict(BASE, doc_number="万府发〔2026〕12号", body="供暖时间：11月15日起。")])
        srv.publish_lines([dict(BASE, doc_number="万府发〔2026〕15号", body="供暖时间：11月10日起。")])
        srv.publish_lines([dict(BASE, doc_number="万府发〔2026〕18号", body="供暖时间：11月10日起，低保家庭减半。")])
        assert sync_once(cfg).error is None
        yield cfg
    finally:
        srv.stop()
        srv.engine.dispose()


def test_earlier_versions_are_listed_and_read_only(make_shell: Callable[..., Shell], synced: Config) -> None:
    shell = make_shell(cfg=synced)
    shell.window.openRoute("document", {"docId": "wb-heating"})
    shell.wait_page("documentPage")
    body: Any = shell.find("docBody")
    assert "低保家庭减半" in body.property("text")
    note = shell.find("revisedNote")
    assert note.isVisible() and "已修订" in shell.find("revisedNoteText").property("text")
    buttons = sorted(shell.find_all("historyButton-"), key=lambda b: b.objectName())
    assert [b.property("text")[:8] for b in buttons] == ["历史版本 第2版", "历史版本 第1版"]
    assert all(b.height() >= 72 for b in buttons)
    assert not shell.find("earlierBanner").isVisible()

    shell.tap("historyButton-1")
    shell.wait(lambda: shell.find("earlierBanner").isVisible())
    assert shell.find("earlierBannerText").property("text") == "历史版本（已被修订，不再有效）"
    assert "第 1 版" in shell.find("earlierBannerWhich").property("text")
    assert "11月15日起" in body.property("text") and "减半" not in body.property("text")
    assert "万府发〔2026〕12号" in shell.find("docMeta").property("text")
    assert not note.isVisible() and not shell.find("printButton").isEnabled()
    assert not shell.find("docStatusChip").isVisible(), "no 现行有效 chip on an earlier version"

    shell.tap("currentVersionButton")
    shell.wait(lambda: not shell.find("earlierBanner").isVisible())
    assert "低保家庭减半" in body.property("text") and "万府发〔2026〕18号" in shell.find("docMeta").property("text")
    assert note.isVisible() and shell.find("printButton").isEnabled()


def test_a_document_never_amended_shows_no_history(shell: Shell) -> None:
    shell.window.openRoute("document", {"docId": "louxing-2021-dibao-banfa"})
    shell.wait_page("documentPage")
    assert not shell.find("revisedNote").isVisible() and shell.find_all("historyButton-") == []
