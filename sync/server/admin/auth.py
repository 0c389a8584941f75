"""Who may open the server's admin pages: per-person accounts, a login form, sessions, CSRF.

Accounts live in the server database (``admin_accounts``): a username, roles (``it`` — district IT, the
fleet and enrolment; ``office`` — the 政务公开 office's console; ``department`` — a department's staff, who
see only the cases assigned to their department; one account may hold several) and an scrypt
hash of the password. They are made and changed only from the server's command line
(``python -m sync.server account add NAME --role it``; the password is read from the terminal or stdin,
never from the arguments). While no account exists the admin pages open to nobody: the login page says
which command creates the first one. The source address is never trusted (a proxy makes every request
look local).

Logging in (``GET``/``POST /admin/login``) creates a server-side session (``admin_sessions``: the sha256
of the cookie value, never the value; ends after 2 h idle or 12 h in all, at logout, or when the
account's password changes or it is disabled). The cookie is ``HttpOnly``, ``SameSite=Strict``, path
``/admin``, and ``Secure`` when the request came over TLS — read from ``X-Forwarded-Proto`` only when
the server was started with ``--trust-proxy``. Five wrong passwords in a row lock the account for 15
minutes (a locked account is refused even with the right password); an unknown name costs the same scrypt
work as a known one, and both get the same answer.

In a route::

    from sync.server.admin.auth import require_account, csrf_input

    @app.post("/admin/things")
    def change(account: Annotated[Account, Depends(require_account("office"))]) -> ...

``require_account(*roles)`` is a FastAPI dependency returning the :class:`Account` (any of ``roles``; no
roles given = any account). Not logged in: a browser ``GET`` (``Accept: text/html``) is sent on with
``303`` to ``/admin/login?next=…``; anything else (JSON, ``/admin/api/…``, ``*.json``, unsafe methods)
gets ``401`` with a JSON body. Logged in without the role: ``403``.

**CSRF is checked inside** ``require_account`` for every unsafe method (POST, PUT, PATCH, DELETE): the
request must carry the session's token in the form field ``csrf`` (put it there with
``csrf_input(request)``, which returns the hidden ``<input>``) or in the ``X-CSRF-Token`` header, and an
``Origin`` header, when present, must be this server. A route that changes state therefore needs nothing
but ``require_account``. The login form itself is protected by a double-submit cookie.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from sync.server.admin import layout
from sync.server.db import AdminAccount, AdminSession, sessions, utcnow
from sync.server.errors import AccountError

log = logging.getLogger("sync.server.admin.auth")

ROLES = ("it", "office", "department")  # department: sees only its department's cases (office/departments.py)
ROLE_LABELS = {"it": "信息化（终端管理）", "office": "政务公开办公室"}
SESSION_COOKIE = "zwgk_admin"
LOGIN_CSRF_COOKIE = "zwgk_login_csrf"
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_MAX = dt.timedelta(hours=12)
MIN_PASSWORD_CHARS = 10
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1  # 32 MiB and about a tenth of a second per check
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_USERNAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class Account:
    """A logged-in person: their username and roles (a subset of :data:`ROLES`)."""

    username: str
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class AccountInfo:
    """One account as ``account list`` shows it."""

    username: str
    roles: tuple[str, ...]
    disabled: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


# --- passwords ---------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` of ``password`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got, want)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * n * r * 2, dklen=32)


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # an unknown name costs the same work as a known one


# --- accounts (the command line's side) --------------------------------------------------------------


def check_username(name: str) -> str:
    """``name`` lower-cased if it is 2–64 of a–z, 0–9, ``.``, ``_``, ``-``; else a :class:`AccountError`."""
    norm = name.strip().lower()
    if not 2 <= len(norm) <= 64 or not set(norm) <= _USERNAME_OK:
        raise AccountError(f"account name {name!r}: use 2–64 of a–z, 0–9, '.', '_', '-'")
    return norm


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")


def parse_roles(roles: list[str]) -> tuple[str, ...]:
    """Roles from ``--role`` values (repeatable, or comma-separated); each must be one of :data:`ROLES`."""
    out: list[str] = []
    for item in roles:
        for part in item.split(","):
            role = part.strip()
            if role not in ROLES:
                raise AccountError(f"unknown role {role!r}: use {' or '.join(ROLES)}")
            if role not in out:
                out.append(role)
    if not out:
        raise AccountError(f"give at least one --role ({' or '.join(ROLES)})")
    return tuple(out)


def add_account(engine: Engine, username: str, roles: tuple[str, ...], password: str) -> str:
    """Create an account; returns its (normalised) name. Refuses a name that exists."""
    name = check_username(username)
    check_password(password)
    with sessions(engine)() as s, s.begin():
        if s.get(AdminAccount, name) is not None:
            raise AccountError(f"account {name!r} already exists (change it with 'account passwd' or 'account roles')")
        s.add(AdminAccount(username=name, roles=",".join(roles), pw_hash=hash_password(password)))
    return name


def set_password(engine: Engine, username: str, password: str) -> None:
    """A new password; also lifts a lockout and ends the account's sessions."""
    check_password(password)
    with sessions(engine)() as s, s.begin():
        row = _existing(s, username)
        row.pw_hash = hash_password(password)
        row.failed_logins = 0
        row.locked_until = None
        s.execute(delete(AdminSession).where(AdminSession.username == row.username))


