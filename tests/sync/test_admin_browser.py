"""The admin pages in a real headless Chromium (Debian's chromium through chromium-driver and Selenium):
log in, see the fleet, log out; a wrong password and a forged cookie get nothing. Screenshots go to
tests/.artifacts/admin/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chromium
import pytest
from adminlogin import PASSWORD, make_account, submit_and_wait

from sync.server.__main__ import add_terminal

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts" / "admin"

pytest.importorskip("selenium.webdriver")
if not chromium.available():  # scripts/setup --dev installs both
    pytest.skip(chromium.SKIP_REASON, allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    drv = chromium.start(tmp_path / "profile", size=(1280, 800), load_timeout=90)
    yield drv
    drv.quit()


def _shot(drv, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _submit(drv, button) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    submit_and_wait(drv, button)


def _login(drv, user: str, password: str) -> None:
    drv.find_element(By.ID, "username").clear()
    drv.find_element(By.ID, "username").send_keys(user)
    drv.find_element(By.ID, "password").send_keys(password)
    _submit(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def test_login_see_fleet_logout_wrong_password_forged_cookie(server, browser) -> None:
    drv = browser
    server.ensure_zone("wanbao")
    add_terminal(server.db_url, "wanbao")
    # No account yet: the page says how to make one and has no form.
    drv.get(f"{server.url}/admin/fleet")
    assert "/admin/login" in drv.current_url and "account add" in drv.page_source
    assert not drv.find_elements(By.ID, "password")
    _shot(drv, "0-no-account")
    make_account(server.engine, "zhao.it", ("it",))

    drv.get(f"{server.url}/admin/fleet")
    assert "/admin/login?next=/admin/fleet" in drv.current_url
    _login(drv, "zhao.it", "not the password")
    assert "用户名或密码不正确" in drv.page_source and "/admin/login" in drv.current_url
    assert drv.get_cookie("zwgk_admin") is None
    _shot(drv, "1-wrong-password")

    _login(drv, "zhao.it", PASSWORD)
    assert drv.current_url.endswith("/admin/fleet"), drv.current_url
    assert "终端运行情况" in drv.title and "wanbao-01" in drv.page_source and "zhao.it" in drv.page_source
    cookie = drv.get_cookie("zwgk_admin")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert drv.execute_script("return document.cookie").find("zwgk_admin") < 0  # HttpOnly: no script sees it
    _shot(drv, "2-fleet")
    drv.set_window_size(390, 844)  # a phone
    drv.refresh()
    _shot(drv, "2-fleet-phone")
    drv.set_window_size(1280, 800)

    _submit(drv, drv.find_element(By.XPATH, "//button[text()='退出']"))
    assert "/admin/login" in drv.current_url and drv.get_cookie("zwgk_admin") is None
    drv.get(f"{server.url}/admin/fleet")
    assert "/admin/login" in drv.current_url and "wanbao-01" not in drv.page_source
    _shot(drv, "3-logged-out")

    # A forged session cookie opens nothing.
    drv.add_cookie({"name": "zwgk_admin", "value": "forged-" + "x" * 36, "path": "/admin"})
    drv.get(f"{server.url}/admin/fleet")
    assert "/admin/login" in drv.current_url and "wanbao-01" not in drv.page_source


def test_fleet_page_shows_who_needs_attention(server, browser) -> None:
    import httpx

    drv = browser
    server.ensure_zone("wanbao")
    beats = {
        "wanbao": {"printer_state": "receipt=ready;a4=ready", "free_disk_mb": 40000, "sync_interval_s": 300},
        "hexi": {
            "printer_state": "receipt=paper_out",
            "free_disk_mb": 512,
            "pending_outbox": 3,
            "outbox_oldest": "2026-11-30T01:02:03Z",
            "last_error": "下载内容失败：下载清单：服务器暂时不可用（503），稍后会自动重试",
            "sync_failure": {  # what sync.client's heartbeat sends after its fourth failing run in a row
                "part": "pull",
                "code": "http-503",
                "text": "下载内容失败：下载清单：服务器暂时不可用（503），稍后会自动重试",
                "at": "2026-11-30T01:02:03Z",
                "in_a_row": 4,
            },
        },
    }
    for zone, beat in beats.items():
        _tid, token = add_terminal(server.db_url, zone)
        r = httpx.post(
            f"{server.url}/v1/submissions/heartbeat",
            json={"version": "0.1.0", "mirror_seq": 0, **beat},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"hb-{zone}"},
        )
        assert r.status_code == 200, r.text
    add_terminal(server.db_url, "district")  # registered, never heard from
    make_account(server.engine, "zhao.it", ("it",))
    drv.get(f"{server.url}/admin/fleet")
    _login(drv, "zhao.it", PASSWORD)
    text = drv.find_element(By.TAG_NAME, "main").text
    assert "万宝镇" in text and "河西街道" in text and "从未联系" in text and "缺纸" in text and "北京时间" in text
    rows = drv.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [("attn" in (r.get_attribute("class") or "")) for r in rows] == [True, True, False]
    errors = [e.text for e in drv.find_elements(By.CSS_SELECTOR, "td .sync-error")]
    assert errors == ["下载内容失败：下载清单：服务器暂时不可用（503），稍后会自动重试"], errors
    hexi = next(r for r in rows if "河西街道" in r.text)
    assert "代码 http-503" in hexi.text and "连续 4 次" in hexi.text and "2026-11-30 09:02" in hexi.text, hexi.text
    _shot(drv, "4-fleet-states")
    drv.set_window_size(390, 844)
    drv.refresh()
    _shot(drv, "4-fleet-states-phone")
