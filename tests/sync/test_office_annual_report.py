"""The 2026 政府信息公开工作年度报告 from a seeded year of cases on the real server: table 三 (收到和处理) and
四 (复议/诉讼) cell by cell against a hand count written below, table 二 from published documents; the same
numbers on the HTML page, in the PDF (pdffonts/pdftotext, rendered to PNG) and in the .docx read back
with python-docx and opened by an independent reader (LibreOffice → PDF → PNG), all in
tests/.artifacts/office/annual-*.png to be looked at."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from adminlogin import login
from synchelpers import ZONES, configure_office

from sync.server.__main__ import main as server_main
from sync.server.db import sessions
from sync.server.office import annual_report as ar
from sync.server.office import annual_report_out as out
from sync.server.office import fees, register, reviews
from sync.server.office import lifecycle as lc
from sync.server.office.notices import agency_name

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "office"
FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
CITIZEN = {
    "kind": "citizen",
    "id_type": "resident_id",
    "name": "李四",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "address": "娄星区万宝镇万宝街道8号",
}
ORG = {
    "kind": "organisation",
    "name": "娄底市娄星区堃镕商贸有限公司",
    "id_type": "uscc",
    "id_number": "91350100M000100Y43",
    "legal_representative": "赵堃",
    "contact_person": "钱镕",
    "phone": "0738-8123456",
    "address": "湖南省娄底市娄星区乐坪大道东88号",
}
COLS = ["natural", "business", "research", "nonprofit", "legal", "other_org", "total"]
# The hand count of the seeded year (see _seed): 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
HAND = {
    "new": [6, 0, 1, 0, 1, 2, 10],  # N1 N2 N4 N6 N7 N9 | N3 | N5 | N8 N10 (no reply: 其他)
    "carried": [1, 1, 0, 0, 0, 0, 2],  # C1 | C2  (C0 ended in 2025: not counted)
    "1": [2, 0, 0, 0, 0, 0, 2],  # C1 N1
    "2": [1, 0, 0, 0, 0, 0, 1],  # N2
    "3": [0, 1, 0, 0, 0, 0, 1],
    "3.4": [0, 1, 0, 0, 0, 0, 1],  # C2 保护第三方合法权益
    "4": [0, 0, 1, 0, 0, 0, 1],
    "4.2": [0, 0, 1, 0, 0, 0, 1],  # N3 没有现成信息需要另行制作
    "5": [1, 0, 0, 0, 1, 0, 2],
    "5.2": [1, 0, 0, 0, 0, 0, 1],  # N4 重复申请
    "5.4": [0, 0, 0, 0, 1, 0, 1],  # N5 无正当理由大量反复申请
    "6": [2, 0, 0, 0, 0, 1, 3],
    "6.1": [1, 0, 0, 0, 0, 0, 1],  # N6 补正逾期
    "6.2": [1, 0, 0, 0, 0, 0, 1],  # N7 缴费逾期
    "6.3": [0, 0, 0, 0, 0, 1, 1],  # N8 withdrawn
    "7": [6, 1, 1, 0, 1, 1, 10],
    "next": [1, 0, 0, 0, 0, 1, 2],  # N9 | N10
}
HAND_REVIEWS = {  # 结果维持, 结果纠正, 其他结果, 尚未审结, 总计
    "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
    "direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
    "after": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},  # decided 2027: pending
}


def _seed(engine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    nos: dict[str, str] = {}

    def reg(name: str, on: date, who: dict[str, str]) -> None:
        app = {"applicant": who, "request": {"description": f"2026年道路维修项目{name}的验收报告"}}
        app |= {"media": ["paper"], "delivery": ["collect"]}
        r = register.Registration("counter", "district", on, app, "表.pdf", "application/pdf", b"%PDF-")
        with sessions(engine)() as s, s.begin():
            nos[name] = register.register(s, r, actor="wang.office", today=on).tracking_no

    def step(name: str, fn, on: date, reason: str = "", **kw) -> None:  # type: ignore[no-untyped-def]
        fields = kw.pop("fields", {})
        with sessions(engine)() as s, s.begin():
            fn(s, nos[name], lc.Step("张三", on, reason, fields, today=on), **kw)

    reg("C0", date(2025, 11, 3), CITIZEN)
    step("C0", lc.reply, date(2025, 11, 20), reply_type="disclosed")
    reg("C1", date(2025, 12, 22), CITIZEN)
    step("C1", lc.reply, date(2026, 1, 9), reply_type="disclosed")
    reg("C2", date(2025, 12, 22), ORG)
    step(
        "C2",
        lc.reply,
        date(2026, 1, 15),
        "涉及第三方商业秘密",
        reply_type="withheld",
        fields={"applicant_class": "business", "report_row": "3.4"},
    )
    reg("N1", date(2026, 3, 2), CITIZEN)
    step("N1", lc.reply, date(2026, 3, 20), reply_type="disclosed")
    reg("N2", date(2026, 3, 2), CITIZEN)
    step("N2", lc.reply, date(2026, 3, 20), "个人信息已作区分处理", reply_type="partly_disclosed")
    reg("N3", date(2026, 4, 1), ORG)
    step(
        "N3",
        lc.reply,
        date(2026, 4, 20),
        reply_type="not_exist",
        fields={"applicant_class": "research", "report_row": "4.2"},
    )
    reg("N4", date(2026, 4, 1), CITIZEN)
    step("N4", lc.reply, date(2026, 4, 10), reply_type="repeated")
    reg("N5", date(2026, 5, 6), ORG)
    step("N5", lc.reply, date(2026, 5, 20), "理由不合理", reply_type="excessive", fields={"applicant_class": "legal"})
    reg("N6", date(2026, 5, 6), CITIZEN)
    step("N6", lc.ask_correction, date(2026, 5, 7), fields={"items": "请写明项目名称"})
    reg("N7", date(2026, 6, 1), CITIZEN)
    step("N7", fees.fee_notice, date(2026, 6, 2), "本月申请过多", method="per_page", count=120)
    reg("N8", date(2026, 6, 1), ORG)
    step("N8", lc.withdraw, date(2026, 6, 5))
    with sessions(engine)() as s, s.begin():  # the lapses happen when anything reads the cases later
        assert sorted(lc.lapse_corrections(s, date(2026, 8, 1))) == sorted([nos["N6"], nos["N7"]])
    reg("N9", date(2026, 12, 28), CITIZEN)
    reg("N10", date(2026, 12, 30), ORG)
    with sessions(engine)() as s, s.begin():
        r1 = reviews.file(
            s, nos["N3"], "review", "娄底市娄星区人民政府", date(2026, 5, 10), "wang.office", today=date(2026, 5, 10)
        )
        reviews.decide(s, r1.id, "upheld", date(2026, 7, 1), "wang.office", today=date(2026, 7, 1))
        reviews.file(
            s, nos["N2"], "litigation", "娄底市娄星区人民法院", date(2026, 6, 1), "wang.office", today=date(2026, 6, 1)
        )
        r3 = reviews.file(
            s,
            nos["N3"],
            "litigation",
            "娄底市中级人民法院",
            date(2026, 8, 1),
            "wang.office",
            after_review=True,
            today=date(2026, 8, 1),
        )
        reviews.decide(s, r3.id, "corrected", date(2027, 1, 5), "wang.office", today=date(2027, 1, 5))
    return nos


def _publish(server) -> None:  # type: ignore[no-untyped-def]
    cats = [
        {"type": "category", "code": "gz", "name": "规章", "facet": "type"},
        {"type": "category", "code": "gfxwj", "name": "行政规范性文件", "facet": "type"},
    ]
    docs = [
        {
            "id": f"gf-{i}",
            "title": f"关于规范第{i}项工作的通知",
            "issuer": "娄星区人民政府办公室",
            "published": p,
            "body": "正文。",
            "categories": ["gfxwj"],
            "status": st,
        }
        for i, (p, st) in enumerate(
            [
                ("2026-03-01", "in_force"),
                ("2026-07-01", "in_force"),
                ("2024-05-01", "in_force"),
                ("2023-01-01", "repealed"),
            ]
        )
    ]
    server.publish_lines(ZONES + cats + docs)


def test_report_2026_cell_by_cell(server, tmp_path: Path) -> None:
    _publish(server)
    configure_office(server.engine)
    _seed(server.engine)
    with sessions(server.engine)() as s:
        report = ar.build(s, 2026, agency_name(s))
        fee_line = out.fee_text(s, 2026)
    for row, want in HAND.items():
        assert [report.table3[row][c] for c in COLS] == want, row
    t = report.table3
    assert t["new"]["total"] + t["carried"]["total"] == t["7"]["total"] + t["next"]["total"]  # the format's check
    assert report.table4 == HAND_REVIEWS
    # 规范性文件: two published in 2026; one repealed (its change was made this year); three in force now
    assert report.table2["normative"] == [2, 1, 3] and report.table2["rules"] == [0, 0, 0]
    assert "发出收费通知1件，申请人缴纳0件" in fee_line

    # the page: every cell of table 三 in the row's order
    c = login(server.url, server.engine, "wang.office", ("office",))
    page = c.get("/admin/office/annual-report", params={"year": 2026}).text
    t3 = page[page.index("class='t3'") :]
    for row, label in (
        ("new", "一、本年新收政府信息公开申请数量"),
        ("4.2", "2.没有现成信息需要另行制作"),
        ("next", "四、结转下年度继续办理"),
    ):
        cells = re.search(re.escape(label) + r"</td>((?:<td>\d+</td>){7})", t3)
        assert cells is not None, label
        assert [int(x) for x in re.findall(r"\d+", cells.group(1))] == HAND[row], row

    # the PDF: embedded font, the numbers back out, rendered
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = c.get("/admin/office/annual-report.pdf", params={"year": 2026}).content
    (tmp_path / "r.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2026年政府信息公开工作年度报告" in text and "结转下年度继续办理" in text
    line = next(ln for ln in text.splitlines() if "一、本年新收政府信息公开申请数量" in ln)
    assert [int(x) for x in re.findall(r"\b\d+\b", line)] == HAND["new"]
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(tmp_path / "r.pdf"), str(ARTIFACTS / "annual-pdf")], check=True)

    # the .docx: read back cell by cell, then opened by LibreOffice and rendered
    data = c.get("/admin/office/annual-report.docx", params={"year": 2026}).content
    (tmp_path / "r.docx").write_bytes(data)
    from docx import Document

    doc = Document(str(tmp_path / "r.docx"))
    t3doc = doc.tables[1]
    rows = {r.cells[0].text: [cell.text for cell in r.cells[1:]] for r in t3doc.rows}
    for code, label in [("new", "一、本年新收政府信息公开申请数量"), *[(k, v) for k, v in ar.RESULT_ROWS]]:
        assert [int(x) for x in rows[label]] == HAND.get(code, [report.table3[code][c] for c in COLS]), label
    t4doc = doc.tables[2]
    assert [int(x.text) for x in t4doc.rows[3].cells] == [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-writer-nogui) is not installed")
    home = tmp_path / "lohome"
    (home / ".fonts").mkdir(parents=True)
    for f in ("NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"):
        shutil.copy(FONTS / f, home / ".fonts" / f)
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(tmp_path / "r.docx")],
        check=True,
        env=env,
        capture_output=True,
        timeout=180,
    )
    lo_pdf = tmp_path / "lo" / "r.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(lo_pdf), str(ARTIFACTS / "annual-docx")], check=True)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(lo_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "结转下年度继续办理" in flat and "本年新收政府信息公开申请数量" in flat and "保护第三方合法权益" in flat
    assert json.loads(out.as_json(report))["三"]["7"]["total"] == 10
    argv = ["annual-report", "--db", server.db_url, "--year", "2026", "--pdf", str(tmp_path / "c.pdf")]
    assert server_main([*argv, "--docx", str(tmp_path / "c.docx")]) == 0
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF") and (tmp_path / "c.docx").stat().st_size > 5000
