"""The application lifecycle of the 条例 on the server's real SQLite database: every step, the clock
restarting after a correction, consultation days not counted, the extension, refusals that change
nothing, the append-only log, and the overdue report — through the office's command line."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from synchelpers import configure_office

from sync.server.__main__ import main as server_main
from sync.server.db import open_db, sessions
from sync.server.office import case_status
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseEvent

TODAY = date(2026, 12, 31)  # the server's clock in these tests (handed to the command line)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_db(url)
    with sessions(engine)() as s, s.begin():
        for no, day in (("WB01-20261102-0001", date(2026, 11, 2)), ("WB01-20261102-0002", date(2026, 11, 2))):
            lc.intake(s, tracking_no=no, zone="wanbao", received_on=day, actor="terminal:wanbao-01")
    configure_office(engine)
    engine.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str, today: date = TODAY) -> tuple[int, str]:
    rc = server_main(list(argv), today=lambda: today)
    out = capsys.readouterr()
    return rc, out.out + out.err


def case(url: str, no: str = "WB01-20261102-0001") -> Case:
    engine = open_db(url)
    with sessions(engine)() as s:
        c = s.get(Case, no)
        assert c is not None
        s.expunge(c)
    engine.dispose()
    return c


def test_whole_life_with_correction_consultation_extension_reply(db: str, capsys) -> None:
    no = "WB01-20261102-0001"
    assert case(db).due == date(2026, 11, 30)  # 20 weekdays after Mon 2 Nov 2026
    # 补正 on the 5th working day, 10 working days to correct
    rc, out = run(
        capsys,
        "case",
        "ask-correction",
        "--db",
        db,
        no,
        "--by",
        "张三",
        "--on",
        "2026-11-09",
        "--items",
        "请写明所需信息的文号或者形成时间",
        "--within",
        "10",
    )
    assert rc == 0, out
    c = case(db)
    assert (c.state, c.due, c.correction_due) == ("correction", None, date(2026, 11, 23))
    # a reply now is illegal: refused, nothing changed
    rc, out = run(
        capsys, "case", "reply", "--db", db, no, "--by", "张三", "--type", "disclosed", today=date(2026, 11, 10)
    )
    assert rc == 1 and "当前为“需要补正申请内容”，不能答复" in out
    # a second correction notice: 一次性告知
    argv = ["case", "correction-received", "--db", db, no, "--by", "张三", "--on", "2026-11-16"]
    rc, out = run(capsys, *argv, today=date(2026, 11, 16))  # recorded the day it came, within the period
    assert rc == 0, out
    c = case(db)
    # the clock restarts: 20 working days from 16 Nov
    assert (c.state, c.clock_from, c.due) == ("received", date(2026, 11, 16), date(2026, 12, 14))
    rc, out = run(capsys, "case", "ask-correction", "--db", db, no, "--by", "张三", "--items", "再补正")
    assert rc == 1 and "一次性告知" in out
    # third-party consultation from Wed 18 Nov to Wed 25 Nov: 5 working days not counted
    assert (
        run(
            capsys,
            "case",
            "start-consultation",
            "--db",
            db,
            no,
            "--by",
            "张三",
            "--on",
            "2026-11-18",
            "--party",
            "某建设公司",
        )[0]
        == 0
    )
    assert case(db).due is None
    assert run(capsys, "case", "end-consultation", "--db", db, no, "--by", "张三", "--on", "2026-11-25")[0] == 0
    c = case(db)
    assert (c.paused_days, c.due) == (5, date(2026, 12, 21))
    # extension: needs the approver; at most 20 working days; once
    rc, out = run(capsys, "case", "extend", "--db", db, no, "--by", "张三", "--approver", "", "--reason", "需调档")
    assert rc == 1 and "批准人" in out
    rc, out = run(
        capsys,
        "case",
        "extend",
        "--db",
        db,
        no,
        "--by",
        "张三",
        "--approver",
        "李主任",
        "--reason",
        "需调取档案",
        "--days",
        "21",
        "--on",
        "2026-12-01",
    )
    assert rc == 1 and "最长不得超过20个工作日" in out
    rc, out = run(
        capsys,
        "case",
        "extend",
        "--db",
        db,
        no,
        "--by",
        "张三",
        "--approver",
        "李主任",
        "--reason",
        "需调取档案",
        "--on",
        "2026-12-01",
    )
    assert rc == 0, out
    c = case(db)
    assert (c.extension_days, c.due) == (20, date(2027, 1, 19))  # 元旦 2027 (Fri) off, provisional
    assert c.due_provisional and "含经批准延长的20个工作日" in c.due_explanation
    # 不予公开 without a reason is refused; 非本机关 needs the agency
    rc, out = run(capsys, "case", "reply", "--db", db, no, "--by", "张三", "--type", "withheld")
    assert rc == 1 and "理由" in out
    rc, out = run(capsys, "case", "reply", "--db", db, no, "--by", "张三", "--type", "not_ours")
    assert rc == 1 and "负责公开的行政机关名称" in out
    rc, out = run(
        capsys,
        "case",
        "reply",
        "--db",
        db,
        no,
        "--by",
        "张三",
        "--type",
        "partly_disclosed",
        "--reason",
        "涉及个人隐私的内容已作区分处理",
        "--on",
        "2026-12-30",
    )
    assert rc == 0, out
    assert run(capsys, "case", "close", "--db", db, no, "--by", "张三", "--on", "2026-12-31")[0] == 0
    c = case(db)
    assert (c.state, c.reply_type, c.replied_on, c.closed_on) == (
        "closed",
        "partly_disclosed",
        date(2026, 12, 30),
        date(2026, 12, 31),
    )
    rc, out = run(capsys, "case", "show", "--db", db, no)
    assert rc == 0 and "已办结" in out and "部分公开" in out
    engine = open_db(db)
    with sessions(engine)() as s:
        evs = lc.events(s, no)
        assert [e.action for e in evs] == [
            "receive",
            "ask_correction",
            "issue_notice",
            "correction_received",
            "start_consultation",
            "issue_notice",
            "end_consultation",
            "extend",
            "issue_notice",
            "reply",
            "issue_notice",
            "close",
        ]
        assert all(e.actor for e in evs) and evs[7].data.count("李主任") == 1
        # each notice issued with the step (补正, 征求意见, 延期, 答复), numbered in the year's series
        numbers = [json.loads(e.data)["number"] for e in evs if e.action == "issue_notice"]
        assert numbers == [f"娄星政公开〔2026〕第{n}号" for n in (1, 2, 3, 4)]
        status = case_status.public_status(s.get(Case, no), s)  # type: ignore[arg-type]
    # the log cannot be rewritten
    with engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE case_events SET actor = 'x'"))
    with engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM case_events"))
    engine.dispose()
    assert status["stage_label"] == "已办结" and status["reply_label"] == "部分公开"
    labels = [d["label"] for d in status["dates"]]
    assert labels == ["受理日期", "告知补正日期", "收到补正日期", "延长答复期限日期", "答复日期", "办结日期"]
    shown = [v for k, v in status.items() if k.endswith(("label", "note", "step"))]
    assert shown and not any("_" in str(v) for v in shown)  # no raw code anywhere the resident reads


def test_correction_too_late_lapses_and_overdue_report(db: str, capsys) -> None:
    """补正 asked too late is refused; a correction period that runs out makes the server itself withdraw
    the application (视为放弃申请, Art. 30) on the first command that reads it after the period."""
    no = "WB01-20261102-0002"
    nov = lambda day: date(2026, 11, day)  # noqa: E731 - the office's clock, day by day
    ask = ["case", "ask-correction", "--db", db, no, "--by", "张三", "--items", "补充文号"]
    rc, out = run(capsys, *ask, today=nov(12))
    assert rc == 1 and "7个工作日内告知（至 2026-11-11）" in out
    assert run(capsys, *ask, "--within", "5", today=nov(11))[0] == 0
    rc, out = run(capsys, "case", "correction-lapsed", "--db", db, no, "--by", "张三", today=nov(18))
    assert rc == 1 and "期限届满前" in out
    # the last day of the period: the overdue report lists the correction as due today
    rc, out = run(capsys, "overdue", "--db", db, today=nov(18))
    assert rc == 0 and out.splitlines()[0] == f"{no}\twanbao\t补正期限 2026-11-18\t还剩0个工作日"
    # a consultation whose 15 working days for the opinion ran out is listed too (Art. 32)
    other = "WB01-20261102-0001"
    argv = ["case", "start-consultation", "--db", db, other, "--by", "张三", "--on", "2026-11-03"]
    assert run(capsys, *argv, "--party", "某建设公司", today=nov(18))[0] == 0
    # on 2026-11-27 the period has run out: the report's first read withdraws the application
    rc, out = run(capsys, "overdue", "--db", db, today=nov(27))
    lines = out.splitlines()
    assert rc == 0 and lines[0] == f"{no}\t补正期限届满未补正，视为放弃申请（已自动终止办理）"
    assert f"{other}\twanbao\t第三方意见期限 2026-11-24\t逾期3个工作日" in out and "补正期限 " not in out
    rc, out = run(capsys, "overdue", "--db", db, today=nov(30))
    assert "视为放弃申请" not in out  # once
    rc, out = run(capsys, "case", "correction-lapsed", "--db", db, no, "--by", "张三", today=nov(30))
    assert rc == 1 and "已终止办理" in out
    rc, out = run(capsys, "case", "reply", "--db", db, no, "--by", "张三", "--type", "disclosed", today=nov(30))
    assert rc == 1 and "不能答复" in out
    engine = open_db(db)
    with sessions(engine)() as s:
        st = case_status.public_status(s.get(Case, no), s)  # type: ignore[arg-type]
        assert st["stage_label"] == "逾期未补正，视为放弃申请" and st["deadline"] is None
        assert {"label": "视为放弃申请日期", "date": "2026-11-19"} in st["dates"]
        assert "第三十条" in st["next_step"] and "重新提出申请" in st["next_step"]
        evs = s.query(CaseEvent).filter(CaseEvent.tracking_no == no).order_by(CaseEvent.id).all()
        assert [e.action for e in evs] == ["receive", "ask_correction", "issue_notice", "correction_lapsed"]
        assert (evs[-1].actor, evs[-1].on, evs[-1].from_state, evs[-1].to_state) == (
            lc.SYSTEM_ACTOR,
            nov(19),
            "correction",
            "withdrawn",
        )
        assert "2026年11月18日" in evs[-1].reason and "视为放弃申请" in evs[-1].reason
    engine.dispose()
    rc, out = run(capsys, "case", "close", "--db", db, no, "--by", "张三", "--on", "2027-01-05")
    assert rc == 1 and "还没有到" in out
    assert run(capsys, "case", "close", "--db", db, no, "--by", "张三")[0] == 0  # 办结归档 of the withdrawn one
    assert case(db, no).state == "closed"


def test_a_correction_received_in_time_is_not_lapsed(db: str, capsys) -> None:
    no, late = "WB01-20261102-0001", "WB01-20261102-0002"
    for n in (no, late):
        argv = ["case", "ask-correction", "--db", db, n, "--by", "张三", "--items", "补充文号", "--within", "5"]
        assert run(capsys, *argv, today=date(2026, 11, 11))[0] == 0
    argv = ["case", "correction-received", "--db", db, no, "--by", "张三"]
    assert run(capsys, *argv, today=date(2026, 11, 18))[0] == 0  # on the last day
    assert run(capsys, "overdue", "--db", db, today=date(2026, 11, 20))[0] == 0
    assert case(db, no).state == "received" and case(db, late).state == "withdrawn"
    # the other's correction had come by post on the 17th and is recorded late: it reopens the case
    argv = ["case", "correction-received", "--db", db, late, "--by", "张三"]
    rc, out = run(capsys, *argv, "--on", "2026-11-19", today=date(2026, 11, 20))
    assert rc == 1 and "已逾期" in out
    rc, out = run(capsys, *argv, "--on", "2026-11-17", today=date(2026, 11, 20))
    assert rc == 0, out
    c = case(db, late)
    assert (c.state, c.clock_from) == ("received", date(2026, 11, 17))
    engine = open_db(db)
    with sessions(engine)() as s:
        assert [e.action for e in lc.events(s, late)][-2:] == ["correction_lapsed", "correction_received"]
        assert case_status.public_status(c, s)["stage_label"] == "已受理，正在办理"
    engine.dispose()


def test_the_environment_cannot_move_a_production_servers_today(db: str, monkeypatch, capsys) -> None:
    """A server runs on China's real date: no variable (the old ``ZWGK_TODAY`` test hook) dates a step
    in the future, which would move its legal deadlines."""
    monkeypatch.setenv("ZWGK_TODAY", "2030-01-01")
    tomorrow = (lc.china_today() + timedelta(days=1)).isoformat()
    argv = ["case", "withdraw", "--db", db, "WB01-20261102-0001", "--by", "张三", "--on", tomorrow]
    assert server_main(argv) == 1  # the production clock
    assert "还没有到" in capsys.readouterr().err
    assert case(db).state == "received"
