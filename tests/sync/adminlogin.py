"""Log into the reference server's admin pages the way a browser does (form, cookie, CSRF token), for
tests of pages behind ``sync.server.admin.auth.require_account``."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine

from sync.server.admin import auth

PASSWORD = "correct horse battery"


def make_account(engine: Engine, name: str = "it-admin", roles: tuple[str, ...] = ("it",)) -> str:
    """Create an account with :data:`PASSWORD` (or keep the one that exists); returns its name."""
    if name not in {a.username for a in auth.list_accounts(engine)}:
        auth.add_account(engine, name, roles, PASSWORD)
    return name


def login(base_url: str, engine: Engine, name: str = "it-admin", roles: tuple[str, ...] = ("it",)) -> httpx.Client:
    """An httpx client logged in as ``name`` (created with ``roles`` if missing), cookies kept."""
    make_account(engine, name, roles)
    c = httpx.Client(base_url=base_url, timeout=10, headers={"Accept": "text/html"})
    form = c.get("/admin/login")
    token = re.search(r"name='csrf' value='([^']+)'", form.text)
    assert token is not None, form.text
    r = c.post("/admin/login", data={"username": name, "password": PASSWORD, "csrf": token.group(1), "next": "/admin/"})
    assert r.status_code == 303, r.text
    return c


def csrf_token(c: httpx.Client, page: str = "/admin/") -> str:
    """The session's CSRF token, read from the hidden input of a page (the 退出 form has one)."""
    r = c.get(page, follow_redirects=True)
    m = re.search(r"name='csrf' value='([^']+)'", r.text)
    assert m is not None, r.text
    return m.group(1)


def submit_and_wait(drv: Any, button: Any, timeout: float = 60) -> None:
    """Click a submit button in Chromium (Selenium) and wait until the next page has replaced this one.

    Mid-navigation Chromium answers for the old button either "stale element" or "Node with given id does
    not belong to the document": both mean the old page is gone."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    def gone(_drv: Any) -> bool:
        try:
            return bool(expected_conditions.staleness_of(button)(drv))
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise

    button.click()
    WebDriverWait(drv, timeout).until(gone)
    WebDriverWait(drv, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")
