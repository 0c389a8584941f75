"""The monthly evaluation (一月一评比): usage recorded at a real terminal without personal data and sent
through its outbox; a seeded month over the twelve demo zones posted to the real server; the report agrees
with the raw events, groups by local time, lists zones with no activity, and renders as CSV and as an A4
PDF (pdffonts, pdftotext, pdftoppm)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from adminlogin import csrf_token, login

from kiosk import usage
from kiosk.db import open_engine, session_factory
from sync.client import sync_once
from sync.server.__main__ import add_terminal
from sync.server.__main__ import main as server_main
from sync.server.db import Submission, ZoneRow, sessions
from sync.server.office import evaluation as ev

ROOT = Path(__file__).resolve().parents[2]
DEMO_ZONES = [
    json.loads(line)
    for line in (ROOT / "assets" / "demo" / "district.jsonl").read_text(encoding="utf-8").splitlines()
    if '"type": "zone"' in line
]
CHINA = timezone(timedelta(hours=8))


def test_terminal_records_visits_without_personal_data(server, data_dir: Path) -> None:
    server.publish_lines([{"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"}])
    cfg = server.terminal(data_dir)
    engine = open_engine(cfg.db_path)
    make = session_factory(engine)
    t0 = datetime(2026, 11, 30, 23, 50, tzinfo=CHINA)
    for visit in range(4):
        with make() as s:
            usage.record(s, "search", query="低保 标准", hits=3, now=t0)
        with make() as s:
            usage.record(s, "search", query="13912345678", hits=0, now=t0)  # digits: never sent
        with make() as s:
            usage.record(s, "doc_read", category="policy", now=t0 + timedelta(minutes=visit))
        with make() as s:
            usage.end_visit(s, terminal_id=cfg.terminal.id, zone="wanbao")
    with make() as s:  # a visit that did nothing is not a session
        assert usage.end_visit(s, terminal_id=cfg.terminal.id, zone="wanbao") is None
    engine.dispose()
    assert sync_once(cfg).error is None
    with sessions(server.engine)() as s:
        bodies = [json.loads(p) for p in s.scalars(select_usage())]
    assert len(bodies) == 4
    texts = [[e.get("query") for e in b["events"] if e["type"] == "search"] for b in bodies]
    # the query is sent only from the third visit that typed it on; the phone number never
    assert [t[0] for t in texts] == [None, None, "低保 标准", "低保 标准"]
    assert all(t[1] is None for t in texts)
    assert "13912345678" not in json.dumps(bodies)
    assert all(b["events"][0]["at"].endswith("+08:00") for b in bodies)
    with sessions(server.engine)() as s:
        report = ev.build(s, "2026-11")
    z = next(z for z in report.zones if z.code == "wanbao")
    # 23:50 local time on 30 November counts in November (15:50 UTC; grouping is by local time)
    assert (z.sessions, z.docs_read, z.searches, z.searches_empty) == (4, 4, 8, 4)
    assert report.popular_queries == [("低保 标准", 2)]


def _pending(server) -> list[tuple[int, str, str, int]]:
    with sessions(server.engine)() as s:
        return ev.pending_bad_ratings(s)


def select_usage():
    from sqlalchemy import select

    return select(Submission.payload).where(Submission.kind == "usage").order_by(Submission.id)


def _seed(server) -> dict[str, Counter[str]]:
    """Post a month of usage and ratings from terminals of nine zones; returns what was posted (Nov only)."""
    server.publish_lines(DEMO_ZONES)
    with sessions(server.engine)() as s, s.begin():  # the district's list is exactly the demo's twelve zones
        s.query(ZoneRow).filter(ZoneRow.code.notin_([z["code"] for z in DEMO_ZONES])).delete()
    posted: dict[str, Counter[str]] = {}
    for i, z in enumerate(DEMO_ZONES[:9]):
        _tid, token = add_terminal(server.db_url, z["code"])
        c = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
        want: Counter[str] = Counter()
        for v in range(i + 1):
            at = f"2026-11-{v + 1:02d}T10:00:00+08:00"
            events = [{"type": "session", "at": at}]
            events += [{"type": "doc_read", "at": at, "category": "policy"}] * (v % 3)
            events += [{"type": "search", "at": at, "hits": v % 2}]
            events += [{"type": "print", "at": at, "what": "document"}] if v % 4 == 0 else []
            want.update(e["type"] + ("_empty" if e.get("hits") == 0 else "") for e in events)
            body = {"zone": z["code"], "visit": f"v{i}-{v}", "events": events, "counters": {"session": 1}}
            assert (
                c.post("/v1/submissions/usage", json=body, headers={"Idempotency-Key": f"u-{i}-{v}"}).status_code == 200
            )
        # one visit just after midnight local on 1 December (16:30 UTC on 30 November): December's
        late = {"zone": z["code"], "events": [{"type": "session", "at": "2026-11-30T16:30:00Z"}], "counters": {}}
        assert c.post("/v1/submissions/usage", json=late, headers={"Idempotency-Key": f"late-{i}"}).status_code == 200
        for level in range(1, 6) if i % 2 == 0 else (5, 4):
            rating = {"zone": z["code"], "level": level, "at": "2026-11-15T02:00:00Z"}
            key = f"r-{i}-{level}"
            assert c.post("/v1/submissions/rating", json=rating, headers={"Idempotency-Key": key}).status_code == 200
            want[f"level{level}"] += 1
        posted[z["code"]] = want
    return posted


def test_seeded_month_report_page_csv_and_pdf(server, tmp_path: Path, capsys) -> None:
    posted = _seed(server)
    with sessions(server.engine)() as s:
        report = ev.build(s, "2026-11")
    assert [z.code for z in sorted(report.zones, key=lambda z: z.code)] == sorted(z["code"] for z in DEMO_ZONES)
    assert len(report.zones) == 12
    assert all(z.rank == 1 + sum(o.score > z.score for o in report.zones) for z in report.zones)  # shared ranks
    for z in report.zones:
        want = posted.get(z.code, Counter())
        assert z.sessions == want["session"], z.code
        assert z.docs_read == want["doc_read"]
        assert z.searches == want["search"] + want["search_empty"]
        assert z.searches_empty == want["search_empty"]
        assert z.prints == want["print"]
        assert [z.levels.get(lv, 0) for lv in range(1, 6)] == [want[f"level{lv}"] for lv in range(1, 6)]
        assert z.bad_pending == want["level1"] + want["level2"]
    idle = [z for z in report.zones if z.code not in posted]
    assert len(idle) == 3 and all(z.sessions == 0 and z.score == 0 and z.rank == 10 for z in idle)  # tied
    with sessions(server.engine)() as s:
        december = ev.build(s, "2026-12")
    assert sum(z.sessions for z in december.zones) == 9  # the nine visits after local midnight

    out_csv, out_pdf = tmp_path / "eval.csv", tmp_path / "eval.pdf"
    rc = server_main(
        [
            "evaluation",
            "report",
            "--db",
            server.db_url,
            "--month",
            "2026-11",
            "--csv",
            str(out_csv),
            "--pdf",
            str(out_pdf),
        ]
    )
    assert rc == 0
    table = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert table[0][:4] == ["月份", "名次", "专区", "得分"] and len(table) == 13
    fonts = subprocess.run(["pdffonts", str(out_pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansSC" in fonts and "Helvetica" not in fonts
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026年11月政务公开专区“一月一评比”通报" in text
    for z in DEMO_ZONES:
        assert z["name"] in text, z["name"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out_pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 2

    # the weights are configurable and change the scores
    before = {z.code: z.score for z in report.zones}
    assert server_main(["evaluation", "weights", "--db", server.db_url, "--usage", "0", "--follow-up", "0"]) == 0
    assert "满意度×57%" in capsys.readouterr().out
    weights = ["evaluation", "weights", "--db", server.db_url]
    assert server_main([*weights, "--on-time", "-1"]) == 1
    assert "未执行：“按时答复率”的权重不能为负数，不是 -1" in capsys.readouterr().err
    assert server_main([*weights, "--satisfaction", "0", "--on-time", "0"]) == 1
    assert "未执行：权重不能全为 0：至少一项应大于 0" in capsys.readouterr().err
    with sessions(server.engine)() as s:
        after = {z.code: z.score for z in ev.build(s, "2026-11").zones}
    assert after != before

    # the page, and a 差评 followed up from it
    office = login(server.url, server.engine, "wang.office", ("office",))
    page = office.get("/admin/office", params={"month": "2026-11"})
    assert page.status_code == 200
    for z in DEMO_ZONES:
        assert z["name"] in page.text
    pending = len(_pending(server))
    assert pending == sum(w["level1"] + w["level2"] for w in posted.values()) == 10
    sid = _pending(server)[0][0]
    token = csrf_token(office, "/admin/office")
    r = office.post(f"/admin/office/ratings/{sid}/follow-up", data={"csrf": token, "note": "已电话回访并整改"})
    assert r.status_code == 303
    assert len(_pending(server)) == pending - 1
    assert office.get("/admin/office/evaluation.csv", params={"month": "2026-11"}).text.count("\n") == 13
    pdf = office.get("/admin/office/evaluation.pdf", params={"month": "2026-11"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
