"""The public status page the receipt's QR code opens (``/status``): no login, the stage of one
application for whoever knows its tracking number and the phone's last four digits (:mod:`.public`)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sync.server.deps import DB, Ctx
from sync.server.office import lifecycle, public
from sync.server.office.models import Case

log = logging.getLogger("sync.server")
router = APIRouter(tags=["public"])


def _limiter(ctx: Ctx) -> public.Limiter:
    limiter: public.Limiter = ctx.extra.setdefault("status_limiter", public.Limiter())
    return limiter


def _kind(session: DB, no: str) -> str | None:
    """The kind of number the application gave (mobile or landline), to say which one to type."""
    case = session.get(Case, no.strip().upper()) if no else None
    return case.phone_kind if case is not None else None


@router.get("/status", response_class=HTMLResponse, summary="Public: an application's progress (form)")
def status_form(session: DB, no: str = "") -> HTMLResponse:
    return HTMLResponse(public.form(no[:40], kind=_kind(session, no[:40])))


@router.post("/status", response_class=HTMLResponse, summary="Public: an application's progress")
async def status_answer(request: Request, session: DB, ctx: Ctx) -> HTMLResponse:
    form = await request.form()
    no = str(form.get("no") or "").strip().upper()[:40]
    tail = str(form.get("tail") or "").strip()[:8]
    client = request.client.host if request.client else "?"
    limiter = _limiter(ctx)
    if limiter.blocked(no, client):
        log.warning("public status: too many failed checks (client %s)", client)
        return HTMLResponse(public.form(no, "尝试次数过多，请15分钟后再试", _kind(session, no)), status_code=429)
    case = public.check(session, public.salt_for(session), no, tail)
    if case is None:
        limiter.fail(no, client)
        error = "未找到该申请，请核对受理编号和电话号码后四位"
        return HTMLResponse(public.form(no, error, _kind(session, no)), status_code=404)
    if lifecycle.lapse_corrections(session, ctx.settings.today(), case.tracking_no):  # Art. 30: deemed withdrawn
        session.commit()
    return HTMLResponse(public.status_page(session, case))
