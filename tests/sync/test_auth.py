"""Admin authentication against the real server under uvicorn: nobody gets in while no account exists,
anonymous requests from loopback are refused, sessions and cookies, lockout, CSRF, roles, the CLI."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture
def proxied(tmp_path: Path, district_keys: Path) -> Iterator[RunningServer]:
    """A server behind a (pretend) reverse proxy: it believes X-Forwarded-For, as ``serve --trust-proxy``."""
    db_path = tmp_path / "district.db"
    url = f"sqlite:///{db_path}"
    srv = RunningServer(
        db_url=url, db_path=db_path, key_dir=district_keys, engine=open_db(url), tmp=tmp_path, trust_proxy=True
    )
    srv.start()
    yield srv
    srv.stop()
    srv.engine.dispose()


def _try(c: httpx.Client, name: str, password: str, source: str, otp: str = "") -> httpx.Response:
    form = {"username": name, "password": password, "csrf": _login_form(c), "otp": otp}
    return c.post("/admin/login", data=form, headers={"X-Forwarded-For": f"203.0.113.9, {source}"})


def test_an_attackers_failures_never_lock_the_clerk_out(proxied: RunningServer) -> None:
    """Failures wait per (account, source), growing; the clerk's own browser and address stay open."""
    make_account(proxied.engine)
    attacker = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)
    statuses = [_try(attacker, "it-admin", f"guess-{i:04d}-wrong", "192.0.2.66").status_code for i in range(6)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429, 429], statuses
    throttled = _try(attacker, "it-admin", PASSWORD, "192.0.2.66")  # even the right password waits its turn
    assert throttled.status_code == 429 and "秒后再试" in throttled.text
    # The clerk, from her own desk: in at once.
    clerk = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)
    assert _try(clerk, "it-admin", PASSWORD, "192.0.2.10").status_code == 303
    # The attacker behind the same NAT as the office: the clerk's browser knows this account already,
    # so its tries count apart from the attacker's and it gets in.
    for i in range(4):
        _try(attacker, "it-admin", f"more-wrong-{i}", "192.0.2.10")
    assert _try(attacker, "it-admin", PASSWORD, "192.0.2.10").status_code == 429
    clerk.cookies.delete("zwgk_admin")
    assert _try(clerk, "it-admin", PASSWORD, "192.0.2.10").status_code == 303
    assert [a.username for a in auth.list_accounts(proxied.engine) if auth.describe(a)["state"] == "locked"] == []


def test_a_new_password_from_it_lifts_the_wait(proxied: RunningServer) -> None:
    """deploy.md: the clerk who mistyped her password into a wait calls IT; `account passwd` (which says
    "any lockout lifted") lets her in at once with the new password, from her address and her browser."""
    from sync.server.__main__ import main

    make_account(proxied.engine, "wang.office", ("office",))
    known = login(proxied.url, proxied.engine, "wang.office", ("office",))  # a browser that logged in before
    known.cookies.delete("zwgk_admin")
    desk = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)
    for i in range(4):
        _try(desk, "Wang.Office", f"mistyped-{i}-wrong", "192.0.2.10")  # as typed: capitals
        _try(known, "wang.office", f"mistyped-{i}-wrong", "192.0.2.10")
    assert _try(desk, "wang.office", PASSWORD, "192.0.2.10").status_code == 429
    assert _try(known, "wang.office", PASSWORD, "192.0.2.10").status_code == 429
    stdin = sys.stdin
    try:
        sys.stdin = io.StringIO(PASSWORD + "-new\n")
        assert main(["account", "passwd", "wang.office", "--db", proxied.db_url]) == 0
    finally:
        sys.stdin = stdin
    assert _try(desk, "wang.office", PASSWORD + "-new", "192.0.2.10").status_code == 303
    assert _try(known, "wang.office", PASSWORD + "-new", "192.0.2.10").status_code == 303


def test_wrong_user_and_wrong_password_get_the_same_answer_in_the_same_time(proxied: RunningServer) -> None:
    make_account(proxied.engine)
    c = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)

    def answer(r: httpx.Response) -> str:
        m = re.search(r"role='alert'>([^<]*)<", r.text) or re.search(r'role="alert">([^<]*)<', r.text)
        assert m is not None, r.text
        return m.group(1)

    times: dict[str, list[float]] = {"real": [], "ghost": []}
    answers: dict[str, set[tuple[int, str]]] = {"real": set(), "ghost": set()}
    for i in range(5):
        for who, name in (("real", "it-admin"), ("ghost", "no-such-clerk")):
            r = _try(c, name, "wrong-password-1", f"192.0.2.{20 + i}")
            times[who].append(r.elapsed.total_seconds())
            answers[who].add((r.status_code, answer(r)))
    assert answers["real"] == answers["ghost"] == {(401, "用户名或密码不正确（已开通动态验证码的，请一并核对验证码）")}
    # Both paths run the one scrypt check (about 0.1 s): the medians stay within a factor of two.
    real, ghost = sorted(times["real"])[2], sorted(times["ghost"])[2]
    assert 0.5 < real / ghost < 2.0, (real, ghost)
    # Throttled alike as well: a name that does not exist waits exactly as a real one does.
    for name in ("it-admin", "no-such-clerk"):
        codes = [_try(c, name, "wrong-again-12", "192.0.2.99").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429], (name, codes)


def test_totp_second_factor_and_the_audit_log(proxied: RunningServer) -> None:
    import pyotp

    from sync.server.admin import login as signin

    make_account(proxied.engine, "wang.office", ("office",))
    with sessions(proxied.engine)() as s, s.begin():
        uri = signin.enable_totp(s, "wang.office")
    secret = pyotp.parse_uri(uri).secret
    c = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)
    assert _try(c, "wang.office", PASSWORD, "192.0.2.30").status_code == 401  # no code
    code = pyotp.TOTP(secret).now()
    assert _try(c, "wang.office", PASSWORD, "192.0.2.30", otp=code).status_code == 303
    other = httpx.Client(base_url=proxied.url, timeout=10, headers=HTML)
    assert _try(other, "wang.office", PASSWORD, "192.0.2.31", otp=code).status_code == 401  # a code works once
    with sessions(proxied.engine)() as s:
        events = [(e.username, e.source, e.outcome) for e in reversed(signin.recent_events(s))]
    assert events == [
        ("wang.office", "192.0.2.30", "wrong"),
        ("wang.office", "192.0.2.30", "success"),
        ("wang.office", "192.0.2.31", "wrong"),
    ]
    # The log keeps no password and no code.
    with proxied.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM login_events") for v in row)
    assert PASSWORD not in dump and code not in dump
    # The office reads it from the command line too, in Beijing time with Chinese outcomes.
    out = subprocess.run(
        [sys.executable, "-m", "sync.server", "account", "audit", "--db", str(proxied.db_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "北京时间" in out and "登录成功" in out and "192.0.2.31" in out


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
    assert "密码至少需要 10 个字符" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["account", "add", "zhang", "--role", "it,office", "--db", db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["account", "add", "zhang", "--role", "it", "--db", db]) == 2
    assert main(["account", "add", "li", "--role", "boss", "--db", db]) == 2
    assert main(["account", "disable", "zhang", "--db", db]) == 0
    capsys.readouterr()
    assert main(["account", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert re.search(r"zhang\s+it,office\s+已停用", out), out
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


def test_the_login_audit_page_for_it_and_the_office(server) -> None:
    c = httpx.Client(base_url=server.url, timeout=10, headers=HTML)
    make_account(server.engine)
    c.post("/admin/login", data={"username": "it-admin", "password": "wrong-password-x", "csrf": _login_form(c)})
    office = login(server.url, server.engine, "wang.office", ("office",))
    page = office.get("/admin/audit")
    assert page.status_code == 200
    assert "北京时间" in page.text and "登录成功" in page.text and "用户名、密码或验证码不正确" in page.text
    assert "wrong" not in page.text and "success" not in page.text  # no codes
    assert "/admin/audit" in office.get("/admin/office").text  # in the bar
    one = office.get("/admin/audit", params={"name": "it-admin"})
    assert "it-admin" in one.text and "wang.office" not in one.text.split("<tbody>")[1]
    anonymous = httpx.get(f"{server.url}/admin/audit", headers=HTML)
    assert anonymous.status_code == 303
