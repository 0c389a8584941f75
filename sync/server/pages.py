"""The server's web pages: one Jinja2 environment (autoescape on) over ``sync/server/templates/`` and one
stylesheet served as a static file (``/static/admin.css``), so no page builds HTML in Python strings.

Every page extends ``base.html``: a viewport, one column under 700 px, tables that scroll sideways, and —
for a logged-in person — a bar with the pages their roles open and a 退出 button (a POST form with the
session's CSRF token). :func:`render` fills in what the layout needs from the request:
``sync.server.admin.auth.require_account`` leaves the account and the token on ``request.state``.

The pages carry a strict Content-Security-Policy (:data:`CSP`): no script at all, styles only from this
server (no inline ``style`` attributes or elements), forms only to this server, no framing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STYLESHEET = "admin.css"

CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"

# The pages a role opens, in the order of the bar: (roles, comma-separated, path, label).
NAV: list[tuple[str, str, str]] = [
    ("it", "/admin/fleet", "终端运行情况"),
    ("office", "/admin/office", "月度评价"),
    ("office", "/admin/office/cases", "依申请公开办理"),
    ("office", "/admin/office/documents", "发布与修订"),
    ("office", "/admin/office/calendar", "节假日安排"),
    ("office", "/admin/office/departments", "承办部门"),
    ("department", "/admin/dept", "本部门承办件"),
    ("it,office", "/admin/audit", "登录记录"),
]


def _stylesheet_url() -> str:
    """The stylesheet's address with a digest of its content, so a changed file is fetched anew."""
    digest = hashlib.sha256((STATIC_DIR / STYLESHEET).read_bytes()).hexdigest()[:10]
    return f"/static/{STYLESHEET}?v={digest}"


BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def beijing(t: dt.datetime | None) -> str:
    """A time the database keeps in UTC (naive) as ``YYYY-MM-DD HH:MM`` Beijing time (templates: ``|beijing``;
    the page says 北京时间 beside it)."""
    if t is None:
        return ""
    aware = t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every value is HTML-escaped (quotes too) unless a template says otherwise
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the page instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["stylesheet"] = _stylesheet_url()
    env.filters["beijing"] = beijing
    return env


templates = Jinja2Templates(env=_environment())


def static_files() -> StaticFiles:
    """The ASGI app serving ``/static/`` (mounted by the app factory)."""
    return StaticFiles(directory=STATIC_DIR)


def page_headers(response: Response) -> Response:
    """The headers every page carries: no caching, the CSP, no framing, no referrer to other sites."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def layout_context(request: Request) -> dict[str, Any]:
    """What ``base.html`` needs: the account (None before login), its CSRF token, its pages for the bar."""
    account = getattr(request.state, "admin_account", None)
    roles = account.roles if account is not None else frozenset()
    return {
        "account": account,
        "csrf": getattr(request.state, "admin_csrf", ""),
        "nav": [(path, label) for role, path, label in NAV if set(role.split(",")) & set(roles)],
        "here": request.url.path,
        "refresh_s": None,
        "public": False,
    }


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """The template ``name`` as a whole page for ``request`` (layout context first, then ``context``)."""
    response = templates.TemplateResponse(request, name, {**layout_context(request), **context}, status_code=status)
    return page_headers(response)
