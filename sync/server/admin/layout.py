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

# The pages a role opens, in the order of the bar: (role, path, label). Office pages add their own here.
NAV: list[tuple[str, str, str]] = [
    ("it", "/admin/fleet", "终端运行情况"),
    ("office", "/admin/office", "月度评价"),
    ("office", "/admin/office/cases", "依申请公开办理"),
    ("office", "/admin/office/documents", "发布与修订"),
    ("office", "/admin/office/calendar", "节假日安排"),
    ("office", "/admin/office/departments", "承办部门"),
    ("department", "/admin/dept", "本部门承办件"),
]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"

_STYLE = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;color:#1a1a1a;
 background:#f5f6f8;font-size:16px;line-height:1.5}
header{background:#a4161a;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
header .brand{font-weight:bold;margin-right:auto}
header a{color:#fff}
header form{display:inline;margin:0}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.2em .8em;
 font:inherit;cursor:pointer}
main{padding:1em;max-width:1400px;margin:0 auto}
h1{font-size:1.4em;margin:.2em 0 .6em}
.scroll{overflow-x:auto;background:#fff;border:1px solid #ccd;border-radius:6px}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e1e3e8;padding:.45em .7em;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#eef0f4;font-weight:600}
tr.bad td,tr.attn td{background:#fdecea}
tr.warn td{background:#fff6e0}
.bad{color:#a4161a;font-weight:bold}.warn{color:#8a5a00}.ok{color:#1b6e20}
.muted{color:#666;font-size:.9em}
.card{background:#fff;border:1px solid #ccd;border-radius:6px;padding:1em 1.2em;max-width:28em;margin:2em auto}
label{display:block;margin:.8em 0 .2em}
input[type=text],input[type=password]{width:100%;font:inherit;padding:.5em;border:1px solid #99a;border-radius:4px}
.btn{background:#a4161a;color:#fff;border:0;border-radius:4px;padding:.6em 1.4em;font:inherit;margin-top:1em;
 cursor:pointer}
.error{background:#fdecea;border:1px solid #a4161a;padding:.6em;border-radius:4px}
code{background:#eef0f4;padding:0 .3em;border-radius:3px;white-space:nowrap}
pre{background:#eef0f4;padding:.6em;border-radius:4px;overflow-x:auto}
@media (max-width:700px){main{padding:.5em}h1{font-size:1.2em}}
"""


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
        f"{refresh}<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"{_bar(request)}<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )
