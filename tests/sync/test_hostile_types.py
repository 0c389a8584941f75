"""Mistyped, out-of-bounds and hostile-shaped answers, signed or not, from a hostile server on loopback:
each is refused before anything is stored, recorded in plain Chinese, and the screens' status still reads."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, Request, body_of, http, json_answer, resigned
from synchelpers import doc, kv, mirror_docs, submit_application

from kiosk.calendar_store import load_calendar
from kiosk.db import open_engine, session_factory
from kiosk.sync_state import read_status
from sync.client import sync_once
from sync.protocol import signing
from sync.protocol.signing import canonical


@pytest.fixture
def hostile(server) -> Iterator[HostileServer]:
    h = HostileServer(server.port)
    yield h
    h.close()


@pytest.fixture
def signer(district_keys: Path) -> signing.Signer:
    return signing.load_signer(district_keys)


def _status(cfg):
    engine = open_engine(cfg.db_path)
    try:
        with session_factory(engine)() as s, s.begin():
            return read_status(s)
    finally:
        engine.dispose()


def _edit_page(edit):
    def rule(_req: Request, upstream):
        page = json.loads(body_of(upstream()))
        edit(page)
        return [json_answer(page)]

    return rule


def _raw(body: bytes):
    return lambda _req, _up: [http(200, body)]


HOSTILE_BODIES = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested 40 deep": b'{"a":' * 40 + b"1" + b"}" * 40,
    "5,000-digit integer": b'{"payload": {"version": ' + b"9" * 5000 + b"}}",
    "NaN": b'{"payload": NaN}',
    "lone surrogate key id": b'{"key_id": "\\ud800", "payload": {}, "sig": ""}',
    "not UTF-8": b'{"a": "\xff\xfe"}',
}


@pytest.mark.parametrize("attack", list(HOSTILE_BODIES))
def test_hostile_json_is_refused_cleanly_and_the_rest_of_the_run_goes_on(
    server, hostile: HostileServer, data_dir: Path, attack: str
) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url)
    tn = submit_application(cfg)
    hostile.rule("/v1/manifest", _raw(HOSTILE_BODIES[attack]))
    report = sync_once(cfg)
    assert report.error and "内部错误" not in report.error and "Traceback" not in report.error
    st = _status(cfg)
    assert st.last_error == report.error and st.cursor == 0
    assert mirror_docs(cfg.db_path) == {}
    assert report.pushed == 1  # the application still went
    assert any(r.path.startswith("/v1/submissions/heartbeat") for r in hostile.seen)
    con = sqlite3.connect(cfg.db_path)
    assert con.execute("SELECT payload FROM applications WHERE tracking_no = ?", (tn,)).fetchone() == (None,)
    con.close()


UNSIGNED = {
    "remaining is true": lambda p: p.update(remaining=True),
    "remaining is a string": lambda p: p.update(remaining="575"),
    "head_seq is a float": lambda p: p.update(head_seq=2.5),
    "remaining is huge": lambda p: p.update(remaining=10**17),
    "entries is an object": lambda p: p.update(entries={}),
}


@pytest.mark.parametrize("attack", list(UNSIGNED))
def test_a_mistyped_unsigned_field_refuses_the_page_and_status_still_reads(
    server, hostile: HostileServer, data_dir: Path, attack: str
) -> None:
    server.publish_lines([doc(i) for i in range(1, 4)])
    cfg = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/changes", _edit_page(UNSIGNED[attack]))
    report = sync_once(cfg)
    assert report.error and "字段" in report.error, report.error
    assert mirror_docs(cfg.db_path) == {} and kv(cfg.db_path, "sync.behind") in (None, "0")
    st = _status(cfg)  # never raises, whatever came
    assert st.behind == 0 and st.last_error == report.error
    hostile.rules.clear()
    assert sync_once(cfg).error is None and len(mirror_docs(cfg.db_path)) == 3


SIGNED_MANIFEST = {
    "version is true": lambda p: p.update(version=True),
    "head_seq is true": lambda p: p.update(head_seq=True),
    "version is a string": lambda p: p.update(version="7"),
    "version is 2**63": lambda p: p.update(version=2**63),
    "expires_at is a number": lambda p: p.update(expires_at=1),
}


@pytest.mark.parametrize("attack", list(SIGNED_MANIFEST))
def test_a_signed_but_mistyped_manifest_is_refused(
    server, hostile: HostileServer, signer, data_dir: Path, attack: str
) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/manifest", lambda _r, up: [resigned(up(), signer, SIGNED_MANIFEST[attack])])
    report = sync_once(cfg)
    assert report.error and "已拒绝" in report.error
    assert kv(cfg.db_path, "sync.manifest_version") is None and mirror_docs(cfg.db_path) == {}
    st = _status(cfg)
    assert st.manifest_version == 0 and st.frozen


def test_a_mistyped_signed_document_is_refused(server, hostile: HostileServer, signer, data_dir: Path) -> None:
    server.publish_lines([doc(1), doc(2)])
    cfg = server.terminal(data_dir, url=hostile.url)

    def rule(_r, up):
        page = json.loads(body_of(up()))
        page["entries"][0] = signer.sign({**page["entries"][0]["payload"], "seq": True})
        return [json_answer(page)]

    hostile.rule("/v1/changes", rule)
    report = sync_once(cfg)
    assert report.error and mirror_docs(cfg.db_path) == {}


BAD_CALENDARS = {
    "a day that is not a date": {"2026": {"holidays": ["2026-13-45"], "workdays": []}},
    "holidays is a string": {"2026": {"holidays": "2026-01-01", "workdays": []}},
    "a day of another year": {"2026": {"holidays": ["2027-03-01"], "workdays": []}},
    "a name that is a number": {"2026": {"holidays": ["2026-01-01"], "workdays": [], "names": {"2026-01-01": 1}}},
    "year that is not a year": {"20x6": {"holidays": [], "workdays": []}},
    "a day both off and worked": {"2026": {"holidays": ["2026-01-04"], "workdays": ["2026-01-04"]}},
    "10,000 days": {"2026": {"holidays": ["2026-01-01"] * 10_000, "workdays": []}},
}


@pytest.mark.parametrize("attack", list(BAD_CALENDARS))
def test_a_bad_signed_calendar_is_refused_whole_and_the_previous_one_kept(
    server, hostile: HostileServer, signer, data_dir: Path, attack: str
) -> None:
    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url)
    assert sync_once(cfg).error is None
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        good = load_calendar(s)
    assert good and "2026" in good
    bad = {"kind": "calendar", "source": "hostile", "years": BAD_CALENDARS[attack]}
    bad_sha = hashlib.sha256(canonical(bad)).hexdigest()
    hostile.rule("/v1/calendar", lambda _r, _u: [json_answer(signer.sign(bad))])
    hostile.rule("/v1/manifest", lambda _r, up: [resigned(up(), signer, lambda p: p.update(calendar_sha256=bad_sha))])
    server.publish_lines([doc(2)], "more.jsonl")
    report = sync_once(cfg)
    assert report.error and "日历" in report.error
    with session_factory(engine)() as s, s.begin():
        assert load_calendar(s) == good
    engine.dispose()
    assert len(mirror_docs(cfg.db_path)) == 2, "the feed still came"
    submit_application(cfg)  # applications are still accepted and counted with the kept calendar


GARBAGE = ["True", "true", "-1", "9" * 5000, "", "1e9", "²", "nan", "0x10", " 42", "2026-99-99T00:00:00Z"]


@pytest.mark.parametrize("value", GARBAGE)
def test_read_status_never_raises_on_what_is_stored(data_dir: Path, value: str) -> None:
    engine = open_engine(data_dir / "mirror.db")
    engine.dispose()
    con = sqlite3.connect(data_dir / "mirror.db")
    for key in (
        "sync.cursor",
        "sync.behind",
        "sync.manifest_version",
        "sync.last_success_at",
        "sync.manifest_expires_at",
        "sync.last_attempt_at",
        "sync.last_error",
    ):
        con.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))
    con.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('sync.cursor', ?)", (b"\xff\x00",))
    con.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('sync.behind', ?)", (10**18,))
    con.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('sync.manifest_version', ?)", (1.5,))
    con.commit()
    con.close()
    engine = open_engine(data_dir / "mirror.db")
    with session_factory(engine)() as s, s.begin():
        st = read_status(s)
    engine.dispose()
    assert st.cursor == 0 and st.behind == 0 and st.manifest_version == 0 and st.stale
