"""A document's earlier versions (修订 → 历史版本) travel in the signed feed and land in the mirror: published,
amended twice on the real server under uvicorn, synced by a real terminal, read back through
``kiosk.catalog``; replaced as a whole by a newer record, removed with the document; a history the
protocol does not allow (too many versions, too much text, a version not older, tampered) is refused at
the edge and nothing of the page is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, body_of, json_answer
from synchelpers import doc, mirror_docs

from kiosk import catalog
from kiosk.db import open_engine, session_factory
from sync.client import sync_once
from sync.protocol import signing
from sync.server.feed.publish import withdraw


@pytest.fixture
def hostile(server) -> Iterator[HostileServer]:
    h = HostileServer(server.port)
    yield h
    h.close()


@pytest.fixture
def signer(district_keys: Path) -> signing.Signer:
    return signing.load_signer(district_keys)


def _detail(db: Path, doc_id: str) -> catalog.DocumentDetail | None:
    engine = open_engine(db)
    try:
        with session_factory(engine)() as s:
            return catalog.document(s, doc_id)
    finally:
        engine.dispose()


def _earlier(db: Path, doc_id: str, version: int) -> catalog.EarlierVersion | None:
    engine = open_engine(db)
    try:
        with session_factory(engine)() as s:
            return catalog.earlier_version(s, doc_id, version)
    finally:
        engine.dispose()


def test_two_amendments_reach_the_terminal_as_history(server, data_dir: Path) -> None:
    cfg = server.terminal(data_dir)
    server.publish_lines([doc(1, title="供暖通知（第一稿）", doc_number="万府〔2026〕1号", body="第一稿正文")])
    assert sync_once(cfg).error is None
    d = _detail(cfg.db_path, "doc-00001")
    assert d is not None and d.history == ()
    server.publish_lines([doc(1, title="供暖通知（第二稿）", doc_number="万府〔2026〕2号", body="第二稿正文")])
    server.publish_lines([doc(1, title="供暖通知", doc_number="万府〔2026〕3号", body="第三稿正文")])
    assert sync_once(cfg).error is None
    d = _detail(cfg.db_path, "doc-00001")
    assert d is not None and d.body == "第三稿正文"
    assert [(h.version, h.title, h.doc_number) for h in d.history] == [
        (2, "供暖通知（第二稿）", "万府〔2026〕2号"),
        (1, "供暖通知（第一稿）", "万府〔2026〕1号"),
    ]
    assert all(h.body == "" and h.amended_at.endswith("Z") and h.published == "2026-01-05" for h in d.history)
    first = _earlier(cfg.db_path, "doc-00001", 1)
    assert first is not None and first.body == "第一稿正文" and first.title == "供暖通知（第一稿）"
    assert _earlier(cfg.db_path, "doc-00001", 3) is None  # the current version is not history

    # a status change only (repeal) adds no 历史版本: the same text is not a revision
    from sync.server.feed.publish import repeal

    repeal(server.engine, "doc-00001")
    assert sync_once(cfg).error is None
    d = _detail(cfg.db_path, "doc-00001")
    assert d is not None and d.status == "repealed" and [h.version for h in d.history] == [2, 1]

    # withdrawn: the document and its history leave the mirror
    withdraw(server.engine, "doc-00001")
    assert sync_once(cfg).error is None
    assert _detail(cfg.db_path, "doc-00001") is None
    engine = open_engine(cfg.db_path)
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM doc_history").scalar() == 0
    finally:
        engine.dispose()


def test_history_is_bounded_by_the_server(server, data_dir: Path) -> None:
    cfg = server.terminal(data_dir)
    for i in range(8):
        server.publish_lines([doc(2, body=f"第{i + 1}稿")])
    assert sync_once(cfg).error is None
    d = _detail(cfg.db_path, "doc-00002")
    assert d is not None and [h.version for h in d.history] == [7, 6, 5, 4, 3]


def _entry(version: int, body: str = "旧正文") -> dict[str, object]:
    return {"version": version, "amended_at": "2026-11-30T10:00:00Z", "title": "旧标题", "body": body}


BAD_HISTORY = {
    "six versions": [_entry(i) for i in range(1, 7)],
    "over 4 MB of text": [_entry(1, "政" * (1024 * 1024)), _entry(2, "务" * (1024 * 1024))],
    "a version not older than the record": [_entry(1)],
    "an unknown field": [{**_entry(1), "script": "x"}],
    "a version listed twice": [_entry(1), _entry(1)],
}


@pytest.mark.parametrize("attack", list(BAD_HISTORY))
def test_a_signed_but_bad_history_is_refused(
    server, hostile: HostileServer, signer, data_dir: Path, attack: str
) -> None:
    server.publish_lines([doc(3)])
    cfg = server.terminal(data_dir, url=hostile.url)

    def rule(_r, up):
        page = json.loads(body_of(up()))
        payload = page["entries"][0]["payload"]
        page["entries"][0] = signer.sign({**payload, "history": BAD_HISTORY[attack]})
        return [json_answer(page)]

    hostile.rule("/v1/changes", rule)
    report = sync_once(cfg)
    assert report.error
    assert mirror_docs(cfg.db_path) == {}


def test_a_tampered_history_is_refused(server, hostile: HostileServer, data_dir: Path) -> None:
    server.publish_lines([doc(4, body="第一稿")])
    server.publish_lines([doc(4, body="第二稿")])
    cfg = server.terminal(data_dir, url=hostile.url)

    def rule(_r, up):
        page = json.loads(body_of(up()))
        page["entries"][0]["payload"]["history"][0]["body"] = "篡改过的旧正文"
        return [json_answer(page)]

    hostile.rule("/v1/changes", rule)
    report = sync_once(cfg)
    assert report.error and mirror_docs(cfg.db_path) == {}
