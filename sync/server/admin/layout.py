"""The one HTML page layout of the server's admin pages (IT's fleet, the office's console, the login).

Plain server-rendered HTML in Chinese, readable on a phone (a viewport, one column under 700 px, tables
that scroll sideways instead of squeezing). No script, no external resource: the pages work behind a
proxy with a strict Content-Security-Policy. Every value shown goes through :func:`esc`.

A page shown to a logged-in person carries a bar with the pages their roles open and a 退出 button
(a POST form with the session's CSRF token): ``sync.server.admin.auth.require_account`` leaves the account
and the token on ``request.state``, and :func:`page` reads them from there.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.requests import Request

from sync.server.pages import NAV, templates  # until every page is a template


def esc(value: Any) -> str:
    """``value`` as HTML text (quotes escaped too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def table(head: Sequence[str], rows: Iterable[Sequence[Any]], row_classes: Sequence[str] | None = None) -> str:
    """A scrollable table; cells are escaped unless they are :class:`Raw`."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    out = []
    for i, r in enumerate(rows):
        cls = row_classes[i] if row_classes is not None and i < len(row_classes) else ""
        cells = "".join(f"<td>{c.html if isinstance(c, Raw) else esc(c)}</td>" for c in r)
        out.append(f"<tr class='{esc(cls)}'>{cells}</tr>" if cls else f"<tr>{cells}</tr>")
    return f"<div class='scroll'><table><thead><tr>{th}</tr></thead><tbody>{''.join(out)}</tbody></table></div>"


class Raw:
    """HTML built by the caller from escaped parts, put into a table cell as it is."""

    def __init__(self, html_text: str) -> None:
        self.html = html_text


def _bar(request: Request | None) -> str:
    account = getattr(request.state, "admin_account", None) if request is not None else None
    if account is None or request is None:
        return "<header><span class='brand'>政务公开专区 · 管理</span></header>"
    links = " ".join(f"<a href='{esc(path)}'>{esc(label)}</a>" for role, path, label in NAV if role in account.roles)
    csrf = esc(getattr(request.state, "admin_csrf", ""))
    logout = (
        "<form method='post' action='/admin/logout'>"
        f"<input type='hidden' name='csrf' value='{csrf}'><button type='submit'>退出</button></form>"
    )
    return (
        f"<header><span class='brand'>政务公开专区 · 管理</span>{links}"
        f"<span>{esc(account.username)}</span>{logout}</header>"
    )


def page(title: str, body: str, request: Request | None = None, *, refresh_s: int | None = None) -> str:
    """A whole admin page: ``body`` is HTML the caller built with :func:`esc`/:func:`table`."""
    refresh = f"<meta http-equiv='refresh' content='{int(refresh_s)}'>" if refresh_s else ""
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"{refresh}<title>{esc(title)}</title>"
        f"<link rel='stylesheet' href='{templates.env.globals['stylesheet']}'></head><body>"
        f"{_bar(request)}<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )


def csrf_input(request: Request) -> str:
    """The hidden ``<input name="csrf">`` for a form on a page behind ``require_account``."""
    return f"<input type='hidden' name='csrf' value='{esc(getattr(request.state, 'admin_csrf', ''))}'>"
