"""The public status page the receipt's QR code opens (``/status``): no login, the stage of one
application for whoever knows its tracking number and the phone's last four digits (:mod:`.public`)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sync.server import pages, throttle
from sync.server.db import begin_read
from sync.server.deps import DB, Ctx, Form
from sync.server.office import lifecycle, public
from sync.server.office.models import Case

log = logging.getLogger("sync.server")
router = APIRouter(tags=["public"])


def _form(request: Request, session: DB, no: str = "", error: str = "", status: int = 200) -> Response:
    label = public.tail_label(_kind(session, no))
    return pages.render(request, "status_form.html", status, no=no, error=error, tail_label=label)


def _kind(session: DB, no: str) -> str | None:
    """The kind of number the application gave (mobile or landline), to say which one to type."""
    case = session.get(Case, no.strip().upper()) if no else None
    return case.phone_kind if case is not None else None


@router.get("/status", response_class=HTMLResponse, summary="Public: an application's progress (form)")
def status_form(request: Request, session: DB, no: str = "") -> Response:
    begin_read(session)  # a read: no wait for a writer
    return _form(request, session, no[:40])


@router.post("/status", response_class=HTMLResponse, summary="Public: an application's progress")
def status_answer(request: Request, session: DB, ctx: Ctx, form: Form) -> Response:
    no = str(form.get("no") or "").strip().upper()[:40]
    tail = str(form.get("tail") or "").strip()[:8]
    source = throttle.client_address(request, ctx.settings.trust_proxy)
    keys = ((f"status-no\x1f{no}", throttle.STATUS_NUMBER), (f"status-src\x1f{source}", throttle.STATUS_SOURCE))
    if any(throttle.wait_s(session, key, policy) > 0 for key, policy in keys):
        session.rollback()
        log.warning("public status: too many failed checks (source %s)", source)
        return _form(request, session, no, "尝试次数过多，请15分钟后再试", 429)
    case = public.check(session, no, tail)
    if case is None:
        for key, policy in keys:
            throttle.fail(session, key, policy)
        session.commit()
        return _form(request, session, no, "未找到该申请，请核对受理编号和电话号码后四位", 404)
    if lifecycle.lapse_corrections(session, ctx.settings.today(), case.tracking_no):  # Art. 30: deemed withdrawn
        session.commit()
    return pages.render(request, "status.html", **public.status_context(session, case))
