"""Enrolment (a terminal redeems its one-time code for its token and configuration) and IT's fleet page."""

from __future__ import annotations

import json
import logging
import secrets

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sync.protocol.signing import load_verifier
from sync.server import pages, throttle
from sync.server.admin import auth
from sync.server.db import head_seq
from sync.server.deps import DB, ApiError, Ctx, ItAccount, token_hash
from sync.server.terminals import enrol, fleet

log = logging.getLogger("sync.server")
router = APIRouter(tags=["terminals"])

ENROL_FAILURE_WINDOW_S = 600
MAX_ENROL_BYTES = 1024


@router.post(
    "/v1/enrol",
    summary="A terminal redeems its one-time enrolment code for its token and configuration",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}
                }
            },
        }
    },
)
async def enrol_terminal(request: Request, session: DB, ctx: Ctx) -> Response:
    source = throttle.client_address(request, ctx.settings.trust_proxy)
    key = f"enrol\x1f{source}"
    if throttle.wait_s(session, key, throttle.ENROL) > 0:
        session.rollback()
        log.warning("refused an enrolment from %s: too many bad codes in the last %d s", source, ENROL_FAILURE_WINDOW_S)
        raise ApiError(429, "too_many_attempts", "too many wrong enrolment codes; wait a few minutes")
    session.rollback()  # nothing held while the body is read
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_ENROL_BYTES:
            raise ApiError(413, "too_large", f"request body over {MAX_ENROL_BYTES} bytes")
    try:
        body = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "malformed", "body is not UTF-8 JSON") from None
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or len(code) > 40:
        raise ApiError(400, "malformed", "code is required")
    token = secrets.token_urlsafe(32)
    term = enrol.redeem(session, code, token_hash(token))
    if term is None:
        session.rollback()
        throttle.fail(session, key, throttle.ENROL)
        session.commit()
        log.warning("refused an enrolment: unknown, used or expired code")
        raise ApiError(404, "bad_code", "enrolment code unknown, already used or expired")
    zone_obj = enrol.zones(session).get(term.zone, {})
    printers = enrol.template_for(session, term.zone)
    session.rollback()
    log.info("terminal %s enrolled", term.id)
    public_pem = ctx.signer.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    pinned_id = ctx.signer.key_id
    root = ctx.settings.key_dir / "root.pub" if ctx.settings.key_dir is not None else None
    if root is not None and root.is_file():  # the terminal pins the offline root, not the online key
        public_pem = root.read_text(encoding="ascii")
        pinned_id = load_verifier(root).key_id
    return JSONResponse(
        {
            "terminal_id": term.id,
            "name": term.name or term.id,
            "zone": term.zone,
            "zone_name": zone_obj.get("name", term.zone),
            "tracking_code": term.id[-2:],
            "token": token,
            "key_id": pinned_id,
            "public_key_pem": public_pem,
            "sync_interval_s": ctx.settings.sync_interval_s,
            "printers": printers,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/admin/fleet", response_class=HTMLResponse, summary="IT: the fleet of terminals")
def fleet_page(request: Request, session: DB, ctx: Ctx, _a: ItAccount) -> Response:
    context = fleet.page_context(session, head_seq(session), missed=ctx.settings.offline_after_missed)
    return pages.render(request, "fleet.html", **context)


@router.get("/admin/api/fleet", summary="IT: the fleet of terminals as JSON (same data as /admin/fleet)")
def fleet_api(session: DB, ctx: Ctx, _a: ItAccount) -> Response:
    return auth.admin_headers(
        JSONResponse(fleet.fleet_json(session, head_seq(session), missed=ctx.settings.offline_after_missed))
    )