def set_roles(engine: Engine, username: str, roles: tuple[str, ...]) -> None:
    with sessions(engine)() as s, s.begin():
        _existing(s, username).roles = ",".join(roles)


def set_disabled(engine: Engine, username: str, disabled: bool) -> None:
    """Disable (ending its sessions at once) or enable an account."""
    with sessions(engine)() as s, s.begin():
        row = _existing(s, username)
        row.disabled = disabled
        if disabled:
            s.execute(delete(AdminSession).where(AdminSession.username == row.username))
        else:
            row.failed_logins = 0
            row.locked_until = None


def list_accounts(engine: Engine) -> list[AccountInfo]:
    with sessions(engine)() as s:
        return [
            AccountInfo(
                r.username,
                tuple(x for x in ROLES if x in _roles(r.roles)),
                bool(r.disabled),
                r.locked_until,
                r.last_login_at,
            )
            for r in s.scalars(select(AdminAccount).order_by(AdminAccount.username))
        ]


def _existing(s: Session, username: str) -> AdminAccount:
    row = s.get(AdminAccount, check_username(username))
    if row is None:
        raise AccountError(f"no account {username!r} ('account list' shows them)")
    return row


def _roles(text: str) -> frozenset[str]:
    return frozenset(r for r in text.split(",") if r in ROLES)


# --- the web side ------------------------------------------------------------------------------------


class _AuthState:
    """What the routes and the dependency share: the session factory and the proxy setting."""

    def __init__(self, engine: Engine, trust_proxy: bool) -> None:
        self.make_session: sessionmaker[Session] = sessions(engine)
        self.trust_proxy = trust_proxy


class _NeedLogin(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, html_page: bool) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.html_page = status, code, message, html_page


def _state(request: Request) -> _AuthState:
    st = getattr(request.app.state, "admin_auth", None)
    if not isinstance(st, _AuthState):
        raise RuntimeError("sync.server.admin.auth.install(app, engine) was not called")
    return st


def is_tls(request: Request) -> bool:
    """Whether the browser reached us over TLS (through a trusted proxy's ``X-Forwarded-Proto`` if so set)."""
    if _state(request).trust_proxy:
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto:
            return proto == "https"
    return request.url.scheme == "https"


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/admin/api/") or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _safe_next(value: str | None) -> str:
    """Only a path on this server under /admin (no scheme, no host, no ``//``) may be a redirect target."""
    if not value or not value.startswith("/admin") or value.startswith("//") or "\\" in value:
        return "/admin/"
    parts = urlsplit(value)
    return "/admin/" if parts.scheme or parts.netloc else value


def _sid_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def _current(request: Request, s: Session) -> tuple[AdminSession, AdminAccount] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 100:
        return None
    row = s.get(AdminSession, _sid_hash(cookie))
    if row is None:
        return None
    now = utcnow()
    if row.expires_at <= now or now - row.last_seen_at > SESSION_IDLE:
        s.delete(row)
        s.commit()
        return None
    acct = s.get(AdminAccount, row.username)
    if acct is None or acct.disabled:
        return None
    return row, acct


def _origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") if _state(request).trust_proxy else None
    host = host or request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def _session_account(request: Request) -> tuple[Account, str] | None:
    """The account of the request's session and the session's CSRF token (refreshing its idle time)."""
    with _state(request).make_session() as s:
        found = _current(request, s)
        if found is None:
            return None
        sess, acct = found
        result = Account(acct.username, _roles(acct.roles)), sess.csrf
        now = utcnow()
        if now - sess.last_seen_at > dt.timedelta(seconds=60):
            sess.last_seen_at = now
            s.commit()
        return result


def require_account(*roles: str) -> Callable[[Request], Awaitable[Account]]:
    """A dependency: the logged-in :class:`Account` holding any of ``roles`` (none given: any account).

    Checks the CSRF token (and ``Origin``) on unsafe methods; see the module docstring.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def dependency(request: Request) -> Account:
        html_page = _wants_html(request) and request.method in ("GET", "HEAD")
        token: str | None = None
        if request.method in _UNSAFE:
            token = request.headers.get("x-csrf-token")
            if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                value = (await request.form()).get("csrf")  # read before the database is touched
                token = value if isinstance(value, str) else None
        # The database work runs in the thread pool: SQLite may make it wait for a lock, which must not
        # stall the event loop every other request needs.
        found = await run_in_threadpool(_session_account, request)
        if found is None:
            if html_page:
                nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                raise _NeedLogin(nxt)
            raise _Refused(401, "unauthorized", "login required (/admin/login)", html_page=False)
        account, csrf = found
        if roles and not account.roles & set(roles):
            raise _Refused(403, "forbidden", "this page is not for your role", html_page)
        if request.method in _UNSAFE and (not token or not hmac.compare_digest(token, csrf) or not _origin_ok(request)):
            log.warning("refused %s %s for %s: CSRF check failed", request.method, request.url.path, account.username)
            why = "the form was stale or not from this site; reload and try again"
            raise _Refused(403, "csrf", why, html_page)
        request.state.admin_account = account
        request.state.admin_csrf = csrf
        return account

    return dependency


def csrf_input(request: Request) -> str:
    """The hidden ``<input name="csrf">`` for a form on a page behind :func:`require_account`."""
    token = getattr(request.state, "admin_csrf", None)
    if token is None:
        raise RuntimeError("csrf_input() on a request that did not pass require_account")
    return f"<input type='hidden' name='csrf' value='{layout.esc(token)}'>"


def _set_cookie(response: Response, request: Request, name: str, value: str, *, path: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=is_tls(request), httponly=True, samesite="strict"
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = layout.CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _no_account_page() -> Response:
    body = (
        "<div class='card'><p class='bad'>尚未创建管理账户，管理页面暂不开放。</p>"
        "<p>请在服务器上运行：</p><pre>python -m sync.server account add 用户名 --role it --db 数据库</pre>"
        "<p class='muted'>密码在提示时输入（不会出现在命令行里）。政务公开办公室的账户用 <code>--role office</code>；"
        "一个账户可同时拥有两种角色（<code>--role it,office</code>）。</p></div>"
    )
    return _no_store(HTMLResponse(layout.page("管理登录", body), status_code=503))


def _login_page(request: Request, next_path: str, error: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    err = f"<p class='error' role='alert'>{layout.esc(error)}</p>" if error else ""
    body = (
        f"<div class='card'>{err}<form method='post' action='/admin/login'>"
        f"<input type='hidden' name='csrf' value='{token}'>"
        f"<input type='hidden' name='next' value='{layout.esc(next_path)}'>"
        "<label for='username'>用户名</label>"
        f"<input type='text' id='username' name='username' autocomplete='username' autocapitalize='none' "
        f"value='{layout.esc(username)}' required autofocus>"
        "<label for='password'>密码</label>"
        "<input type='password' id='password' name='password' autocomplete='current-password' required>"
        "<button class='btn' type='submit'>登录</button></form></div>"
    )
    response = HTMLResponse(layout.page("管理登录", body), status_code=status)
    _set_cookie(response, request, LOGIN_CSRF_COOKIE, token, path="/admin/login", max_age=3600)
    return _no_store(response)


def _attempt(s: Session, username: str, password: str) -> tuple[AdminAccount | None, str]:
    """Check a login; returns (account, "") or (None, why) and books the failure."""
    try:
        name = check_username(username)
    except AccountError:
        name = ""
    row = s.get(AdminAccount, name) if name else None
    now = utcnow()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None, "用户名或密码不正确"
    if row.locked_until is not None and row.locked_until > now:
        verify_password(password, _DUMMY_HASH)
        return None, "连续输错次数过多，账户已暂时锁定，请 15 分钟后再试或请信息化人员重设密码"
    if row.disabled or not verify_password(password, row.pw_hash):
        row.failed_logins = (row.failed_logins or 0) + 1
        if row.failed_logins >= MAX_FAILURES:
            row.locked_until = now + LOCKOUT
            row.failed_logins = 0
            log.warning("admin account %s locked for %s after %d failed logins", row.username, LOCKOUT, MAX_FAILURES)
        return None, "用户名或密码不正确"
    row.failed_logins = 0
    row.locked_until = None
    row.last_login_at = now
    return row, ""


def _login(st: _AuthState, username: str, password: str) -> tuple[str, str] | None:
    """Thread pool: check a login (scrypt, lockout); (session cookie value, "") or ("", why); None: no accounts."""
    with st.make_session() as s:
        if not s.scalar(select(func.count()).select_from(AdminAccount)):
            return None
        row, why = _attempt(s, username, password)
        if row is None:
            s.commit()
            return "", why
        sid = secrets.token_urlsafe(32)
        now = utcnow()
        s.add(
            AdminSession(
                id_hash=_sid_hash(sid),
                username=row.username,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_MAX,
            )
        )
        s.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
        s.commit()
        log.info("admin %s logged in", row.username)
        return sid, ""


def install(app: FastAPI, engine: Engine, *, trust_proxy: bool = False) -> None:
    """Add the login/logout routes and the handlers :func:`require_account` relies on to ``app``."""
    app.state.admin_auth = _AuthState(engine, trust_proxy)

    @app.exception_handler(_NeedLogin)
    async def _need_login(_request: Request, exc: _NeedLogin) -> Response:
        return _no_store(RedirectResponse(f"/admin/login?next={quote(exc.next_path, safe='/')}", status_code=303))

    @app.exception_handler(_Refused)
    async def _refused(_request: Request, exc: _Refused) -> Response:
        if exc.html_page:
            msg = layout.esc(exc.message)
            body = f"<div class='card'><p class='bad'>{msg}</p><p><a href='/admin/'>返回</a></p></div>"
            return _no_store(HTMLResponse(layout.page("无法访问", body), status_code=exc.status))
        return _no_store(JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status))

    def any_account(s: Session) -> bool:
        return bool(s.scalar(select(func.count()).select_from(AdminAccount)))

    @app.get("/admin/login", include_in_schema=False)
    def login_form(request: Request, next: str | None = None) -> Response:
        with app.state.admin_auth.make_session() as s:
            if not any_account(s):
                return _no_account_page()
        return _login_page(request, _safe_next(next))

    @app.post("/admin/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()

        def field(name: str) -> str:
            v = form.get(name)
            return v if isinstance(v, str) else ""

        username, password, next_path = field("username"), field("password"), _safe_next(field("next"))
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, field("csrf")) or not _origin_ok(request):
            return _login_page(request, next_path, "登录页面已过期，请重新输入", username, status=400)
        outcome = await run_in_threadpool(_login, _state(request), username, password)
        if outcome is None:
            return _no_account_page()
        sid, why = outcome
        if not sid:
            log.warning("admin login refused (%s)", "locked" if "锁定" in why else "wrong name or password")
            return _login_page(request, next_path, why, username, status=401)
        response = RedirectResponse(next_path, status_code=303)
        _set_cookie(response, request, SESSION_COOKIE, sid, path="/admin", max_age=int(SESSION_MAX.total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
        return _no_store(response)

    @app.post("/admin/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        with _state(request).make_session() as s:
            logged_in = _current(request, s) is not None
        if logged_in:
            await require_account()(request)  # CSRF-checked like any other form
            with _state(request).make_session() as s, s.begin():
                s.execute(delete(AdminSession).where(AdminSession.id_hash == _sid_hash(cookie)))
        response = RedirectResponse("/admin/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/admin", secure=is_tls(request), httponly=True, samesite="strict")
        return _no_store(response)

    @app.get("/admin/", include_in_schema=False)
    @app.get("/admin", include_in_schema=False)
    async def admin_home(request: Request) -> Response:
        account = await require_account()(request)
        for role, path, _label in layout.NAV:
            if account.has(role):
                return _no_store(RedirectResponse(path, status_code=303))
        return _no_store(HTMLResponse(layout.page("管理", "<p>此账户没有可用的页面。</p>", request)))


def admin_headers(response: Response) -> Response:
    """The headers every admin page carries (no caching, CSP, no framing)."""
    return _no_store(response)


def describe(info: AccountInfo) -> dict[str, Any]:
    """An account as one line of ``account list``."""
    locked = info.locked_until is not None and info.locked_until > utcnow()
    return {
        "username": info.username,
        "roles": ",".join(info.roles),
        "state": "disabled" if info.disabled else ("locked" if locked else "active"),
        "last_login": info.last_login_at.isoformat(timespec="minutes") if info.last_login_at else "never",
    }
