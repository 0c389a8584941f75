"""Notices as issued, on the real server under uvicorn: no notice (and so no step) before the district's
contact and remedies are set; each notice numbered in the year's series and stored once; downloads
return the stored bytes, twice and after ``agency set`` (compared byte for byte, and with the hash in
the case log); the 答复书 quotes the corrected request, lists both attached files and names the 复议机关
and the court with their periods; a wrong notice withdrawn and reissued under a new number, both kept;
the stored bytes cannot be changed. Each PDF is checked with pdffonts/pdftotext and rendered to PNG
(tests/.artifacts/office/notice-*.png) to be looked at."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from adminlogin import csrf_token, login
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from synchelpers import OFFICE_SETTINGS, ZONES, configure_office
from test_office_e2e import _apply

from sync.client import sync_once
from sync.server.__main__ import main as server_main
from sync.server.db import sessions
from sync.server.office import issued
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, IssuedNotice

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "office"


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / f"notice-{name}")], check=True)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def log_hashes(server, no: str) -> dict[str, str]:
    with sessions(server.engine)() as s:
        return {
            json.loads(e.data)["number"]: json.loads(e.data)["sha256"]
            for e in lc.events(s, no)
            if e.action == "issue_notice"
        }


def test_notices_stay_as_issued(server, tmp_path: Path, capsys) -> None:
    server.publish_lines(ZONES)
    cfg = server.terminal(server.tmp / "term")
    no = _apply(cfg)
    assert sync_once(cfg).error is None
    c = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(c, f"/admin/office/cases/{no}")

    # before the district's contact and remedies are set, no notice is issued and the step is not taken
    r = c.post(f"/admin/office/cases/{no}/step/ask_correction", data={"csrf": token, "items": "请写明项目名称"})
    assert r.status_code == 400 and "文书尚未设置" in r.text and "联系人" in r.text
    with sessions(server.engine)() as s:
        assert s.get(Case, no).state == "received"  # type: ignore[union-attr]
        assert s.query(IssuedNotice).count() == 0
    settings_page = c.get("/admin/office/settings")
    assert settings_page.status_code == 200 and "尚未填写" in settings_page.text
    bad = c.post("/admin/office/settings", data={"csrf": token, **OFFICE_SETTINGS, "contact_phone": "6806"})
    assert bad.status_code == 400 and "联系电话" in bad.text
    bad = c.post("/admin/office/settings", data={"csrf": token, **OFFICE_SETTINGS, "agency_name": "娄" * 31})
    assert bad.status_code == 400 and "最长30个字" in bad.text
    ok = c.post("/admin/office/settings", data={"csrf": token, **OFFICE_SETTINGS, "agency_name": "娄星区政务公开办"})
    assert ok.status_code == 200 and "已保存" in ok.text and "尚未填写" not in ok.text
    assert "value='娄星区政务公开办'" in c.get("/admin/office/settings").text

    # 告知补正: issued with the step, numbered, stored; downloads are the stored bytes
    r = c.post(f"/admin/office/cases/{no}/step/ask_correction", data={"csrf": token, "items": "请写明项目名称"})
    assert r.status_code == 303, r.text
    year = lc.china_today().year
    first = c.get(f"/admin/office/cases/{no}/notice/correction.pdf")
    second = c.get(f"/admin/office/cases/{no}/notice/correction.pdf")
    assert first.status_code == 200 and first.content == second.content
    sha = hashlib.sha256(first.content).hexdigest()
    assert log_hashes(server, no) == {f"娄星政公开〔{year}〕第1号": sha}
    assert first.headers["x-notice-sha256"] == sha
    flat = pdf_text(first.content, tmp_path, "correction")
    for want in (f"娄星政公开〔{year}〕第1号", "联系人：刘晓红", "0738-8123456", "乐坪东街1号", "请写明项目名称"):
        assert want in flat, want

    # the agency and the contact change afterwards: the issued notice does not
    assert server_main(["agency", "set", "--db", server.db_url, "娄底市娄星区人民政府办公室"]) == 0
    configure_office(server.engine)  # same settings written again
    c.post("/admin/office/settings", data={"csrf": token, **OFFICE_SETTINGS, "contact_person": "王小明"})
    after = c.get(f"/admin/office/cases/{no}/notice/correction.pdf")
    assert after.content == first.content

    # correction received with the corrected request; two files given with the reply; 部分公开
    corrected = "万宝镇2026年道路硬化工程（东村至西村段）招标文件及中标公告"
    r = c.post(f"/admin/office/cases/{no}/step/correction_received", data={"csrf": token, "request": corrected})
    assert r.status_code == 303, r.text
    # the walk-in form printed at the terminal, signed, scanned and matched to its case: not a reply file
    signed = c.post(
        f"/admin/office/cases/{no}/files",
        data={"csrf": token, "role": "application"},
        files={"file": ("申请人签字的申请表.pdf", b"%PDF-1.4 signed")},
    )
    assert signed.status_code == 303
    assert "申请表扫描件：" in c.get(f"/admin/office/cases/{no}").text
    for name in ("招标文件（可公开部分）.pdf", "中标公告.pdf"):
        up = c.post(f"/admin/office/cases/{no}/files", data={"csrf": token}, files={"file": (name, b"%PDF-1.4 x")})
        assert up.status_code == 303
    r = c.post(
        f"/admin/office/cases/{no}/step/reply",
        data={"csrf": token, "reply_type": "partly_disclosed", "reason": "投标人的银行账户信息属于第三方商业秘密"},
    )
    assert r.status_code == 303, r.text
    reply = c.get(f"/admin/office/cases/{no}/notice/reply.pdf")
    flat = pdf_text(reply.content, tmp_path, "reply")
    assert f"娄星政公开〔{year}〕第2号" in flat and "联系人：王小明" in flat
    assert corrected in flat and "（经补正）" in flat and "道路硬化工程的招标文件”" not in flat
    assert "附件：1.招标文件（可公开部分）.pdf2.中标公告.pdf" in flat
    assert "60日内向娄底市娄星区人民政府申请行政复议" in flat
    assert "6个月内向娄底市娄星区人民法院提起行政诉讼" in flat and "第五十一条" in flat

    # withdrawn and reissued: a new number, the old one kept and still its own bytes
    with sessions(server.engine)() as s:
        current = issued.current(s, no, "reply")
        assert current is not None
        old_id = current.id
    page = c.get(f"/admin/office/cases/{no}").text
    assert "撤回并重新出具" in page and f"娄星政公开〔{year}〕第2号" in page
    r = c.post(f"/admin/office/notices/{old_id}/withdraw", data={"csrf": token, "reason": "附件名称有误"})
    assert r.status_code == 400 and "请勾选确认" in r.text  # no confirmation, nothing withdrawn
    r = c.post(
        f"/admin/office/notices/{old_id}/withdraw", data={"csrf": token, "reason": "附件名称有误", "confirm": "yes"}
    )
    assert r.status_code == 303, r.text
    new = c.get(f"/admin/office/cases/{no}/notice/reply.pdf")
    assert new.content != reply.content
    flat = pdf_text(new.content, tmp_path, "reply-reissued")
    assert f"娄星政公开〔{year}〕第3号" in flat and f"本文书替代娄星政公开〔{year}〕第2号（已撤回）" in flat
    assert c.get(f"/admin/office/notices/{old_id}.pdf").content == reply.content
    page = c.get(f"/admin/office/cases/{no}").text
    assert "已撤回" in page and "附件名称有误" in page
    hashes = log_hashes(server, no)
    assert list(hashes) == [f"娄星政公开〔{year}〕第{n}号" for n in (1, 2, 3)]
    assert hashes[f"娄星政公开〔{year}〕第3号"] == hashlib.sha256(new.content).hexdigest()
    rc = server_main(["notice", "list", "--db", server.db_url, no])
    out = capsys.readouterr().out
    assert rc == 0 and "已撤回" in out and out.count("有效") == 2

    # the stored bytes and number cannot be changed or removed
    with server.engine.begin() as conn, pytest.raises(DatabaseError, match="stays as issued"):
        conn.execute(text("UPDATE issued_notices SET pdf = x'00'"))
    with server.engine.begin() as conn, pytest.raises(DatabaseError, match="stays as issued"):
        conn.execute(text("DELETE FROM issued_notices"))


def test_settings_from_the_command_line(server, capsys) -> None:
    rc = server_main(["office-settings", "show", "--db", server.db_url])
    assert rc == 0 and "尚未填写" in capsys.readouterr().out
    argv = ["office-settings", "set", "--db", server.db_url]
    for key, value in OFFICE_SETTINGS.items():
        argv += ["--" + key.replace("_", "-"), value]
    assert server_main(argv) == 0
    assert "尚未填写" not in capsys.readouterr().out
    rc = server_main(["office-settings", "set", "--db", server.db_url, "--number-prefix", "娄星〔2026〕"])
    assert rc == 1 and "文号前缀只写机关简称" in capsys.readouterr().err
    assert server_main(["office-settings", "show", "--db", server.db_url]) == 0
    assert "文号前缀（机关简称）：娄星政公开" in capsys.readouterr().out
