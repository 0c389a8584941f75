"""The office's console: over HTTP as a logged-in office account (roles, CSRF, refusals, the list order,
every view of personal data logged, the notices as real PDFs checked with pdffonts/pdftotext), and the
done-when flow in a real headless Chromium — a resident applies at a terminal → the office asks for a
correction in the console → the terminal's lookup and the public page (phone-sized) show it → the
correction arrives → extension → reply → closed. Screenshots in tests/.artifacts/office/."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import chromium
import pytest
from adminlogin import PASSWORD, csrf_token, login, make_account, submit_and_wait
from synchelpers import ZONES, configure_office
from test_office_e2e import PERSONAL, PHONE, _apply, terminal_lookup

from sync.client import sync_once
from sync.server.db import sessions
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case, DataView

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "office"


def _cases(server, n: int = 1) -> tuple[object, list[str]]:
    server.publish_lines(ZONES)
    configure_office(server.engine)
    cfg = server.terminal(server.tmp / "term")
    numbers = [_apply(cfg) for _ in range(n)]
    assert sync_once(cfg).error is None
    return cfg, numbers


def test_console_steps_roles_csrf_and_logged_views(server, tmp_path: Path) -> None:
    _cfg, (first, second) = _cases(server, 2)
    with sessions(server.engine)() as s, s.begin():  # make the second one overdue: received long ago
        c = s.get(Case, second)
        assert c is not None
        c.due = lc.china_today().replace(day=1) if lc.china_today().day > 2 else c.due
    it = login(server.url, server.engine, "zhao.it", ("it",))
    assert it.get("/admin/office/cases").status_code == 403
    c = login(server.url, server.engine, "wang.office", ("office",))
    listing = c.get("/admin/office/cases")
    assert listing.status_code == 200 and listing.headers["cache-control"].startswith("no-store")
    assert listing.text.index(second) < listing.text.index(first), "overdue on top"
    assert "逾期" in listing.text and "万宝镇" in listing.text
    for secret in PERSONAL:
        assert secret not in listing.text
    page = c.get(f"/admin/office/cases/{first}")
    assert page.status_code == 200 and "陈𬭎" in page.text and "11010519491231002X" in page.text
    with sessions(server.engine)() as s:
        views = s.query(DataView).filter(DataView.tracking_no == first).all()
        assert [(v.actor, v.what) for v in views] == [("wang.office", "application")]
    token = csrf_token(c, f"/admin/office/cases/{first}")
    # without the CSRF token: refused, nothing changed
    r = c.post(f"/admin/office/cases/{first}/step/reply", data={"reply_type": "disclosed"})
    assert r.status_code == 403
    # a step the law does not allow now: shown with its reason, nothing changed
    r = c.post(f"/admin/office/cases/{first}/step/close", data={"csrf": token})
    assert r.status_code == 400 and "未办理" in r.text and "不能办结归档" in r.text
    r = c.post(
        f"/admin/office/cases/{first}/step/ask_correction",
        data={"csrf": token, "items": "请写明项目名称", "within": "10"},
    )
    assert r.status_code == 303
    with sessions(server.engine)() as s:
        case = s.get(Case, first)
        assert case is not None and case.state == "correction"
        assert [e.actor for e in lc.events(s, first)][-1] == "wang.office"
    pdf = c.get(f"/admin/office/cases/{first}/notice/correction.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "correction.pdf"
    path.write_bytes(pdf.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansSC" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    flat = "".join(text.stdout.split())
    assert "补正申请告知书" in flat and "请写明项目名称" in flat and "第三十条" in flat and first in flat
    assert c.get(f"/admin/office/cases/{first}/notice/reply.pdf").status_code == 404  # not replied yet
    with sessions(server.engine)() as s:
        # two openings, the page shown again with the refused step, and the notice
        assert s.query(DataView).filter(DataView.tracking_no == first).count() == 4
    # a document attached to the reply: uploaded, listed, downloaded (the download logged)
    r = c.post(f"/admin/office/cases/{first}/step/correction_received", data={"csrf": token})
    assert r.status_code == 303
    up = c.post(
        f"/admin/office/cases/{first}/files",
        data={"csrf": token},
        files={"file": ("招标文件（可公开部分）.pdf", b"%PDF-1.4 test", "application/pdf")},
    )
    assert up.status_code == 303, up.text
    page = c.get(f"/admin/office/cases/{first}").text
    link = re.search(r"href='(/admin/office/cases/[^']+/files/\d+)'>招标文件（可公开部分）.pdf<", page)
    assert link is not None
    got = c.get(link.group(1))
    assert got.status_code == 200 and got.content == b"%PDF-1.4 test"
    with sessions(server.engine)() as s:
        assert s.query(DataView).filter(DataView.what.like("file:%")).count() == 1
    empty = c.post(f"/admin/office/cases/{first}/files", data={"csrf": token}, files={"file": ("x.pdf", b"")})
    assert empty.status_code == 400 and "请选择一个文件" in empty.text


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    chromium.require()
    drv = chromium.start(tmp_path / "profile", size=(1280, 900), load_timeout=30)
    yield drv
    drv.quit()


def test_done_when_flow_in_chromium(server, browser, data_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    drv = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        drv.save_screenshot(str(ARTIFACTS / f"{name}.png"))

    def submit(button) -> None:
        submit_and_wait(drv, button, 20)

    def step(name: str, **fields: str) -> None:
        form = drv.find_element(By.CSS_SELECTOR, f"form[action$='/step/{name}']")
        for key, value in fields.items():
            el = form.find_element(By.NAME, key)
            if el.tag_name == "select":
                Select(el).select_by_value(value)
            else:
                el.send_keys(value)
        submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "未办理" not in drv.page_source, drv.find_element(By.CLASS_NAME, "error").text

    def public(no: str, name: str = "") -> str:
        drv.set_window_size(390, 844)  # the resident's phone, from the receipt's QR
        drv.get(f"{server.url}/status?no={no}")
        drv.find_element(By.ID, "tail").send_keys(PHONE[-4:])
        submit(drv.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        text = drv.find_element(By.TAG_NAME, "main").text
        width = drv.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, "the status page fits a phone without sideways scrolling"
        if name:
            shot(name)
        drv.set_window_size(1280, 900)
        return text

    server.publish_lines(ZONES)
    configure_office(server.engine)
    cfg = server.terminal(data_dir)
    no = _apply(cfg)  # 1. a resident applies at the terminal
    assert sync_once(cfg).error is None
    make_account(server.engine, "wang.office", ("office",))
    drv.get(f"{server.url}/admin/office/cases")
    drv.find_element(By.ID, "username").send_keys("wang.office")
    drv.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(drv.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert drv.current_url.endswith("/admin/office/cases") and no in drv.page_source
    shot("1-list")
    submit(drv.find_element(By.LINK_TEXT, no))
    assert "陈𬭎" in drv.page_source
    shot("2-detail")

    # 2. the office asks for a correction
    step("ask_correction", items="请写明招标文件所属项目的名称或者文号", within="10")
    assert "需要补正申请内容" in drv.page_source and "补正申请告知书 娄星政公开〔" in drv.page_source
    shot("3-correction")
    assert terminal_lookup(cfg, no) == ("需要补正申请内容", "")  # 3. the terminal's lookup shows it
    text = public(no, "4-public-correction")  # and the public page
    assert "需要补正申请内容" in text and "补正期限" in text
    for secret in PERSONAL:
        assert secret not in text
    drv.get(f"{server.url}/admin/office/cases/{no}")

    step("correction_received")  # 4. the correction arrives
    label, due = terminal_lookup(cfg, no)
    assert label == "已受理，正在办理" and due
    step("extend", approver="李主任", reason="需要调取档案", days="20")  # 5. extension
    label, extended = terminal_lookup(cfg, no)
    assert label == "已延长答复期限，正在办理" and extended > due
    assert "延期答复告知书 娄星政公开〔" in drv.page_source
    shot("5-extended")
    step("reply", reply_type="partly_disclosed", reason="其中投标人的个人信息不予公开")  # 6. reply
    assert "部分公开" in drv.page_source
    text = public(no, "7-public-replied")
    assert "已答复" in text and "部分公开" in text
    drv.get(f"{server.url}/admin/office/cases/{no}")
    step("close")  # 7. closed
    assert terminal_lookup(cfg, no) == ("已办结", "")
    assert "已办结" in public(no)
    drv.get(f"{server.url}/admin/office/cases/{no}")
    log = drv.find_elements(By.CSS_SELECTOR, "table")[-1].find_elements(By.CSS_SELECTOR, "tbody tr")  # 办理记录
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in log] == [
        "受理",
        "告知补正",
        "出具文书",
        "收到补正",
        "延长答复期限",
        "出具文书",
        "答复",
        "出具文书",
        "办结归档",
    ]
    assert all(r.find_elements(By.TAG_NAME, "td")[1].text == "wang.office" for r in log[1:])
    shot("6-closed")


def test_lapsed_correction_is_withdrawn_by_the_server_in_chromium(server, browser, data_dir: Path) -> None:
    """Art. 30: a correction period that runs out unanswered makes the application deemed abandoned — the
    server withdraws it itself (logged once, by 系统), and the terminal's lookup, the public page on a
    phone and the console say so. The server's clock is moved past the period (no sleeping, no hook)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    from kiosk.workdays import count_working_days
    from sync.server.feed.calendar import work_calendar

    drv = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cfg, (no, other) = _cases(server, 2)
    c = login(server.url, server.engine, "wang.office", ("office",))
    for n in (no, other):
        token = csrf_token(c, f"/admin/office/cases/{n}")
        r = c.post(f"/admin/office/cases/{n}/step/ask_correction", data={"csrf": token, "items": "请写明文号"})
        assert r.status_code == 303
    with sessions(server.engine)() as s:
        case = s.get(Case, no)
        assert case is not None and case.correction_due is not None
        period_end = case.correction_due
        after = count_working_days(period_end, 1, work_calendar(s), lead="").due  # the next working day
    server.today = period_end  # the last day of the period: still waiting
    assert terminal_lookup(cfg, no) == ("需要补正申请内容", "")
    server.today = after
    assert terminal_lookup(cfg, no) == ("逾期未补正，视为放弃申请", "")
    assert terminal_lookup(cfg, no) == ("逾期未补正，视为放弃申请", "")  # read twice, lapsed once
    with sessions(server.engine)() as s:
        evs = lc.events(s, no)
        assert [(e.action, e.actor) for e in evs][-1] == ("correction_lapsed", lc.SYSTEM_ACTOR)
        assert [e.action for e in evs].count("correction_lapsed") == 1
        assert evs[-1].on == period_end + timedelta(days=1) and "第三十条" in evs[-1].reason
        assert s.get(Case, other).state == "correction"  # type: ignore[union-attr] - not read yet

    drv.set_window_size(390, 844)  # the resident's phone, from the receipt's QR
    drv.get(f"{server.url}/status?no={no}")
    drv.find_element(By.ID, "tail").send_keys(PHONE[-4:])
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(drv, 20).until(lambda d: "视为放弃申请日期" in d.page_source)  # the answer, not the form
    text = drv.find_element(By.TAG_NAME, "main").text
    drv.save_screenshot(str(ARTIFACTS / "8-public-lapsed.png"))
    assert "逾期未补正，视为放弃申请" in text and "第三十条" in text and "重新提出申请" in text
    assert f"补正期限\n{period_end}" in text and f"视为放弃申请日期\n{period_end + timedelta(days=1)}" in text
    assert drv.execute_script("return document.documentElement.scrollWidth") <= 390
    for secret in PERSONAL:
        assert secret not in text

    listing = c.get("/admin/office/cases")  # the office's list withdraws the other one too
    assert listing.status_code == 200 and "逾期" not in listing.text
    with sessions(server.engine)() as s:
        assert s.get(Case, other).state == "withdrawn"  # type: ignore[union-attr]
    page = c.get(f"/admin/office/cases/{no}")
    assert "逾期未补正，视为放弃申请" in page.text and lc.SYSTEM_ACTOR in page.text
    # only a correction that came within the period (recorded late) can reopen it
    assert "step/correction_received" in page.text and "登记晚了" in page.text and "step/reply" not in page.text
    drv.set_window_size(1280, 900)
    drv.get(f"{server.url}/admin/office/cases/{no}")
    drv.find_element(By.ID, "username").send_keys("wang.office")
    drv.find_element(By.ID, "password").send_keys(PASSWORD)
    submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"), 60)
    WebDriverWait(drv, 60).until(lambda d: "办理记录" in d.page_source)
    drv.save_screenshot(str(ARTIFACTS / "9-console-lapsed.png"))
    drv.execute_script("document.querySelector('h2:last-of-type').scrollIntoView()")
    drv.save_screenshot(str(ARTIFACTS / "10-console-lapsed-log.png"))
    assert "系统" in drv.find_element(By.TAG_NAME, "main").text
