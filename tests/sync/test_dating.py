"""The server dates what it receives (sync/server/terminals/dating.py): its own date for an application
delivered online, the terminal's within a bound for one queued offline, a flag on the case otherwise."""

from __future__ import annotations

import datetime as dt
import json

import httpx
from sqlalchemy import select

from sync.server.__main__ import add_terminal
from sync.server.db import sessions
from sync.server.office.models import Case
from sync.server.terminals.dating import receipt_date

CHINA = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 7, 16, 30)  # UTC: 00:30 on 8 December in China


def test_online_counts_the_servers_date() -> None:
    # handed in at 00:25 China time on the 8th, arrived at 00:30: the server's date (online)
    r = receipt_date(dt.datetime(2026, 12, 8, 0, 25, tzinfo=CHINA), NOW, NOW - dt.timedelta(minutes=5))
    assert receipt_date(dt.datetime(2026, 12, 8, 0, 25), NOW, None) == r  # a naive time is China time
    assert r.received_on == dt.date(2026, 12, 8) and r.flag is None


def test_offline_keeps_the_terminals_date_within_the_bound() -> None:
    submitted = dt.datetime(2026, 12, 5, 10, 0, tzinfo=CHINA)  # queued while the link was down
    r = receipt_date(submitted, NOW, dt.datetime(2026, 12, 5, 1, 0))  # last contact 09:00 China, same morning
    assert r.received_on == dt.date(2026, 12, 5) and r.flag is None


def test_a_clock_ahead_or_a_date_long_before_the_last_contact_is_flagged() -> None:
    ahead = receipt_date(dt.datetime(2027, 1, 29, 10, 0, tzinfo=CHINA), NOW, NOW)
    assert ahead.received_on == dt.date(2026, 12, 8) and ahead.flag and "晚于服务器" in ahead.flag
    old = receipt_date(dt.datetime(2026, 11, 1, 10, 0, tzinfo=CHINA), NOW, NOW - dt.timedelta(hours=1))
    assert old.received_on == dt.date(2026, 12, 8) and old.flag and "请核实" in old.flag


def test_a_future_dated_application_is_flagged_on_its_case(server) -> None:
    server.ensure_zone("wanbao")
    tid, token = add_terminal(server.db_url, "wanbao")
    no = f"WB{tid[-2:]}-20270129-0001"  # a number this terminal may issue
    c = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    app = {
        "tracking_no": no,
        "zone": "wanbao",
        "submitted_at": "2027-01-29T10:00:00+08:00",
        "applicant": {"name": "王五", "phone": "13700001111"},
        "request": {"description": "2026年财政预算"},
    }
    r = c.post(
        "/v1/submissions/application",
        content=json.dumps(app, ensure_ascii=False).encode(),
        headers={"Idempotency-Key": "k-future", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    with sessions(server.engine)() as s:
        case = s.scalar(select(Case).where(Case.tracking_no == no))
        assert case is not None
        today = dt.datetime.now(CHINA).date()
        assert case.received_on == today and case.received_flag and "终端时钟可能不准" in case.received_flag
