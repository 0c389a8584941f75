"""The admin pages' own routes: the login form and its answer, logout, ``/admin/`` (the first page the
account's roles open), and how :mod:`.auth`'s refusals look (a login redirect; a page or JSON).

The login *logic* (checking a password, lockout, making the session) is :func:`auth.login` and stays in
:mod:`.auth`; this module only turns its answers into pages.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sync.server import pages, throttle
from sync.server.admin import auth
from sync.server.admin import login as signin
from sync.server.errorpages import refusal_page

Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]
log = logging.getLogger("sync.server.admin.auth")
router = APIRouter(include_in_schema=False)

# code -> (page title, what it says, what to do) for a browser refused by auth.require_account
REFUSALS: dict[str, tuple[str, str, str]] = {
    "csrf": (
        "页面已过期",
        "页面已过期，请返回后刷新再提交。",
        "为了安全，表单只在打开它的那次登录内有效；返回上一页、刷新后重新填写提交即可。",
    ),
    "forbidden": (
        "无法打开此页面",
        "您的账号没有打开此页面的权限。",
        "如确需使用，请联系区信息化人员为账号增加相应角色。",
    ),
    "unauthorized": ("需要登录", "未登录或登录已过期，请先登录。", "登录后再从页面上重新操作。"),
}


async def need_login(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, auth.NeedLogin)
    target = f"/admin/login?next={quote(exc.next_path, safe='/')}"
    return pages.page_headers(RedirectResponse(target, status_code=303))


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, auth.Refused)
    if not exc.html_page:
        return pages.page_headers(JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status))
    title, message, detail = REFUSALS[exc.code]
    if exc.code == "unauthorized":
        return refusal_page(request, exc.status, title, message, detail=detail, back="/admin/login", back_label="登录")
    return refusal_page(request, exc.status, title, message, detail=detail)


HANDLERS: dict[int | type[Exception], Handler] = {auth.NeedLogin: need_login, auth.Refused: refused}


def no_account_page(request: Request) -> Response:
    return pages.render(request, "no_account.html", 503)


def login_page(request: Request, next_path: str, error: str = "", username: str = "", status: int = 200) -> Response:
    """The login form (a fresh double-submit token in the form and in a cookie), with ``error`` if any."""
    token = secrets.token_urlsafe(24)
    response = pages.render(
        request, "login.html", status, csrf=token, next_path=next_path, error=error, username=username
    )
    auth.set_cookie(response, request, auth.LOGIN_CSRF_COOKIE, token, path="/admin/login", max_age=3600)
    return response


@router.get("/admin/login")
def login_form(request: Request, next: str | None = None) -> Response:
    with auth.state(request).make_session() as s:
        if not auth.any_account(s):
            return no_account_page(request)
    return login_page(request, auth.safe_next(next))


def _field(form: object, name: str) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return value if isinstance(value, str) else ""


@router.post("/admin/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = _field(form, "username"), _field(form, "password")
    next_path = auth.safe_next(_field(form, "next"))
    cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, _field(form, "csrf")) or not auth.origin_ok(request):
        return login_page(request, next_path, "登录页面已过期，请重新输入", username, status=400)
    st = auth.state(request)
    attempt = signin.Attempt(
        username=username,
        password=password,
        otp=_field(form, "otp"),
        source=throttle.client_address(request, st.trust_proxy),
        device_cookie=request.cookies.get(signin.DEVICE_COOKIE, ""),
    )
    decision = await run_in_threadpool(auth.login, st, attempt)
    if decision is None:
        return no_account_page(request)
    if decision.account is None:
        log.warning("admin login refused (%s)", "throttled" if decision.wait_s else "wrong name, password or code")
        status = 429 if decision.wait_s else 401
        return login_page(request, next_path, decision.message, username, status=status)
    response = RedirectResponse(next_path, status_code=303)
    max_age = int(auth.SESSION_MAX.total_seconds())
    auth.set_cookie(response, request, auth.SESSION_COOKIE, decision.message, path="/admin", max_age=max_age)
    device_age = int(signin.DEVICE_LIFE.total_seconds())
    device = decision.new_device_cookie
    auth.set_cookie(response, request, signin.DEVICE_COOKIE, device, path="/admin/login", max_age=device_age)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/admin/login")
    return pages.page_headers(response)


@router.post("/admin/logout")
async def logout(request: Request) -> Response:
    if await run_in_threadpool(auth.logged_in, request):  # the database, off the event loop
        await auth.require_account()(request)  # CSRF-checked like any other form
        await run_in_threadpool(auth.end_session, request)
    response = RedirectResponse("/admin/login", status_code=303)
    secure = auth.is_tls(request)
    response.delete_cookie(auth.SESSION_COOKIE, path="/admin", secure=secure, httponly=True, samesite="strict")
    return pages.page_headers(response)


@router.get("/admin/")
@router.get("/admin")
async def admin_home(request: Request) -> Response:
    account = await auth.require_account()(request)
    for role, path, _label in pages.NAV:
        if account.has(role):
            return pages.page_headers(RedirectResponse(path, status_code=303))
    return pages.render(
        request,
        "message.html",
        title="管理",
        message="此账户没有可用的页面。",
        detail="请联系区信息化人员为账号设置角色。",
        back="",
        back_label="",
        tone="",
    )
