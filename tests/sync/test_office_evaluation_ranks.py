"""Fair ranking on a real SQLite database: tied zones share a rank (1, 1, 3), a zone with no replies is not
"100 % on time", a zone with no ratings is not "100 % followed up", empty zones score 0 and tie, the page
prints how empty months count; the year's 年度优秀政务公开专区 from twelve months (hand-computed) and the
figures per staff member on duty, named by the office (page and command)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from adminlogin import csrf_token, login

from kiosk.mirror.models import Zone
from sync.server.__main__ import main as server_main
from sync.server.db import Submission, open_db, sessions
from sync.server.feed.publish import publish_records
from sync.server.office import annual_eval as ae
from sync.server.office import evaluation as ev
from sync.server.office import lifecycle as lc

CODES = [("a", "甲镇"), ("b", "乙镇"), ("c", "丙镇"), ("d", "丁镇"), ("e", "戊镇")]


def seed(engine) -> None:  # type: ignore[no-untyped-def]
    with sessions(engine)() as s, s.begin():
        zones = [
            Zone(code=c, name=n, kind="township", prefix=c.upper() * 2, sort_order=i) for i, (c, n) in enumerate(CODES)
        ]
        publish_records(s, [], zones)
        for code in ("b", "c"):  # 乙, 丙: two 非常满意 each in November 2026, nothing else: a tie
            for i in range(2):
                body = {"zone": code, "level": 5, "at": f"2026-11-1{i}T10:00:00+08:00"}
                s.add(
                    Submission(
                        terminal_id=f"{code}-01",
                        zone=code,
                        kind="rating",
                        idem_key=f"r{code}{i}",
                        payload=json.dumps(body),
                        response="{}",
                        received_at=datetime(2026, 11, 12),
                    )
                )
        # 甲: one application replied on time in November, nothing else
        lc.intake(s, tracking_no="AA01-20261102-0001", zone="a", received_on=date(2026, 11, 2), actor="t")
        lc.reply(
            s,
            "AA01-20261102-0001",
            lc.Step("张三", date(2026, 11, 20), today=date(2026, 11, 20)),
            reply_type="disclosed",
        )


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_db(u)
    seed(engine)
    engine.dispose()
    return u


def test_ties_share_a_rank_and_empty_zones_score_nothing(url: str) -> None:
    engine = open_db(url)
    with sessions(engine)() as s:
        report = ev.build(s, "2026-11")
    engine.dispose()
    got = {z.code: (z.rank, z.score, sorted(z.parts)) for z in report.zones}
    # 乙/丙: S = 1, U = 0, F = 1 (ratings, no 差评), T not scored: 100 × (40 + 10) / (40 + 20 + 10) = 71.4
    assert got["b"] == got["c"] == (1, 71.4, ["follow_up", "satisfaction", "usage"])
    # 甲: T = 1 only: 100 × 30 / (40 + 20 + 30) = 33.3 — third, above the empty zones
    assert got["a"] == (3, 33.3, ["on_time", "satisfaction", "usage"])
    # 丁/戊: nothing at all: 0, tied fourth — not "100 % on time" or "100 % followed up"
    assert got["d"] == got["e"] == (4, 0.0, ["satisfaction", "usage"])
    assert [z.rank for z in report.zones] == [1, 1, 3, 4, 4]
    text = ev.formula_text(dict(ev.DEFAULT_WEIGHTS))
    assert "本月无答复的专区不计“按时答复率”" in text and "并列（如1、1、3）" in text


def test_the_year_and_the_staff_figures(url: str, capsys) -> None:
    engine = open_db(url)
    with sessions(engine)() as s, s.begin():
        ae.add_duty(s, "周小燕", "b", date(2026, 11, 1), date(2026, 11, 10), by="wang.office")  # one rating day
        ae.add_duty(s, "吴刚", "a", date(2026, 1, 1), date(2026, 12, 31), account="张三", by="wang.office")
    with sessions(engine)() as s:
        year = {z.code: z for z in ae.zones_of_year(s, 2026)}
        staff = {p.name: p for p in ae.staff_of_year(s, 2026)}
    engine.dispose()
    # only November has data: the means are November's score / 12
    assert (year["b"].mean, year["b"].rank, year["b"].excellent, year["b"].firsts) == (6.0, 1, True, 1)
    assert (year["c"].mean, year["c"].rank, year["c"].excellent) == (6.0, 1, True)
    assert (year["a"].mean, year["a"].rank, year["a"].excellent) == (2.8, 3, True)
    assert (year["d"].rank, year["d"].excellent) == (4, False)  # 0: never excellent
    zhou, wu = staff["周小燕"], staff["吴刚"]
    assert (zhou.duty_days, zhou.ratings, zhou.satisfaction, zhou.applications) == (10, 1, 1.0, 0)
    assert (wu.duty_days, wu.ratings, wu.applications, wu.handled) == (365, 0, 1, 1)
    rc = server_main(["evaluation", "year", "--db", url, "--year", "2026"])
    out = capsys.readouterr().out
    assert rc == 0 and "★年度优秀" in out and "周小燕" in out


def test_year_page(server) -> None:
    seed(server.engine)
    c = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(c, "/admin/office/year?year=2026")
    r = c.post(
        "/admin/office/year/duty",
        data={"csrf": token, "year": "2026", "name": "周小燕", "zone": "b", "start": "2026-11-01", "end": "2026-11-30"},
    )
    assert r.status_code == 303
    page = c.get("/admin/office/year", params={"year": "2026"}).text
    assert "周小燕" in page and "乙镇" in page and "★" in page and "相同者并列" in page
    bad = c.post(
        "/admin/office/year/duty",
        data={"csrf": token, "year": "2026", "name": "x", "zone": "b", "start": "2026-11-30", "end": "2026-11-01"},
        follow_redirects=True,
    )
    assert "结束日期不能早于开始日期" in bad.text
    month = c.get("/admin/office", params={"month": "2026-11"}).text
    assert "只按本月有数据的项目加权" in month
