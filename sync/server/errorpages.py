"""What a refusal or a failure looks like: a page in Chinese for a person's browser (``Accept: text/html``)
and JSON for everything else — the terminals (``/v1/…``), IT's scripts (``/admin/api/…``, ``*.json``).

Covered here: a page that does not exist (404), a method the address does not take (405), a request
whose fields do not validate (422), and anything unexpected (500). The login and role refusals
(``sync.server.admin.auth``) use :func:`refusal_page` as well, so a stale form reads
「页面已过期，请返回后刷新再提交」 and a wrong role 「您的账号没有打开此页面的权限」, never raw JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sync.server import pages

Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]
log = logging.getLogger("sync.server")

# status -> (title, what the person reads, what they can do)
HTTP_TEXTS: dict[int, tuple[str, str, str]] = {
    400: ("请求有误", "提交的内容无法处理。", "请返回上一页，核对后再试。"),
    404: ("找不到这个页面", "您打开的地址不存在，可能已被移走或输入有误。", "请从页面上方的链接进入。"),
    405: ("无法这样打开此页面", "这个地址不能用这种方式打开。", "请从页面上的链接或按钮进入。"),
    413: ("提交的内容太大", "提交的文件或内容超过了允许的大小。", "请换一个较小的文件再试。"),
    422: ("填写的内容不符合要求", "有的内容没有填写或格式不对。", "请返回上一页，核对后再提交。"),
    429: ("操作过于频繁", "短时间内的尝试次数过多。", "请稍等几分钟再试。"),
    500: (
        "服务器出错了",
        "处理这个请求时服务器出了错，您的操作可能没有完成。",
        "请稍后再试；如一再出现，请联系区信息化人员。",
    ),
}


def wants_html(request: Request) -> bool:
    """Whether the answer should be a page: a browser asking for HTML, outside the JSON interfaces."""
    path = request.url.path
    if path.startswith(("/v1/", "/admin/api/")) or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def back_path(request: Request) -> str:
    """Where a page's 返回 link goes: the page the browser came from when it is on this server, else home."""
    home = "/status" if request.url.path.startswith("/status") else "/admin/"
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.headers.get("host", "") or not parts.path.startswith("/"):
        return home
    if parts.path.startswith("//") or "\\" in parts.path:
        return home
    return parts.path + (f"?{parts.query}" if parts.query else "")


def refusal_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    detail: str = "",
    back: str | None = None,
    back_label: str = "返回",
) -> Response:
    """A small page that says why something was refused or failed, with a link back."""
    return pages.render(
        request,
        "message.html",
        status,
        title=title,
        message=message,
        detail=detail,
        back=back if back is not None else back_path(request),
        back_label=back_label,
        tone="bad",
        public=not request.url.path.startswith("/admin"),
    )


def _status_page(request: Request, status: int) -> Response:
    fallback = (f"无法完成（{status}）", "这个请求没有完成。", "请返回上一页再试。")
    title, message, detail = HTTP_TEXTS.get(status, fallback)
    return refusal_page(request, status, title, message, detail=detail)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not wants_html(request):
        return await http_exception_handler(request, exc)
    response = _status_page(request, exc.status_code)
    for key, value in (exc.headers or {}).items():
        response.headers.setdefault(key, value)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not wants_html(request):
        return await request_validation_exception_handler(request, exc)
    return _status_page(request, 422)


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected (the traceback goes to the server's log by uvicorn, not to the page)."""
    if wants_html(request):
        return _status_page(request, 500)
    return JSONResponse({"error": "internal", "message": "服务器内部错误"}, status_code=500)


HANDLERS: dict[int | type[Exception], Handler] = {
    StarletteHTTPException: http_error,
    RequestValidationError: validation_error,
    Exception: server_error,
}
