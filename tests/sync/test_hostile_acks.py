"""Acknowledgements that are not ones, from a hostile server on loopback: the application stays on the
terminal with its personal data and the reason is recorded; only a real acknowledgement purges it, and a
crash between the acknowledgement and the purge is made good by the next run."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hostile import HostileServer, Request, http, json_answer
from synchelpers import application_state, doc, submit_application

from kiosk.sync_state import now_utc
from sync.client import sync_once


@pytest.fixture
def hostile(server) -> Iterator[HostileServer]:
    h = HostileServer(server.port)
    yield h
    h.close()


def _answer_with(fn):
    def rule(req: Request, upstream):
        return [fn(req, upstream)]

    return rule


def _foreign_tracking_no(req: Request, _up) -> bytes:
    key = req.headers["idempotency-key"]
    return json_answer(
        {"status": "accepted", "kind": "application", "idempotency_key": key, "tracking_no": "WB01-20261127-9999"}
    )


def _rejected(req: Request, _up) -> bytes:
    return json_answer({"status": "rejected", "kind": "application", "idempotency_key": req.headers["idempotency-key"]})


def _other_key(req: Request, _up) -> bytes:
    tn = json.loads(req.body)["issued"]["tracking_no"]
    return json_answer({"status": "accepted", "kind": "application", "idempotency_key": "other-key", "tracking_no": tn})


def _no_key(req: Request, _up) -> bytes:
    tn = json.loads(req.body)["issued"]["tracking_no"]
    return json_answer({"status": "accepted", "kind": "application", "tracking_no": tn})


def _bool_status(req: Request, _up) -> bytes:
    tn = json.loads(req.body)["issued"]["tracking_no"]
    key = req.headers["idempotency-key"]
    return json_answer({"status": True, "kind": "application", "idempotency_key": key, "tracking_no": tn})


ATTACKS = {
    "empty body": lambda _r, _u: http(200, b""),
    "empty object": lambda _r, _u: json_answer({}),
    "not JSON": lambda _r, _u: http(200, b"OK"),
    "204 no content": lambda _r, _u: http(204, b""),
    "foreign tracking number": _foreign_tracking_no,
    "says rejected": _rejected,
    "another key": _other_key,
    "no key": _no_key,
    "status is a boolean": _bool_status,
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_answer_that_does_not_prove_delivery_keeps_the_application(
    server, hostile: HostileServer, data_dir: Path, attack: str
) -> None:
    cfg = server.terminal(data_dir, url=hostile.url)
    tn = submit_application(cfg)
    hostile.rule("/v1/submissions/application", _answer_with(ATTACKS[attack]))
    report = sync_once(cfg)
    status, held, acked, err = application_state(cfg.db_path, tn)
    assert (status, held, acked) == ("pending", True, None), "not delivered: the personal data stays"
    assert err and "保留" in err, err
    assert report.error and report.pushed == 0
    hostile.rules.clear()  # the real server now answers (after the entry's backoff): delivered, then purged
    assert sync_once(cfg, now=now_utc() + timedelta(hours=1)).error is None
    status, held, acked, err = application_state(cfg.db_path, tn)
    assert (status, held) == ("delivered", False) and acked is not None


def test_a_real_acknowledgement_names_key_and_tracking_number(server, data_dir: Path) -> None:
    cfg = server.terminal(data_dir)
    tn = submit_application(cfg)
    assert sync_once(cfg).error is None
    con = sqlite3.connect(cfg.db_path)
    key, response = con.execute("SELECT idempotency_key, response FROM outbox WHERE kind = 'application'").fetchone()
    con.close()
    answer = json.loads(response)
    assert answer["status"] == "accepted" and answer["idempotency_key"] == key and answer["tracking_no"] == tn
    assert application_state(cfg.db_path, tn)[:2] == ("delivered", False)


def test_a_crash_between_ack_and_purge_is_purged_by_the_next_run(
    server, hostile: HostileServer, data_dir: Path
) -> None:
    """The acknowledgement is committed, the process dies before the purge: the next run (even one whose
    pull fails) purges first."""
    cfg = server.terminal(data_dir)
    tn = submit_application(cfg)
    con = sqlite3.connect(cfg.db_path)
    con.execute("UPDATE outbox SET acked_at = '2026-11-27 02:00:05', payload = NULL WHERE kind = 'application'")
    con.commit()
    con.close()
    assert application_state(cfg.db_path, tn)[:2] == ("pending", True)
    server.publish_lines([doc(1)])
    cfg2 = server.terminal(data_dir, url=hostile.url)
    hostile.rule("/v1/manifest", _answer_with(lambda _r, _u: http(500, b"{}")))
    report = sync_once(cfg2)
    assert report.error  # the pull failed …
    assert application_state(cfg.db_path, tn)[:2] == ("delivered", False)  # … and the purge still ran


def test_heartbeat_and_push_happen_whatever_the_pull_did(server, hostile: HostileServer, data_dir: Path) -> None:
    from sync.server.db import Terminal, sessions

    server.publish_lines([doc(1)])
    cfg = server.terminal(data_dir, url=hostile.url)
    for n, prefix in enumerate(("/v1/manifest", "/v1/changes")):
        tn = submit_application(cfg, what=f"第{n}件申请的内容")
        hostile.rules = [(prefix, _answer_with(lambda _r, _u: http(200, b'{"x": [[[[')))]
        hostile.seen.clear()
        report = sync_once(cfg)
        assert report.error and "格式" in report.error and "bad-answer" in report.codes
        assert application_state(cfg.db_path, tn)[:2] == ("delivered", False), prefix
        assert any(r.path.startswith("/v1/submissions/heartbeat") for r in hostile.seen), prefix
    with sessions(server.engine)() as s:
        assert s.query(Terminal).filter(Terminal.last_heartbeat_at.is_not(None)).count() == 1
