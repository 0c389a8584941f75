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
the server was started with ``--trust-proxy``. Whether a login succeeds is decided by
:mod:`sync.server.admin.login`: the same answer and work for a wrong name, password or code; failures
throttled per (account, source) with growing waits instead of an account lock anyone could trigger; an
optional TOTP code; every attempt in the login audit.

In a route (``sync.server.deps`` names the usual ones: ``ItAccount``, ``OfficeAccount``)::

    @router.post("/admin/things")
    def change(account: OfficeAccount) -> ...

``require_account(*roles)`` is a FastAPI dependency returning the :class:`Account` (any of ``roles``; no
roles given = any account). Not logged in: a browser ``GET`` (``Accept: text/html``) is sent on with
``303`` to ``/admin/login?next=…``; anything else (JSON, ``/admin/api/…``, ``*.json``, unsafe methods)
gets ``401``. Logged in without the role: ``403``. A browser (``Accept: text/html``) reads these refusals as
a page in Chinese (``admin/routes.py``); an API client gets JSON.

**CSRF is checked inside** ``require_account`` for every unsafe method (POST, PUT, PATCH, DELETE): the
request must carry the session's token in the form field ``csrf`` (a template puts it there with
``{% include "csrf.html" %}``) or in the ``X-CSRF-Token`` header, and an
``Origin`` header, when present, must be this server. A route that changes state therefore needs nothing
but ``require_account``. The login form itself is protected by a double-submit cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk import passwords
from sync.server import pages, throttle
from sync.server.admin import login as signin
from sync.server.db import AdminAccount, AdminSession, sessions, utcnow
from sync.server.errorpages import wants_html
from sync.server.errors import AccountError

log = logging.getLogger("sync.server.admin.auth")

ROLES = ("it", "office", "department")  # department: sees only its department's cases (office/departments.py)
ROLE_LABELS = {"it": "信息化（终端管理）", "office": "政务公开办公室"}
SESSION_COOKIE = "zwgk_admin"
LOGIN_CSRF_COOKIE = "zwgk_login_csrf"
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_MAX = dt.timedelta(hours=12)
MIN_PASSWORD_CHARS = 10
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
    """``scrypt$N$r$p$salt$hash`` of ``password`` with a fresh 16-byte salt (:mod:`kiosk.passwords`)."""
    return passwords.hash_secret(password, passwords.PASSWORD_COST)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    return passwords.verify(password, stored)


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # an unknown name costs the same work as a known one


# --- accounts (the command line's side) --------------------------------------------------------------


def check_username(name: str) -> str:
    """``name`` lower-cased if it is 2–64 of a–z, 0–9, ``.``, ``_``, ``-``; else a :class:`AccountError`."""
    norm = name.strip().lower()
    if not 2 <= len(norm) <= 64 or not set(norm) <= _USERNAME_OK:
        raise AccountError(f"账号名 {name!r} 无效：须为 2–64 个字符，只能用 a–z、0–9 和 . _ -")
    return norm


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符")


def parse_roles(roles: list[str]) -> tuple[str, ...]:
    """Roles from ``--role`` values (repeatable, or comma-separated); each must be one of :data:`ROLES`."""
    out: list[str] = []
    for item in roles:
        for part in item.split(","):
            role = part.strip()
            if role not in ROLES:
                raise AccountError(f"未知角色 {role!r}：只能是 {'、'.join(ROLES)}")
            if role not in out:
                out.append(role)
    if not out:
        raise AccountError(f"请至少给出一个 --role（{'、'.join(ROLES)}）")
    return tuple(out)


def add_account(engine: Engine, username: str, roles: tuple[str, ...], password: str) -> str:
    """Create an account; returns its (normalised) name. Refuses a name that exists."""
    name = check_username(username)
    check_password(password)
    with sessions(engine)() as s, s.begin():
        if s.get(AdminAccount, name) is not None:
            raise AccountError(f"账号 {name!r} 已存在（可用 'account passwd' 或 'account roles' 修改）")
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
        signin.forget_failures(s, row.username)
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
        raise AccountError(f"没有账号 {username!r}（'account list' 可列出全部账号）")
    return row


def _roles(text: str) -> frozenset[str]:
    return frozenset(r for r in text.split(",") if r in ROLES)


# --- the web side ------------------------------------------------------------------------------------


class AuthState:
    """What the login routes and :func:`require_account` share: the session factory and the proxy setting
    (the app factory puts one on ``app.state.admin_auth``)."""

    def __init__(self, engine: Engine, trust_proxy: bool) -> None:
        self.make_session: sessionmaker[Session] = sessions(engine)
        self.trust_proxy = trust_proxy


