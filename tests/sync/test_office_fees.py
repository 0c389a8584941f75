"""Art. 32, 35 and 42 on the server's real SQLite database through the office's command line: the
信息处理费 of 国办函〔2020〕109号 按件 and 按量 at every threshold (hand-computed), the 收费通知书, the clock
stopped while waiting for payment and the waited days added, lapse when unpaid; the 征求第三方意见书 that
never names the applicant; Art. 35's 要求说明理由, 延迟答复 and 不予处理. Notices rendered to PNG in
tests/.artifacts/office/notice-*.png."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from synchelpers import configure_office
from test_office_issued import pdf_text

from kiosk.mirror.models import Zone
from sync.server.__main__ import main as server_main
from sync.server.db import open_db, sessions
from sync.server.feed.publish import publish_records
from sync.server.office import case_status, fees, issued, register
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case

APP = {
    "applicant": {
        "kind": "citizen",
        "id_type": "resident_id",
        "name": "赵六",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "address": "娄星区乐坪街道1号",
    },
    "request": {"description": "2026年全区道路维修项目第{n}批次的验收报告"},
    "media": ["paper"],
    "delivery": ["collect"],
}


@pytest.mark.parametrize(
    ("method", "first", "count", "amount"),
    [
        ("per_request", 1, 10, 0),  # 第四条(一) 10件以下（含10件）不收费
        ("per_request", 10, 1, 0),
        ("per_request", 11, 1, 100),  # (二) 11—30件：100元/件
        ("per_request", 9, 5, 300),  # 9, 10 free; 11, 12, 13 at 100
        ("per_request", 30, 1, 100),
        ("per_request", 31, 1, 200),  # (三) 31件起每10件一档，每档提高100元/件
        ("per_request", 40, 1, 200),
        ("per_request", 41, 1, 300),
        ("per_request", 1, 45, 20 * 100 + 10 * 200 + 5 * 300),
        ("per_page", 1, 30, 0),  # 第五条(一) 30页以下（含30页）不收费
        ("per_page", 1, 31, 10),  # (二) 31—100页：10元/页
        ("per_page", 1, 100, 700),
        ("per_page", 1, 101, 720),  # (三) 101—200页：20元/页
        ("per_page", 1, 200, 2700),
        ("per_page", 1, 201, 2740),  # (四) 201页以上：40元/页
        ("per_page", 1, 250, 4700),
    ],
)
def test_the_measures_thresholds(method: str, first: int, count: int, amount: int) -> None:
    assert fees.compute(method, first, count).amount == amount


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_db(url)
    with sessions(engine)() as s, s.begin():
        publish_records(s, [], [Zone(code="district", name="区政务服务中心", kind="district", prefix="QZ")])
    configure_office(engine)
    with sessions(engine)() as s, s.begin():  # one applicant, twelve applications on 2 November 2026
        for n in range(1, 13):
            app = json.loads(json.dumps(APP).replace("{n}", str(n)))
            reg = register.Registration("counter", "district", date(2026, 11, 2), app, "表.pdf", "", b"%PDF-")
            register.register(s, reg, actor="wang.office", today=date(2026, 11, 2))
    engine.dispose()
    return url


def no(n: int) -> str:
    return f"QZ0C-20261102-{n:04d}"


def run(capsys: pytest.CaptureFixture[str], today: date, *argv: str) -> tuple[int, str]:
    rc = server_main(list(argv), today=lambda: today)
    out = capsys.readouterr()
    return rc, out.out + out.err


def case(url: str, n: int) -> Case:
    engine = open_db(url)
    with sessions(engine)() as s:
        c = s.get(Case, no(n))
        assert c is not None
        s.expunge(c)
    engine.dispose()
    return c


def notice(url: str, n: int, kind: str, tmp_path: Path) -> str:
    engine = open_db(url)
    with sessions(engine)() as s:
        row = issued.current(s, no(n), kind)
        assert row is not None
        pdf = row.pdf
    engine.dispose()
    return pdf_text(pdf, tmp_path, f"{kind}-{n}")


def test_fee_notice_payment_and_lapse(db: str, tmp_path: Path, capsys) -> None:
    step = ["--db", db, "--by", "张三", "--reason", "本月已申请12件，均为同类验收报告"]
    # the 3rd application of the month is free by 按件: refused, nothing changed
    rc, out = run(
        capsys, date(2026, 11, 3), "case", "fee-notice", no(3), *step, "--method", "per_request", "--count", "1"
    )
    assert rc == 1 and "不收费" in out and "10件以下" in out
    assert case(db, 3).state == "received"
    # the 12th: 100 元; the clock stops
    due_before = case(db, 12).due
    rc, out = run(
        capsys, date(2026, 11, 3), "case", "fee-notice", no(12), *step, "--method", "per_request", "--count", "1"
    )
    assert rc == 0, out
    c = case(db, 12)
    assert (c.state, c.fee_amount, c.due, c.fee_due) == ("fee", 100, None, date(2026, 12, 1))  # 20 working days
    flat = notice(db, 12, "fee", tmp_path)
    for want in (
        "收费通知书",
        "按件计收",
        "第12件：1件×100元/件＝100元",
        "合计：人民币100元",
        "第四条",
        "视为放弃申请",
    ):
        assert want in flat, want
    # both methods for one application: refused (第三条)
    rc, out = run(
        capsys, date(2026, 11, 3), "case", "fee-notice", no(12), *step, "--method", "per_page", "--count", "99"
    )
    assert rc == 1
    # paid five working days later: those days are added to the deadline
    rc, out = run(capsys, date(2026, 11, 10), "case", "fee-paid", no(12), "--db", db, "--by", "张三")
    assert rc == 0, out
    c = case(db, 12)
    assert c.state == "received" and c.paused_days == 5 and c.fee_paid_on == date(2026, 11, 10)
    assert due_before == date(2026, 11, 30) and c.due == date(2026, 12, 7)  # 20 + 5 working days

    # 按量: 120 pages = 70 × 10 + 20 × 20 = 1100 元; unpaid: deemed abandoned the day after the period
    rc, out = run(
        capsys, date(2026, 11, 4), "case", "fee-notice", no(11), *step, "--method", "per_page", "--count", "120"
    )
    assert rc == 0, out
    assert case(db, 11).fee_amount == 1100
    flat = notice(db, 11, "fee", tmp_path)
    assert "第31—100页：70页×10元/页＝700元" in flat and "第101—120页：20页×20元/页＝400元" in flat
    assert "合计：人民币1100元" in flat
    rc, out = run(capsys, date(2026, 12, 3), "overdue", "--db", db)
    assert rc == 0
    c = case(db, 11)
    assert c.state == "withdrawn"
    engine = open_db(db)
    with sessions(engine)() as s:
        last = lc.events(s, no(11))[-1]
        assert (last.action, last.actor, last.on) == ("fee_lapsed", lc.SYSTEM_ACTOR, date(2026, 12, 3))
        status = case_status.public_status(s.get(Case, no(11)), s)  # type: ignore[arg-type]
    engine.dispose()
    assert status["stage_label"] == "逾期未缴纳信息处理费，视为放弃申请" and "缴费期限" in status["next_step"]


def test_consultation_letter_and_article_35(db: str, tmp_path: Path, capsys) -> None:
    base = ["--db", db, "--by", "张三"]
    rc, out = run(
        capsys, date(2026, 11, 4), "case", "start-consultation", no(1), *base, "--party", "娄底市某建筑有限公司"
    )
    assert rc == 0, out
    flat = notice(db, 1, "consultation", tmp_path)
    assert "娄底市某建筑有限公司：" in flat and "15个工作日内" in flat and "第三十二条" in flat
    assert "赵六" not in flat  # the third party is never told who applied
    # Art. 35: ask for reasons; reasonable but too many → a later date; else not processed
    why = ["--reason", "本月申请12件"]
    rc, out = run(capsys, date(2026, 11, 5), "case", "ask-reasons", no(2), *base, *why, "--within", "2026-11-13")
    assert rc == 0, out
    assert "2026年11月13日前向本机关书面说明理由" in notice(db, 2, "reasons", tmp_path)
    rc, out = run(
        capsys,
        date(2026, 11, 16),
        "case",
        "delay",
        no(2),
        *base,
        "--reason",
        "需调取12个项目的档案",
        "--to",
        "2026-11-20",
    )
    assert rc == 1 and "应晚于现答复期限" in out
    rc, out = run(
        capsys,
        date(2026, 11, 16),
        "case",
        "delay",
        no(2),
        *base,
        "--reason",
        "需调取12个项目的档案",
        "--to",
        "2026-12-31",
    )
    assert rc == 0, out
    assert case(db, 2).due == date(2026, 12, 31)
    assert "延迟答复的期限为2026年12月31日前" in notice(db, 2, "delay", tmp_path)
    rc, out = run(
        capsys, date(2026, 11, 16), "case", "reply", no(4), *base, "--type", "excessive", "--reason", "理由不合理"
    )
    assert rc == 0, out
    assert "第三十五条" in notice(db, 4, "reply", tmp_path) and "不予处理" in notice(db, 4, "reply", tmp_path)
