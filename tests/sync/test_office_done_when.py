"""Issue 20's done-when walk in a real headless Chromium against the real server under uvicorn: the office
sets its notice settings and a department in forms; registers an application received by post (with the
scanned form); assigns it to 区住建局; a third-party consultation; a 收费通知 and the payment; the
department uploads its draft and a material and hands it back (as its own login); the office adds a second
file and replies 部分公开; a 复议 is recorded afterwards. Every notice is downloaded twice (with the
browser's session) and compared byte for byte and with the hash in the case log; each PDF is rendered to
PNG and the pages screenshotted at 1366 and 390 px (tests/.artifacts/office/done-*.png)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import httpx
from adminlogin import PASSWORD, make_account, submit_and_wait
from synchelpers import OFFICE_SETTINGS, ZONES
from test_office_console import browser  # noqa: F401 - the Chromium fixture
from test_office_register import CITIZEN

from sync.server.db import sessions
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, IssuedNotice

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "office"


def test_postal_department_consultation_fee_reply_review(server, browser, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    drv = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server.publish_lines(ZONES)
    today = lc.china_today()

    def shot(name: str) -> None:
        for width in (1366, 390):
            drv.set_window_size(width, 900)
            height = drv.execute_script("return document.documentElement.scrollHeight")
            drv.set_window_size(width, min(int(height) + 150, 6000))
            drv.save_screenshot(str(ARTIFACTS / f"done-{name}-{width}.png"))
            if width == 1366:
                wide = drv.execute_script("return document.documentElement.scrollWidth")
                assert wide <= width, f"{name}: the page scrolls sideways at {width} px"
        drv.set_window_size(1366, 900)

    def fill(form, **fields: str) -> None:  # type: ignore[no-untyped-def]
        for key, value in fields.items():
            el = form.find_element(By.NAME, key)
            if el.tag_name == "select":
                Select(el).select_by_value(value)
            elif el.get_attribute("type") == "date":
                drv.execute_script("arguments[0].value = arguments[1]", el, value)
            elif el.get_attribute("type") == "checkbox":
                if value == "yes" and not el.is_selected():
                    el.click()
            else:
                el.clear()
                el.send_keys(value)

    def form(action_end: str):  # type: ignore[no-untyped-def]
        return drv.find_element(By.CSS_SELECTOR, f"form[action$='{action_end}']")

    def submit(f) -> None:  # type: ignore[no-untyped-def]
        submit_and_wait(drv, f.find_element(By.CSS_SELECTOR, "button[type=submit]"), 30)
        errors = drv.find_elements(By.CLASS_NAME, "error")
        assert not errors, errors[0].text

    def login(name: str) -> None:
        drv.get(f"{server.url}/admin/login")
        drv.find_element(By.ID, "username").send_keys(name)
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"), 30)

    def logout() -> None:
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form[action='/admin/logout'] button"), 30)

    make_account(server.engine, "wang.office", ("office",))
    make_account(server.engine, "zhang.zj", ("department",))
    login("wang.office")

    # the district's notice settings and a department, in forms
    drv.get(f"{server.url}/admin/office/settings")
    f = form("/admin/office/settings")
    fill(f, **OFFICE_SETTINGS)
    submit(f)
    assert "已保存" in drv.page_source
    drv.get(f"{server.url}/admin/office/departments")
    f = form("/admin/office/departments")
    fill(f, code="zhujian", name="区住房和城乡建设局")
    submit(f)
    f = form("/admin/office/departments/members")
    fill(f, username="zhang.zj", department="zhujian")
    submit(f)

    # 1. an application received by post, signed for yesterday, registered with its scan
    scan = tmp_path / "邮寄申请表扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned form")
    drv.get(f"{server.url}/admin/office/register")
    shot("register")
    f = form("/admin/office/register")
    signed = today - dt.timedelta(days=1)
    fields = {k: v for k, v in CITIZEN.items() if isinstance(v, str)}
    fill(f, channel="post", zone="district", received_on=signed.isoformat(), **fields)
    f.find_element(By.NAME, "scan").send_keys(str(scan))
    submit(f)
    no = drv.current_url.rsplit("/", 1)[1]
    assert re.fullmatch(rf"QZ0Y-{signed:%Y%m%d}-0001", no), no
    assert "邮寄（需签收）" in drv.page_source and "邮寄申请表扫描件.pdf" in drv.page_source

    # 2. assigned to 区住建局 with a due date
    f = form(f"/cases/{no}/assign")
    fill(f, department="zhujian", due=(today + dt.timedelta(days=5)).isoformat())
    submit(f)
    assert "承办部门：" in drv.page_source

    # 3. a third-party consultation, its opinion back the same day
    f = form("/step/start_consultation")
    fill(f, party="娄底市某建筑工程有限公司", reason="名单含该公司的投标报价")
    submit(f)
    assert "正在征求第三方意见" in drv.page_source
    submit(form("/step/end_consultation"))

    # 4. a fee notice (按量, 120 pages = 1100 元) and the payment
    f = form("/step/fee_notice")
    fill(f, method="per_page", count="120", reason="申请提供近十年全部项目的验收材料，共120页")
    submit(f)
    assert "等待缴纳信息处理费" in drv.page_source
    submit(form("/step/fee_paid"))

    # 5. the department, as its own login: a draft and a material, handed back
    logout()
    login("zhang.zj")
    drv.get(f"{server.url}/admin/dept/cases/{no}")
    shot("department")
    for role, name in (("draft", "答复草稿.txt"), ("reply", "补助对象名单（已隐去身份证号）.pdf")):
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.4 " + name.encode())
        f = form(f"/admin/dept/cases/{no}/files")
        fill(f, role=role)
        f.find_element(By.NAME, "file").send_keys(str(path))
        submit(f)
    submit(form(f"/admin/dept/cases/{no}/submit"))
    assert "报送答复草稿" not in drv.page_source
    logout()
    login("wang.office")

    # 6. the office adds a second file and replies 部分公开
    drv.get(f"{server.url}/admin/office/cases/{no}")
    second = tmp_path / "验收报告（可公开部分）.pdf"
    second.write_bytes(b"%PDF-1.4 second")
    f = form(f"/cases/{no}/files")
    f.find_element(By.NAME, "file").send_keys(str(second))
    submit(f)
    f = form("/step/reply")
    fill(f, reply_type="partly_disclosed", reason="投标人的银行账户信息属于第三方商业秘密，不予公开")
    submit(f)
    assert "部分公开" in drv.page_source

    # 7. a 复议 recorded afterwards, and its outcome
    f = form(f"/cases/{no}/reviews")
    fill(f, kind="review", body="娄底市娄星区人民政府", filed_on=today.isoformat())
    submit(f)
    f = drv.find_element(By.CSS_SELECTOR, "form[action*='/reviews/'][action$='/decide']")
    fill(f, outcome="upheld", decided_on=today.isoformat())
    submit(f)
    assert "结果维持" in drv.page_source
    shot("case")

    # every notice twice with the browser's session: identical bytes, the hash in the log, rendered
    cookies = {c["name"]: c["value"] for c in drv.get_cookies()}
    links = re.findall(r"href=[\"'](/admin/office/notices/(\d+)\.pdf)[\"']", drv.page_source)
    with sessions(server.engine)() as s:
        kinds = {n.id: n.kind for n in s.query(IssuedNotice).filter(IssuedNotice.tracking_no == no)}
        logged = {json.loads(e.data)["sha256"] for e in lc.events(s, no) if e.action == "issue_notice"}
        case = s.get(Case, no)
        assert case is not None and case.paused_days == 0 and case.fee_paid_on == today
    assert sorted(kinds.values()) == ["consultation", "fee", "reply"]
    assert len(links) == 3
    with httpx.Client(base_url=server.url, cookies=cookies) as c:
        # the case file: one PDF, the cover and log first, then the three notices as issued
        bundle = c.get(f"/admin/office/cases/{no}/case-file.pdf")
        assert bundle.status_code == 200
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(bundle.content)).pages
        assert len(pages) >= 4
        (tmp_path / "case-file.pdf").write_bytes(bundle.content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-l", "2", str(tmp_path / "case-file.pdf"), str(ARTIFACTS / "done-file")],
            check=True,
        )
        text = "".join(
            subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(tmp_path / "case-file.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        assert "办理记录" in text and "收费通知书" in text and "娄星政公开〔" in text and "征求第三方意见书" in text
        for href, nid in links:
            first, again = c.get(href), c.get(href)
            assert first.status_code == 200 and first.content == again.content
            assert hashlib.sha256(first.content).hexdigest() in logged
            path = tmp_path / f"{kinds[int(nid)]}.pdf"
            path.write_bytes(first.content)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / f"done-{kinds[int(nid)]}")], check=True
            )
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
            flat = "".join(text.split())
            assert "娄星政公开〔" in flat and "联系人：刘晓红" in flat
            if kinds[int(nid)] == "reply":
                assert "1.补助对象名单（已隐去身份证号）.pdf2.验收报告（可公开部分）.pdf" in flat
                assert "答复草稿" not in flat and "娄底市娄星区人民法院" in flat
