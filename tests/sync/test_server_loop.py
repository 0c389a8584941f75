"""The server's event loop is never blocked by database work: while a terminal's submission waits for
SQLite's write lock (held here by another connection to the server's database file, as a long publish or a
backup from the command line would hold it), other requests to the same worker still answer at once, and
the submission itself completes, exactly once, when the lock is released (SQLite's ``busy_timeout`` in
:mod:`sync.server.db` is 10 s, so a 2 s wait is waited out, not refused)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator

import httpx
from sqlalchemy import func, select

from sync.server.__main__ import add_terminal
from sync.server.db import Submission, Terminal, sessions

APP = {
    "tracking_no": "WB01-20261127-0007",
    "zone": "wanbao",
    "submitted_at": "2026-11-27T09:00:00+08:00",
    "applicant": {"name": "王五", "id_number": "11010519491231002X", "phone": "13700001111"},
    "request": {"description": "2026年财政预算"},
}
HEARTBEAT = {"version": "0.1.0", "mirror_seq": 0, "printer_state": "ok", "free_disk_mb": 1234}
HOLD_S = 2.0  # how long the other connection keeps the write lock
PROMPT_S = 0.5  # what "answers at once" means while it does


def _terminal(server, zone: str = "wanbao") -> httpx.Client:
    server.ensure_zone(zone)
    _tid, token = add_terminal(server.db_url, zone)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=15)


class _Held:
    """A request sent in a thread of its own, whose answer (or error) is kept for the test."""

    def __init__(self, send: object) -> None:
        self.answer: httpx.Response | None = None
        self.error: BaseException | None = None
        self.done_at = 0.0
        self._thread = threading.Thread(target=self._run, args=(send,), daemon=True)
        self._thread.start()

    def _run(self, send: object) -> None:
        try:
            self.answer = send()  # type: ignore[operator]
        except BaseException as exc:
            self.error = exc
        self.done_at = time.monotonic()

    def result(self) -> httpx.Response:
        self._thread.join(20)
        assert self.error is None, self.error
        assert self.answer is not None
        return self.answer


def _timed_get(client: httpx.Client, path: str) -> tuple[float, int]:
    """How long ``path`` took to answer and its status (0: no answer within a second)."""
    t0 = time.monotonic()
    try:
        status = client.get(path, timeout=1.0).status_code
    except httpx.TimeoutException:
        status = 0
    return time.monotonic() - t0, status


def test_a_submission_waiting_for_the_write_lock_stalls_no_other_request(server) -> None:
    with _terminal(server) as term, _terminal(server) as probe, httpx.Client(base_url=server.url) as public:
        _while_the_lock_is_held(server, term, probe, public)


def _while_the_lock_is_held(server, term: httpx.Client, probe: httpx.Client, public: httpx.Client) -> None:
    assert probe.get("/v1/manifest").status_code == 200  # signed once before the test proper
    body_may_go = threading.Event()

    def slow_body() -> Iterator[bytes]:
        body_may_go.wait(10)  # the headers are out; the server has checked the key and awaits the body
        yield json.dumps(APP, ensure_ascii=False).encode("utf-8")

    headers = {"Idempotency-Key": "application-1", "Content-Type": "application/json"}
    submission = _Held(lambda: term.post("/v1/submissions/application", content=slow_body(), headers=headers))
    time.sleep(0.5)  # the route has looked up the key and released the database before it reads the body

    lock = sqlite3.connect(server.db_path, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")  # the write lock, as a long publish from the command line holds it
    held_at = time.monotonic()
    try:
        body_may_go.set()  # the submission now needs the write lock and waits for it
        beat = _Held(
            lambda: probe.post("/v1/submissions/heartbeat", json=HEARTBEAT, headers={"Idempotency-Key": "heartbeat-1"})
        )
        time.sleep(0.3)
        probes = ((public, "/v1/enrol/key"), (probe, "/v1/manifest"), (public, f"/status?no={APP['tracking_no']}"))
        timings = {path: _timed_get(client, path) for client, path in probes}
        waiting = submission.answer is None and beat.answer is None
        time.sleep(max(0.0, held_at + HOLD_S - time.monotonic()))
    finally:
        lock.rollback()
        released_at = time.monotonic()
        lock.close()

    for path, (took, status) in timings.items():
        assert took < PROMPT_S and status == 200, f"{path}: {status} after {took:.2f} s while a submission waited"
    assert waiting  # the submission and the heartbeat waited for the lock (neither was refused at once)
    answer = submission.result()
    assert answer.status_code == 200, answer.text
    assert answer.json()["tracking_no"] == APP["tracking_no"] and answer.json()["deadline"]
    assert submission.done_at >= released_at  # it waited for the lock rather than being refused
    assert beat.result().status_code == 200
    again = term.post("/v1/submissions/application", json=APP, headers=headers)
    assert again.status_code == 200 and again.json() == answer.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with sessions(server.engine)() as s:
        kinds = {k: n for k, n in s.execute(select(Submission.kind, func.count()).group_by(Submission.kind))}
        beats = list(s.scalars(select(Terminal.app_version).where(Terminal.last_heartbeat_at.is_not(None))))
    assert kinds == {"application": 1} and beats == ["0.1.0"]
