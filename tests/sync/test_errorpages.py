"""Refusals and failures as a person's browser sees them (a page in Chinese with a way back) and as an
API client sees them (JSON), against the real server under uvicorn: a stale form (CSRF), a page of
another role, a login that expired before a form was sent, 404, 405, a request that does not validate,
and a server error (the real app with one route added that fails, under its own uvicorn)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import chromium
import httpx
import uvicorn
from adminlogin import csrf_token, login

from sync.protocol import signing
from sync.server.app import create_app
from sync.server.db import open_db

HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


def _is_page(r: httpx.Response, *texts: str) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.headers
    assert r.text.startswith("<!doctype html>") and "{" not in r.text.split("<main>")[1][:200]
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    main = r.text.split("<main>")[1]
    for t in texts:
        assert t in main, (t, main)
    assert not re.search(r"\b(error|forbidden|csrf|not found|method|unauthorized)\b", main, re.IGNORECASE), main
    return main


def _is_json(r: httpx.Response, code: str | None = None) -> None:
    assert r.headers["content-type"].startswith("application/json"), r.text
    if code is not None:
        assert r.json()["error"] == code


def test_csrf_and_role_refusals_page_for_a_browser_json_for_a_script(server) -> None:
    office = login(server.url, server.engine, "wang.office", ("office",))
    page = "/admin/office/documents"
    stale = office.post(page, data={"csrf": "stale"}, headers={**HTML, "Referer": f"{server.url}{page}?q=x"})
    assert stale.status_code == 403
    main = _is_page(stale, "页面已过期，请返回后刷新再提交", "返回")
    assert f"href='{page}?q=x'" in main, "the link goes back to the form's page"
    assert "wang.office" in stale.text and "退出" in stale.text, "the bar is still there"
    foreign = office.post(page, data={"csrf": "stale"}, headers={**HTML, "Referer": "https://evil.example/x"})
    assert "href='/admin/'" in foreign.text.split("<main>")[1], "a link never leads off this server"
    _is_json(office.post(page, data={"csrf": "stale"}, headers=JSON), "csrf")
    it = login(server.url, server.engine, "zhao.it", ("it",))
    role = it.get("/admin/office/cases")
    assert role.status_code == 403
    _is_page(role, "您的账号没有打开此页面的权限")
    office_api = office.get("/admin/api/fleet")  # its Accept says text/html, but /admin/api/ is JSON
    assert office_api.status_code == 403
    _is_json(office_api, "forbidden")


def test_expired_login_on_a_form_says_so_and_links_to_the_login(server) -> None:
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office)
    office.cookies.clear()
    r = office.post("/admin/office/documents", data={"csrf": token})
    assert r.status_code == 401
    main = _is_page(r, "请先登录")
    assert "href='/admin/login'" in main
    api = httpx.post(f"{server.url}/admin/office/documents", data={"csrf": token})
    assert api.status_code == 401
    _is_json(api, "unauthorized")


def test_not_found_method_and_validation_pages(server) -> None:
    office = login(server.url, server.engine, "wang.office", ("office",))
    missing = httpx.get(f"{server.url}/admin/nosuch", headers=HTML)
    assert missing.status_code == 404
    _is_page(missing, "找不到这个页面")
    assert httpx.get(f"{server.url}/admin/nosuch").json() == {"detail": "Not Found"}  # a script: as before
    assert httpx.get(f"{server.url}/v1/nosuch", headers=HTML).headers["content-type"] == "application/json"
    public = httpx.get(f"{server.url}/status/nosuch", headers=HTML)
    assert public.status_code == 404 and "class='public'" in public.text and "退出" not in public.text
    method = office.get("/admin/logout")
    assert method.status_code == 405
    _is_page(method, "无法这样打开此页面")
    _is_json(httpx.get(f"{server.url}/admin/logout"))
    invalid = office.get("/admin/office/cases/WB01-20261208-0001/files/not-a-number")
    assert invalid.status_code == 422
    _is_page(invalid, "填写的内容不符合要求")
    as_json = office.get("/admin/office/cases/WB01-20261208-0001/files/not-a-number", headers=JSON)
    assert as_json.status_code == 422 and as_json.json()["detail"][0]["loc"] == ["path", "fid"]
    no_case = office.get("/admin/office/cases/NOSUCH-1")
    assert no_case.status_code == 404
    _is_page(no_case, "没有这件申请", "NOSUCH-1", "返回列表")


def test_server_error_page_and_json(tmp_path: Path, district_keys: Path) -> None:
    engine = open_db(f"sqlite:///{tmp_path / 'district.db'}")
    app = create_app(engine, signing.load_signer(district_keys))

    @app.get("/admin/boom")
    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{uv.servers[0].sockets[0].getsockname()[1]}"
        page = httpx.get(f"{url}/admin/boom", headers=HTML)
        assert page.status_code == 500
        main = _is_page(page, "服务器出错了", "请稍后再试")
        assert "a bug" not in main and "Traceback" not in page.text
        api = httpx.get(f"{url}/v1/boom", headers=HTML)
        assert api.status_code == 500 and api.json() == {"error": "internal", "message": "服务器内部错误"}
    finally:
        uv.should_exit = True
        thread.join(10)
        engine.dispose()


def test_stale_form_in_chromium_reads_chinese_and_leads_back(server, tmp_path: Path) -> None:
    """A real browser: the session's form token no longer matches (as after logging in again elsewhere);
    the clerk reads 页面已过期 with the bar still there, and 返回 leads back to the form's page."""
    chromium.require()
    from adminlogin import PASSWORD, make_account, submit_and_wait
    from selenium.webdriver.common.by import By

    drv = chromium.start(tmp_path / "profile")
    try:
        make_account(server.engine, "wang.office", ("office",))
        drv.get(f"{server.url}/admin/office/documents?q=供暖")
        drv.find_element(By.ID, "username").send_keys("wang.office")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        drv.execute_script("document.querySelectorAll(\"input[name='csrf']\").forEach(e => e.value = 'stale')")
        form = drv.find_element(By.CSS_SELECTOR, "form.step")
        form.find_element(By.NAME, "title").send_keys("万宝镇2026年冬季供暖通知")
        submit_and_wait(drv, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        main = drv.find_element(By.TAG_NAME, "main").text
        assert "页面已过期，请返回后刷新再提交" in main and "{" not in main, main
        assert drv.find_element(By.XPATH, "//button[text()='退出']")
        submit_and_wait(drv, drv.find_element(By.LINK_TEXT, "返回"))
        assert drv.current_url.endswith("/admin/office/documents?q=%E4%BE%9B%E6%9A%96"), drv.current_url
        assert drv.find_element(By.TAG_NAME, "h1").text == "发布与修订"
    finally:
        drv.quit()
