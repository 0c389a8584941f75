"""Screenshots of every console page at 1366 and 390 px (run by hand, not part of the suite):

    SHOTS=/path/to/dir python -m pytest tests/sync/console_shots.py -q

A seeded server (zones, a fleet terminal, applications at several stages, a published document, a month
of ratings), a real headless Chromium; each page is saved as NAME-1366.png and NAME-390.png (full page)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import chromium
import httpx
import pytest
from adminlogin import PASSWORD, csrf_token, login, make_account
from synchelpers import CATEGORIES, ZONES, configure_office
from test_office_e2e import PHONE, _apply
from test_office_evaluation import _seed

from sync.client import sync_once

webdriver = pytest.importorskip("selenium.webdriver")


def _driver(tmp: Path):
    return chromium.start(tmp / "profile", extra=("--hide-scrollbars",))


def _save(drv, out: Path, name: str) -> None:
    for width in (1366, 390):
        drv.set_window_size(width, 900)
        h = drv.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        drv.set_window_size(width, min(max(int(h) + 20, 600), 6000))
        drv.save_screenshot(str(out / f"{name}-{width}.png"))
    drv.set_window_size(1366, 900)


def _pack_shots(drv, url: str, tmp: Path, out: Path) -> None:
    """A content pack uploaded from the documents page: its preview (one amendment dropping a category, one
    new document), then 确认发布."""
    from selenium.webdriver.common.by import By

    pack = tmp / "冬季通知.jsonl"
    lines = [
        {"id": "wb-2026-notice", "title": "万宝镇2026年冬季供暖通知（修订）", "zone": "wanbao", "body": "第三稿"},
        {"id": "wb-2026-water", "title": "万宝镇停水通知", "zone": "wanbao", "categories": ["policy"], "body": "正文"},
    ]
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    drv.get(f"{url}/admin/office/documents")
    drv.find_element(By.NAME, "pack").send_keys(str(pack))
    drv.find_element(By.CSS_SELECTOR, "form[action$='/pack'] button[type=submit]").click()
    _save(drv, out, "16-pack-preview")
    drv.find_element(By.NAME, "drops").click()
    drv.find_element(By.XPATH, "//button[text()='确认发布']").click()
    _save(drv, out, "17-pack-published")


def test_shots(server, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    out = Path(os.environ.get("SHOTS", str(tmp_path / "shots")))
    out.mkdir(parents=True, exist_ok=True)
    drv = _driver(tmp_path)
    try:
        drv.get(f"{server.url}/admin/login")
        _save(drv, out, "00-no-account")
        _seed(server)  # a month of ratings from nine zones (November 2026)
        server.publish_lines(ZONES + CATEGORIES, "more.jsonl")
        cfg = server.terminal(tmp_path / "term")
        numbers = [_apply(cfg) for _ in range(3)]
        assert sync_once(cfg).error is None
        make_account(server.engine, "wang.office", ("office", "it"))
        make_account(server.engine, "zhao.it", ("it",))
        make_account(server.engine, "li.dept", ("department",))
        configure_office(server.engine)  # notices are issued only once the district's settings are in
        c = login(server.url, server.engine, "wang.office", ("office", "it"))
        token = csrf_token(c)
        c.post("/admin/office/departments", data={"csrf": token, "code": "zjj", "name": "区住房和城乡建设局"})
        c.post("/admin/office/departments/members", data={"csrf": token, "username": "li.dept", "department": "zjj"})
        c.post(
            f"/admin/office/cases/{numbers[0]}/assign", data={"csrf": token, "department": "zjj", "due": "2026-12-20"}
        )
        c.post(f"/admin/office/cases/{numbers[1]}/step/ask_correction", data={"csrf": token, "items": "请写明项目名称"})
        c.post(f"/admin/office/cases/{numbers[2]}/step/reply", data={"csrf": token, "reply_type": "disclosed"})
        c.post(
            "/admin/office/documents",
            data={
                "csrf": token,
                "id": "wb-2026-notice",
                "zone": "wanbao",
                "categories": ["policy"],
                "title": "万宝镇2026年冬季供暖通知",
                "issuer": "万宝镇人民政府",
                "published": "2026-11-30",
                "body": "第一稿",
            },
        )
        c.post(
            f"/admin/office/cases/{numbers[2]}/files",
            data={"csrf": token},
            files={"file": ("答复书附件.pdf", b"%PDF-1.4 test", "application/pdf")},
        )
        c.post(
            "/admin/office/documents/wb-2026-notice",
            data={
                "csrf": token,
                "zone": "wanbao",
                "categories": ["policy"],
                "title": "万宝镇2026年冬季供暖通知",
                "issuer": "万宝镇人民政府",
                "published": "2026-11-30",
                "body": "第二稿",
            },
            files=[("files", ("供暖收费标准.pdf", b"%PDF-1.4 test", "application/pdf"))],
        )
        drv.get(f"{server.url}/admin/login")
        _save(drv, out, "01-login")
        drv.find_element(By.ID, "username").send_keys("wang.office")
        drv.find_element(By.ID, "password").send_keys("wrong password")
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _save(drv, out, "02-login-wrong")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        pages = {
            "03-fleet": "/admin/fleet",
            "04-evaluation": "/admin/office?month=2026-11",
            "05-cases": "/admin/office/cases",
            "06-case-received": f"/admin/office/cases/{numbers[0]}",
            "07-case-correction": f"/admin/office/cases/{numbers[1]}",
            "08-case-replied": f"/admin/office/cases/{numbers[2]}",
            "09-documents": "/admin/office/documents",
            "10-document": "/admin/office/documents/wb-2026-notice",
            "11-calendar": "/admin/office/calendar",
            "12-case-missing": "/admin/office/cases/NOSUCH-1",
            "13-not-found": "/admin/nosuch",
            "30-settings": "/admin/office/settings",
            "31-register": "/admin/office/register",
            "32-departments": "/admin/office/departments",
            "33-year": "/admin/office/year?year=2026",
            "34-annual-report": "/admin/office/annual-report?year=2026",
            "35-case-search": "/admin/office/cases?q=" + numbers[0][-4:],
        }
        for name, path in pages.items():
            drv.get(server.url + path)
            _save(drv, out, name)
        _pack_shots(drv, server.url, tmp_path, out)
        drv.get(f"{server.url}/admin/office/cases/{numbers[0]}")  # a stale form: the CSRF token changed
        drv.execute_script("document.querySelectorAll(\"input[name='csrf']\").forEach(e => e.value = 'stale')")
        drv.find_element(By.CSS_SELECTOR, "form[action$='/step/withdraw'] button[type=submit]").click()
        _save(drv, out, "14-csrf-stale")
        drv.get(f"{server.url}/status?no={numbers[1]}")
        _save(drv, out, "20-status-form")
        drv.find_element(By.ID, "tail").send_keys(PHONE[-4:])
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _save(drv, out, "21-status-answer")
        drv.get(f"{server.url}/status?no={numbers[1]}")
        drv.find_element(By.ID, "tail").send_keys("0000")
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _save(drv, out, "22-status-wrong")
        drv.delete_all_cookies()
        it = httpx.Client(base_url=server.url)
        assert it.get("/admin/login").status_code == 200
        drv.get(f"{server.url}/admin/login")
        drv.find_element(By.ID, "username").send_keys("zhao.it")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        drv.get(f"{server.url}/admin/office/cases")
        _save(drv, out, "15-role-refused")
        drv.delete_all_cookies()
        drv.get(f"{server.url}/admin/login")
        drv.find_element(By.ID, "username").send_keys("li.dept")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        drv.get(f"{server.url}/admin/dept")
        _save(drv, out, "40-dept-list")
        drv.get(f"{server.url}/admin/dept/cases/{numbers[0]}")
        _save(drv, out, "41-dept-case")
    finally:
        drv.quit()
