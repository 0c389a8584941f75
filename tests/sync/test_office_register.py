"""Every channel, one register — on the real server under uvicorn: applications received by post (signed
for), plain letter (confirmed), at the counter, by e-mail, fax and online are registered in the console
with the 收到日期 Article 31 gives, the scanned form as the case's first file and a tracking number in
the terminals' format that no terminal can draw; refusals list every problem and register nothing; the
cases count in deadlines (hand-counted), the overdue report, the public status page and the monthly
evaluation exactly like a terminal's."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from adminlogin import csrf_token, login
from synchelpers import ZONES, configure_office
from test_office_e2e import public_page

from kiosk.applications.tracking import terminal_code
from sync.server import pii
from sync.server.__main__ import main as server_main
from sync.server.db import Submission, sessions
from sync.server.office import case_status, evaluation
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, CaseFile

SCAN = b"%PDF-1.4 scanned application form"
CITIZEN = {
    "kind": "citizen",
    "id_type": "resident_id",
    "name": "李四",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "address": "娄星区万宝镇万宝街道8号",
    "postcode": "417000",
    "description": "万宝镇2026年农村危房改造补助对象名单",
    "media": ["paper"],
    "delivery": ["post"],
}


def form(token: str, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {"csrf": token, "zone": "district", **CITIZEN}
    data.update(kw)
    return data


def test_each_channel_registers_with_its_article_31_date(server, capsys) -> None:
    server.publish_lines(ZONES)
    configure_office(server.engine)
    c = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(c, "/admin/office/register")
    page = c.get("/admin/office/register").text
    for words in ("邮寄（需签收）", "平常信函（无需签收）", "以行政机关签收之日为收到申请之日", "双方确认之日"):
        assert words in page

    today = lc.china_today()
    signed = today - dt.timedelta(days=3)  # the letter was signed for three days ago, registered today
    r = c.post(
        "/admin/office/register",
        data=form(token, channel="post", received_on=signed.isoformat()),
        files={"scan": ("申请表扫描件.pdf", SCAN, "application/pdf")},
    )
    assert r.status_code == 303, r.text
    no = r.headers["location"].rsplit("/", 1)[1]
    assert no == f"QZ0Y-{signed:%Y%m%d}-0001"
    r2 = c.post(
        "/admin/office/register",
        data=form(token, channel="post", received_on=signed.isoformat()),
        files={"scan": ("申请表2.pdf", SCAN, "application/pdf")},
    )
    assert r2.headers["location"].endswith(f"QZ0Y-{signed:%Y%m%d}-0002")
    with sessions(server.engine)() as s:
        case = s.get(Case, no)
        assert case is not None and (case.channel, case.received_on, case.state) == ("post", signed, "received")
        # the deadline: 20 working days from the day after signing, as for any case
        cal = lc.work_calendar(s)
        d, n = signed, 0
        while n < 20:
            d += dt.timedelta(days=1)
            n += cal.is_workday(d)
        assert case.due == d
        files = s.query(CaseFile).filter(CaseFile.tracking_no == no).order_by(CaseFile.id).all()
        assert [(f.role, f.name, f.data) for f in files] == [("application", "申请表扫描件.pdf", SCAN)]
        first = lc.events(s, no)[0]
        assert first.action == "receive" and first.actor == "wang.office" and "签收之日" in first.reason
        assert "李四" not in first.reason and "13812345678" not in first.data  # no personal data in the log
        sub = s.query(Submission).filter(Submission.tracking_no == no).one()
        assert "李四" not in sub.payload  # sealed like a terminal's application
        assert pii.ring_of(s).open(sub.payload)["applicant"]["name"] == "李四"
    detail = c.get(f"/admin/office/cases/{no}").text
    assert "邮寄（需签收）" in detail and "申请表扫描件：" in detail and "居民身份证" in detail
    assert "纸质" in detail and "paper" not in detail

    # the other channels: their own codes and dates; the plain letter needs how it was confirmed
    for channel, code in (("counter", "0C"), ("email", "0E"), ("online", "0W"), ("fax", "0F")):
        r = c.post(
            "/admin/office/register",
            data=form(token, channel=channel, received_on=today.isoformat()),
            files={"scan": ("记录.pdf", SCAN, "application/pdf")},
        )
        assert r.status_code == 303 and r.headers["location"].endswith(f"QZ{code}-{today:%Y%m%d}-0001"), r.text
    refused = c.post(
        "/admin/office/register",
        data=form(token, channel="post_plain", received_on=today.isoformat()),
        files={"scan": ("信.pdf", SCAN, "application/pdf")},
    )
    assert refused.status_code == 400 and "与申请人确认" in refused.text and "李四" in refused.text  # kept
    r = c.post(
        "/admin/office/register",
        data=form(token, channel="post_plain", received_on=today.isoformat(), note="收到当日电话确认，本人"),
        files={"scan": ("信.pdf", SCAN, "application/pdf")},
    )
    assert r.status_code == 303 and "QZ0P-" in r.headers["location"]

    # refusals list every problem and register nothing
    tomorrow = today + dt.timedelta(days=1)
    bad = c.post(
        "/admin/office/register",
        data=form(token, channel="post", received_on=tomorrow.isoformat(), id_number="110105194912310021"),
        files={"scan": ("x.pdf", b"", "application/pdf")},
    )
    assert bad.status_code == 400
    # the check digit: main words it without jargon ("最后一位不对", was "校验位不对")
    assert "不能晚于今天" in bad.text and "扫描件" in bad.text and "最后一位不对" in bad.text
    with sessions(server.engine)() as s:
        assert s.query(Case).count() == 7

    # a terminal's code never looks like a channel code
    assert all(not re.fullmatch(r"0[A-Z]", terminal_code(t)) for t in ("wb-01", "wb-00", "kiosk", "a", "zz-99"))

    # the applicant follows it on the public status page with the last four digits of the phone
    status = public_page(server.url, no, "5678")
    assert status.status_code == 200 and "已受理" in status.text

    # it counts in the month's evaluation (applications of the district zone) and the overdue report
    with sessions(server.engine)() as s:
        report = evaluation.build(s, f"{today:%Y-%m}")
        district = next(z for z in report.zones if z.code == "district")
        in_month = 7 - (signed.month != today.month) * 2
        assert district.applications == in_month
        late = case_status.overdue_report(s, case.due + dt.timedelta(days=1))  # type: ignore[union-attr]
        assert no in [ln.tracking_no for ln in late]


def test_register_from_the_command_line(server, tmp_path: Path, capsys) -> None:
    server.publish_lines(ZONES)
    data = tmp_path / "app.json"
    app = {
        "applicant": {k: v for k, v in CITIZEN.items() if k not in ("description", "media", "delivery")},
        "request": {"description": CITIZEN["description"]},
        "media": ["paper"],
        "delivery": ["collect"],
    }
    data.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    scan = tmp_path / "form.pdf"
    scan.write_bytes(SCAN)
    argv = ["register", "--db", server.db_url, "--zone", "wanbao", "--received-on", "2026-11-02"]
    argv += ["--data", str(data), "--scan", str(scan), "--by", "wang.office"]
    assert server_main([*argv, "--channel", "fax"], today=lambda: dt.date(2026, 11, 3)) == 0
    out = capsys.readouterr().out
    assert "WB0F-20261102-0001" in out and "传真" in out and "答复期限 2026-11-30" in out
    rc = server_main([*argv, "--channel", "post_plain"], today=lambda: dt.date(2026, 11, 3))
    assert rc == 1 and "电话确认" in capsys.readouterr().err


def test_status_page_takes_the_landlines_last_four_never_the_extension(server) -> None:
    import httpx

    server.publish_lines(ZONES)
    c = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(c, "/admin/office/register")
    org = {
        "kind": "organisation",
        "id_type": "uscc",
        "name": "娄底市娄星区堃镕商贸有限公司",
        "id_number": "91350100M000100Y43",
        "legal_representative": "赵堃",
        "contact_person": "钱镕",
        "phone": "0738-8123456-806",
    }
    r = c.post(
        "/admin/office/register",
        data=form(token, channel="counter", received_on=lc.china_today().isoformat(), **org),
        files={"scan": ("表.pdf", SCAN, "application/pdf")},
    )
    assert r.status_code == 303, r.text
    no = r.headers["location"].rsplit("/", 1)[1]
    with httpx.Client(base_url=server.url) as pub:
        page = pub.get("/status", params={"no": no}).text
        assert "固定电话号码的后四位（不含分机号）" in page and "手机号" not in page
        assert pub.post("/status", data={"no": no, "tail": "6806"}).status_code == 404  # the extension's digits
        assert pub.post("/status", data={"no": no, "tail": "3456"}).status_code == 200
        assert "电话号码的后四位" in pub.get("/status", params={"no": "QZ0C-20000101-0001"}).text  # unknown: any