class NeedLogin(Exception):
    """A browser asked for a page without a session: it is sent to the login page (``admin.routes``)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Refused(Exception):
    """A request refused by :func:`require_account`: ``code`` is ``unauthorized``, ``forbidden`` or ``csrf``;
    ``html_page``: answer with a page (a browser) rather than JSON (``admin.routes`` renders it)."""

    def __init__(self, status: int, code: str, message: str, html_page: bool) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.html_page = status, code, message, html_page


def state(request: Request) -> AuthState:
    st = getattr(request.app.state, "admin_auth", None)
    if not isinstance(st, AuthState):
        raise RuntimeError("app.state.admin_auth is not set (sync.server.app.create_app sets it)")
    return st


def is_tls(request: Request) -> bool:
    """Whether the browser reached us over TLS (through a trusted proxy's ``X-Forwarded-Proto`` if so set)."""
    if state(request).trust_proxy:
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto:
            return proto == "https"
    return request.url.scheme == "https"


def safe_next(value: str | None) -> str:
    """Only a path on this server under /admin (no scheme, no host, no ``//``) may be a redirect target."""
    if not value or not value.startswith("/admin") or value.startswith("//") or "\\" in value:
        return "/admin/"
    parts = urlsplit(value)
    return "/admin/" if parts.scheme or parts.netloc else value


def sid_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def current(request: Request, s: Session) -> tuple[AdminSession, AdminAccount] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 100:
        return None
    row = s.get(AdminSession, sid_hash(cookie))
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


def origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") if state(request).trust_proxy else None
    host = host or request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def _session_account(request: Request) -> tuple[Account, str] | None:
    """The account of the request's session and the session's CSRF token (refreshing its idle time)."""
    with state(request).make_session() as s:
        found = current(request, s)
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
        html_page = wants_html(request)
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
            if html_page and request.method in ("GET", "HEAD"):
                nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                raise NeedLogin(nxt)
            raise Refused(401, "unauthorized", "未登录或登录已过期，请先登录（/admin/login）", html_page)
        account, csrf = found
        request.state.admin_account = account  # a refusal page still shows the person's bar
        request.state.admin_csrf = csrf
        if roles and not account.roles & set(roles):
            raise Refused(403, "forbidden", "您的账号没有打开此页面的权限", html_page)
        if request.method in _UNSAFE and (not token or not hmac.compare_digest(token, csrf) or not origin_ok(request)):
            log.warning("refused %s %s for %s: CSRF check failed", request.method, request.url.path, account.username)
            raise Refused(403, "csrf", "页面已过期，请返回后刷新再提交", html_page)
        return account

    return dependency


def set_cookie(response: Response, request: Request, name: str, value: str, *, path: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=is_tls(request), httponly=True, samesite="strict"
    )


def admin_headers(response: Response) -> Response:
    """The headers every admin page carries (no caching, CSP, no framing): :func:`pages.page_headers`."""
    return pages.page_headers(response)


def any_account(s: Session) -> bool:
    return bool(s.scalar(select(func.count()).select_from(AdminAccount)))


def login(st: AuthState, attempt: signin.Attempt) -> signin.Decision | None:
    """Thread pool: decide a login (:func:`sync.server.admin.signin.decide`) and open its session; the
    decision carries the new session's cookie value in ``message`` on success. None: no accounts yet."""
    with st.make_session() as s:
        if not any_account(s):
            return None
        try:
            name = check_username(attempt.username)
        except AccountError:
            name = ""
        decision = signin.decide(s, attempt, name, verify_password, _DUMMY_HASH)
        row = decision.account
        if row is None:
            s.commit()
            return decision
        sid = secrets.token_urlsafe(32)
        now = utcnow()
        s.add(
            AdminSession(
                id_hash=sid_hash(sid),
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
        return signin.Decision(row, sid, 0.0, decision.new_device_cookie)


def logged_in(request: Request) -> bool:
    """Whether the request carries a live session (the logout route checks CSRF only then)."""
    with state(request).make_session() as s:
        return current(request, s) is not None


def end_session(request: Request) -> None:
    """Delete the request's session (logout), noting it in the login audit."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    st = state(request)
    with st.make_session() as s, s.begin():
        row = s.get(AdminSession, sid_hash(cookie))
        if row is not None:
            signin.audit(s, row.username, throttle.client_address(request, st.trust_proxy), "logout")
        s.execute(delete(AdminSession).where(AdminSession.id_hash == sid_hash(cookie)))


def describe(info: AccountInfo) -> dict[str, Any]:
    """An account as one line of ``account list``."""
    locked = info.locked_until is not None and info.locked_until > utcnow()
    return {
        "username": info.username,
        "roles": ",".join(info.roles),
        "state": "disabled" if info.disabled else ("locked" if locked else "active"),
        "last_login": info.last_login_at.isoformat(timespec="minutes") if info.last_login_at else "never",
    }
