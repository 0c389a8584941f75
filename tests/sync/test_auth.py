"""Admin authentication against the real server under uvicorn: nobody gets in while no account exists,
anonymous requests from loopback are refused, sessions and cookies, lockout, CSRF, roles, the CLI."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from adminlogin import PASSWORD, csrf_token, login, make_account
from sqlalchemy import select
from syncserver import RunningServer

from sync.server.admin import auth
from sync.server.db import AdminAccount, AdminSession, open_db, sessions

HTML = {"Accept": "text/html,application/xhtml+xml"}


def _login_form(c: httpx.Client) -> str:
    r = c.get("/admin/login")
    m = re.search(r"name='csrf' value='([^']+)'", r.text)
    assert m is not None, r.text
    return m.group(1)


def test_no_account_means_no_access_even_on_loopback(server) -> None:
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    r = c.get("/admin/fleet")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login?next=/admin/fleet")
    page = c.get("/admin/login")
    assert page.status_code == 503 and "account add" in page.text and "<form" not in page.text
    api = httpx.get(f"{server.url}/admin/fleet", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.headers["content-type"].startswith("application/json")
    assert "<" not in api.text
    # A login attempt with a forged form gets nothing either.
    c.cookies.set("zwgk_login_csrf", "x", path="/admin/login")
    r = c.post("/admin/login", data={"username": "root", "password": "x" * 12, "csrf": "x"})
    assert r.status_code == 503 and "zwgk_admin" not in r.headers.get("set-cookie", "")


def test_login_fleet_logout_and_cookie_attributes(server) -> None:
    make_account(server.engine, "li.it", ("it",))
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    token = _login_form(c)
    r = c.post("/admin/login", data={"username": "LI.IT", "password": PASSWORD, "csrf": token, "next": "/admin/fleet"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/fleet"
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("zwgk_admin="))
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= attrs and "secure" not in attrs  # plain HTTP here
    assert "samesite=strict" in cookie.lower() and "path=/admin" in cookie.lower()
    fleet = c.get("/admin/fleet")
    assert fleet.status_code == 200 and "终端运行情况" in fleet.text and "li.it" in fleet.text
    assert fleet.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in fleet.headers["content-security-policy"]
    # The server keeps only a hash of the cookie value.
    value = c.cookies.get("zwgk_admin")
    with sessions(server.engine)() as s:
        stored = list(s.scalars(select(AdminSession.id_hash)))
    assert value not in stored and len(stored) == 1
    # Logging out without the CSRF token is refused and changes nothing.
    assert c.post("/admin/logout").status_code == 403
    assert c.get("/admin/fleet").status_code == 200
    r = c.post("/admin/logout", data={"csrf": csrf_token(c)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    # The old cookie value replayed after logout opens nothing.
    replay = httpx.get(f"{server.url}/admin/fleet", cookies={"zwgk_admin": value}, headers=HTML)
    assert replay.status_code == 303


def test_wrong_password_forged_cookie_and_unknown_user_are_refused_alike(server) -> None:
    make_account(server.engine)
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    wrong = c.post("/admin/login", data={"username": "it-admin", "password": "wrong-password", "csrf": _login_form(c)})
    unknown = c.post("/admin/login", data={"username": "nobody", "password": PASSWORD, "csrf": _login_form(c)})
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.text and "用户名或密码不正确" in unknown.text
    assert "zwgk_admin=" not in " ".join(wrong.headers.get_list("set-cookie"))
    forged = httpx.get(f"{server.url}/admin/fleet", cookies={"zwgk_admin": "A" * 43}, headers=HTML)
    assert forged.status_code == 303
    # The login form needs its own double-submit token.
    c.cookies.clear()
    r = c.post("/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": "guess"})
    assert r.status_code == 400 and "zwgk_admin=" not in " ".join(r.headers.get_list("set-cookie"))


def test_lockout_after_five_failures_even_with_the_right_password(server) -> None:
    make_account(server.engine)
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    for _ in range(auth.MAX_FAILURES):
        r = c.post("/admin/login", data={"username": "it-admin", "password": "not-it-at-all", "csrf": _login_form(c)})
        assert r.status_code == 401
    r = c.post("/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": _login_form(c)})
    assert r.status_code == 401 and "锁定" in r.text
    assert [a.username for a in auth.list_accounts(server.engine) if auth.describe(a)["state"] == "locked"] == [
        "it-admin"
    ]
    auth.set_password(server.engine, "it-admin", PASSWORD)  # `account passwd` lifts it
    r = c.post("/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": _login_form(c)})
    assert r.status_code == 303


def test_roles_csrf_origin_and_open_redirect(server) -> None:
    office = login(server.url, server.engine, "wang.office", ("office",))
    assert office.get("/admin/fleet").status_code == 403
    assert office.get("/admin/office").status_code == 200
    assert office.get("/admin/", follow_redirects=False).headers["location"] == "/admin/office"
    # A form posted from another site (right token, foreign Origin) is refused.
    token = csrf_token(office)
    r = office.post("/admin/logout", data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    # `next` may only lead to this server's admin pages.
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    make_account(server.engine)
    for target in ("//evil.example/x", "https://evil.example/admin", "/admin\\@evil"):
        r = c.post(
            "/admin/login", data={"username": "it-admin", "password": PASSWORD, "csrf": _login_form(c), "next": target}
        )
        assert r.headers["location"] == "/admin/", target


def test_secure_cookie_behind_a_trusted_proxy_only(tmp_path: Path, district_keys: Path) -> None:
    for trust in (True, False):
        db_path = tmp_path / f"p{trust}.db"
        url = f"sqlite:///{db_path}"
        srv = RunningServer(url, db_path, district_keys, open_db(url), tmp=tmp_path, trust_proxy=trust)
        srv.start()
        try:
            make_account(srv.engine)
            hdr = {"X-Forwarded-Proto": "https", **HTML}
            form = httpx.get(f"{srv.url}/admin/login", headers=hdr)
            token = re.search(r"name='csrf' value='([^']+)'", form.text)
            assert token is not None
            r = httpx.post(
                f"{srv.url}/admin/login",
                data={"username": "it-admin", "password": PASSWORD, "csrf": token.group(1)},
                headers={**hdr, "Cookie": f"zwgk_login_csrf={token.group(1)}"},
            )
            cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("zwgk_admin="))
            assert ("secure" in cookie.lower()) is trust, (trust, cookie)
        finally:
            srv.stop()
            srv.engine.dispose()


def test_account_cli_reads_the_password_from_stdin_never_argv(tmp_path: Path, monkeypatch, capsys) -> None:
    from sync.server.__main__ import main

    db = str(tmp_path / "d.db")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["account", "add", "zhang", "--role", "it", "--db", db]) == 2
    assert "at least 10" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["account", "add", "zhang", "--role", "it,office", "--db", db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["account", "add", "zhang", "--role", "it", "--db", db]) == 2
    assert main(["account", "add", "li", "--role", "boss", "--db", db]) == 2
    assert main(["account", "disable", "zhang", "--db", db]) == 0
    capsys.readouterr()
    assert main(["account", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert re.search(r"zhang\s+it,office\s+disabled", out), out
    engine = open_db(db)
    with sessions(engine)() as s:
        row = s.get(AdminAccount, "zhang")
        assert row is not None and PASSWORD not in row.pw_hash and row.pw_hash.startswith("scrypt$")
    assert auth.verify_password(PASSWORD, row.pw_hash) and not auth.verify_password("x" + PASSWORD, row.pw_hash)
    engine.dispose()
    # As a separate process started in another folder, with the password on stdin.
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "-m", "sync.server", "account", "passwd", "zhang", "--db", db],
        input=PASSWORD + "2\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("argv", [["account", "--help"], ["serve", "--help"]])
def test_help(argv: list[str], capsys) -> None:
    from sync.server.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0 and "--db" in capsys.readouterr().out
