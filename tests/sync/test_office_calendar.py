"""Deadlines across the year boundary: 2026 published, 2027 not (provisional, counted by the 放假办法 with
Spring Festival), then a 2027 arrangement published from a file — through the real server, a real
terminal database and the office's command line."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from synchelpers import ZONES

from kiosk.applications import service
from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Medium,
    RequestedInfo,
)
from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import Zone
from kiosk.workdays import load_calendar
from sync.client import lookup_application, sync_once
from sync.server.__main__ import main as server_main
from sync.server.db import sessions
from sync.server.feed.calendar import ArrangementError, parse_arrangement
from sync.server.office.models import Case, CaseEvent

ARRANGEMENT = Path(__file__).parent / "data" / "arrangement-2027.json"
CHINA = timezone(timedelta(hours=8))

# receipt -> (due with 2027 unpublished, provisional?, due once the 2027 arrangement is published)
EXPECTED = {
    # 2026 only: 国庆 10/1–10/7 off (2026 arrangement), 10/10 (Sat) worked
    date(2026, 9, 30): (date(2026, 11, 3), False, date(2026, 11, 3)),
    # 元旦 2027 (Fri) off in both; provisional until 2027 is published
    date(2026, 12, 31): (date(2027, 1, 29), True, date(2027, 1, 29)),
    # across 春节 2027: 除夕 2/5 (Fri) to 初三 2/8 plus 补假 2/9–2/10 (provisional); published 2/5–2/12
    # off with 1/31 and 2/20 worked: the same four working days lost, the same date
    date(2027, 1, 29): (date(2027, 3, 4), True, date(2027, 3, 4)),
    # 国庆 2027: 10/1–10/3 + 补假 10/4–10/5 (provisional) → 11/2; published 10/1–10/7 off and 9/26
    # (before the count starts) and 10/9 worked → one working day later
    date(2027, 9, 30): (date(2027, 11, 2), True, date(2027, 11, 3)),
}


def _app(what: str) -> Application:
    return Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="李堃",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="13912345678",
            address="万宝街道1号",
        ),
        request=RequestedInfo(description=what),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )


def test_arrangement_is_checked_before_anything_is_stored() -> None:
    raw = json.loads(ARRANGEMENT.read_text(encoding="utf-8"))
    year, source, entry = parse_arrangement(raw)
    assert year == 2027 and "国务院办公厅" in source
    assert "2027-02-12" in entry["holidays"] and entry["names"]["2027-02-12"] == "春节"
    assert entry["workdays"] == ["2027-01-31", "2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]
    bad = dict(raw)
    bad["holidays"] = [h for h in raw["holidays"] if h["name"] != "中秋节"]
    bad["workdays"] = [*raw["workdays"], "2027-03-03", "2027-02-06"]
    with pytest.raises(ArrangementError) as exc:
        parse_arrangement(bad)
    text = "\n".join(exc.value.problems)
    assert "缺少法定节假日：2027-09-15 中秋节" in text
    assert "2027-03-03 是工作日" in text
    assert "2027-02-06 同时被列为放假日" in text


def test_four_receipts_provisional_then_published(server, data_dir: Path, capsys) -> None:
    server.publish_lines(ZONES)
    cfg = server.terminal(data_dir)
    # The server dates what it receives (sync.server.terminals.dating): a terminal's receipt date stands
    # only for an application queued offline since the terminal's last contact and before the server's
    # now. So the server's clock reads the day before the first receipt at the first contact, and after
    # the last receipt when the queued applications arrive.
    server.clock = datetime(2026, 9, 29, 2, 0)
    assert sync_once(cfg).error is None
    zone = Zone(code="wanbao", name="万宝镇", kind="township", prefix="WB")
    engine = open_engine(cfg.db_path)
    numbers: dict[date, str] = {}
    with session_factory(engine)() as s:
        for received, (due, provisional, _final) in EXPECTED.items():
            now = datetime(received.year, received.month, received.day, 10, 0, tzinfo=CHINA)
            app = service.submit(s, _app(f"{received}收到的申请"), zone=zone, terminal_id=cfg.terminal.id, now=now)
            assert app.issued is not None
            numbers[received] = app.issued.tracking_no
            # the terminal's receipt: the same date the server will hold, and says when it is provisional
            assert app.issued.deadline == due, received
            text = app.issued.deadline_explanation
            assert ("此日期为暂定" in text) is provisional, text
            if provisional:
                assert "2027年节假日安排尚未公布" in text and "全国年节及纪念日放假办法" in text
            if received == date(2027, 1, 29):
                assert "春节假期6天" in text
    engine.dispose()
    server.clock = datetime(2027, 10, 8, 2, 0)
    assert sync_once(cfg).error is None
    with sessions(server.engine)() as s:
        for received, (due, provisional, _final) in EXPECTED.items():
            case = s.get(Case, numbers[received])
            assert case is not None and case.received_on == received and not case.received_flag
            assert (case.due, case.due_provisional) == (due, provisional), received
    answer = lookup_application(cfg, numbers[date(2027, 1, 29)], "13912345678")
    assert answer["deadline"] == "2027-03-04" and answer["deadline_provisional"] is True
    assert "暂定" in answer["deadline_note"]

    # the office publishes the 2027 arrangement
    argv = ["calendar", "publish", "--db", server.db_url, "--by", "王科长", str(ARRANGEMENT)]
    rc = server_main(argv, today=lambda: date(2027, 10, 8))
    out = capsys.readouterr().out
    assert rc == 0, out
    assert f"{numbers[date(2027, 9, 30)]}: 2027-11-02 -> 2027-11-03" in out
    with sessions(server.engine)() as s:
        for received, (_due, _p, final) in EXPECTED.items():
            case = s.get(Case, numbers[received])
            assert case is not None
            assert (case.due, case.due_provisional) == (final, False), received
        moved = s.query(CaseEvent).filter(CaseEvent.action == "recount").all()
        assert {e.tracking_no for e in moved} == {numbers[d] for d in EXPECTED if d.year == 2027 or d.month == 12}
        assert all(e.actor == "王科长" and e.on == date(2027, 10, 8) for e in moved)  # dated by the server's clock
    answer = lookup_application(cfg, numbers[date(2027, 9, 30)], "13912345678")
    assert answer["deadline"] == "2027-11-03" and answer["deadline_provisional"] is False

    # the terminal receives the signed calendar on its next sync and counts the same dates
    assert sync_once(cfg).error is None
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s:
        cal = load_calendar(s)
        assert cal.year(2027).source == "server"
        from kiosk.workdays import reply_deadline

        for received, (_due, _p, final) in EXPECTED.items():
            d = reply_deadline(received, cal)
            assert (d.due, d.provisional_years) == (final, ()), received
    engine.dispose()


def test_publish_refuses_a_bad_file_and_changes_nothing(server, tmp_path: Path, capsys) -> None:
    raw = json.loads(ARRANGEMENT.read_text(encoding="utf-8"))
    raw["holidays"] = raw["holidays"][1:]  # 元旦 missing
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert server_main(["calendar", "publish", "--db", server.db_url, "--by", "王科长", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "缺少法定节假日：2027-01-01 元旦" in err and "未发布" in err
    assert server_main(["calendar", "show", "--db", server.db_url]) == 0
    assert "2027" not in capsys.readouterr().out.split("其他年份")[0]
