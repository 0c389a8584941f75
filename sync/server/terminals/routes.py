"""Enrolment (a terminal redeems its one-time code for its token and configuration) and IT's fleet page."""

from __future__ import annotations

import json
import logging
import secrets

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from sync.protocol import requests
from sync.protocol.signing import load_verifier
from sync.server import pages, throttle
from sync.server.admin import auth
from sync.server.db import head_seq, utcnow
from sync.server.deps import DB, ApiError, Ctx, ItAccount, ServerContext, token_hash
from sync.server.openapi import request_body
from sync.server.terminals import enrol, fleet
from sync.server.terminals.key_state import key_state

log = logging.getLogger("sync.server")
router = APIRouter(tags=["terminals"])

ENROL_FAILURE_WINDOW_S = 600
MAX_ENROL_BYTES = 1024


def pinned_key(ctx: Ctx) -> tuple[str, str]:
    """(key id, PEM) of the key a terminal pins: the offline root when the key folder has one
    (:mod:`sync.server.keys_cli`), else the online signing key."""
    root = ctx.settings.key_dir / "root.pub" if ctx.settings.key_dir is not None else None
    if root is not None and root.is_file():
        return load_verifier(root).key_id, root.read_text(encoding="ascii")
    pem = ctx.signer.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    return ctx.signer.key_id, pem


@router.get(
    "/v1/enrol/key",
    summary="The district's public key and its id, for a terminal to check against the fingerprint IT read "
    "out before it redeems (spends) its enrolment code",
)
def enrol_key(ctx: Ctx) -> Response:
    key_id, pem = pinned_key(ctx)
    return JSONResponse({"key_id": key_id, "public_key_pem": pem})


@router.post(
    "/v1/enrol",
    summary="A terminal redeems its one-time enrolment code for its token and configuration",
    openapi_extra=request_body(requests.EnrolRequest),
)
async def enrol_terminal(request: Request, session: DB, ctx: Ctx) -> Response:
    source = throttle.client_address(request, ctx.settings.trust_proxy)
    key = f"enrol\x1f{source}"
    # The database work runs in the thread pool (SQLite may make it wait for the write lock, which must not
    # stall the event loop); nothing is held while the body is read.
    await run_in_threadpool(_not_throttled, session, key, source)
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_ENROL_BYTES:
            raise ApiError(413, "too_large", f"request body over {MAX_ENROL_BYTES} bytes")
    try:
        body = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "malformed", "body is not UTF-8 JSON") from None
    try:
        code = requests.parse(requests.EnrolRequest, body).code
    except requests.RequestRefused as exc:
        log.warning("refused an enrolment from %s: %s", source, exc)
        raise ApiError(400, "malformed", str(exc)) from None
    return await run_in_threadpool(_redeem, session, ctx, key, code)


def _not_throttled(session: Session, key: str, source: str) -> None:
    """Thread pool: refuse (429) a source that gave too many wrong codes lately."""
    if throttle.wait_s(session, key, throttle.ENROL) > 0:
        session.rollback()
        log.warning("refused an enrolment from %s: too many bad codes in the last %d s", source, ENROL_FAILURE_WINDOW_S)
        raise ApiError(429, "too_many_attempts", "too many wrong enrolment codes; wait a few minutes")
    session.rollback()


def _redeem(session: Session, ctx: ServerContext, key: str, code: str) -> Response:
    """Thread pool: spend the enrolment code (a wrong one counts against the source); the configuration."""
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
    pinned_id, public_pem = pinned_key(ctx)
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
    keys = key_state(ctx.settings.key_dir, ctx.signer, utcnow())
    return pages.render(request, "fleet.html", keys=keys, **context)


@router.get("/admin/api/fleet", summary="IT: the fleet of terminals as JSON (same data as /admin/fleet)")
def fleet_api(session: DB, ctx: Ctx, _a: ItAccount) -> Response:
    return auth.admin_headers(
        JSONResponse(fleet.fleet_json(session, head_seq(session), missed=ctx.settings.offline_after_missed))
    )
