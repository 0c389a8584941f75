"""The write side of the sync protocol: a terminal's outbox entries (applications, ratings, usage
counters, heartbeats), each delivered exactly once under its idempotency key, and the status lookup an
applicant makes at any terminal. Refusals are logged with the terminal id and the reason, never with the
body (it may carry personal data)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.applications.tracking import TRACKING_RE, terminal_code
from sync.protocol import requests
from sync.protocol.wire import IDEMPOTENCY_HEADER, MAX_LOOKUP_BYTES, MAX_SUBMISSION_BYTES, SUBMISSION_KINDS
from sync.server import pii
from sync.server.db import Submission, Terminal, begin_read, meta_get, utcnow
from sync.server.deps import DB, ApiError, Ctx, ServerContext, Term, iso, json_text
from sync.server.office import case_status, lifecycle, public
from sync.server.office.models import Case
from sync.server.openapi import request_body
from sync.server.releases import progress
from sync.server.terminals import dating, enrol, fleet

log = logging.getLogger("sync.server")
router = APIRouter(tags=["terminals"])

_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")
WRONG_ZONE = "zone does not match the terminal's zone"
STATUS_LABELS = {"received": "已受理", "processing": "办理中", "replied": "已答复", "closed": "已办结"}


def _with_key(stored: str, key: str) -> str:
    """A stored answer naming its idempotency key (answers stored before the key was part of them lack it)."""
    answer = json.loads(stored)
    if isinstance(answer, dict) and "idempotency_key" not in answer:
        answer["idempotency_key"] = key
        return json.dumps(answer, ensure_ascii=False)
    return stored


phone_digits = requests.digits


def record_heartbeat(term: Terminal, beat: requests.HeartbeatRequest, now: dt.datetime) -> None:
    """Copy a validated heartbeat's fields onto the terminal's row (the fleet page reads them)."""
    term.last_heartbeat_at = now
    term.app_version = beat.version
    term.mirror_seq = beat.mirror_seq
    term.mirror_synced_at = beat.last_sync_at or None
    term.printer_state = beat.printer_state[:200]
    term.free_disk_mb = beat.free_disk_mb
    term.pending_outbox = beat.pending_outbox
    term.outbox_oldest = beat.outbox_oldest or None
    term.last_error = beat.last_error[:300] if beat.last_error else None
    term.sync_interval_s = beat.sync_interval_s


async def read_capped(request: Request, cap: int, what: str, who: str) -> Any:
    """The request's JSON body, refused (413) past ``cap`` bytes declared or read, 400 if not UTF-8 JSON."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > cap):
        log.warning("refused %s from %s: body of %s bytes over the %d-byte cap", what, who, declared, cap)
        raise ApiError(413, "too_large", f"request body over {cap} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > cap:
            log.warning("refused %s from %s: body over the %d-byte cap", what, who, cap)
            raise ApiError(413, "too_large", f"request body over {cap} bytes")
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        log.warning("refused %s from %s: body is not JSON", what, who)
        raise ApiError(400, "malformed", "body is not UTF-8 JSON") from None


def _check(cond: bool, t: Terminal, kind: str, why: str, *, status: int = 422, code: str = "invalid") -> None:
    if not cond:
        log.warning("refused %s from terminal %s: %s", kind, t.id, why)
        raise ApiError(status, code, why)


# How a body the request models refuse is answered, per kind: a body that is not a JSON object is always
# 400 ``malformed``; a heartbeat's bad field too (it is machine-made, like the lookup's and enrolment's);
# a submission's bad field is 422 ``invalid``.
_REFUSED_STATUS = {"application": 422, "rating": 422, "usage": 422, "heartbeat": 400}


def parse_body[M: BaseModel](model: type[M], payload: Any, kind: str, who: str, *, status: int = 400) -> M:
    """``payload`` validated as ``model`` (:mod:`sync.protocol.requests`), or the refusal: 400 ``malformed``
    for a body that is not a JSON object, else ``status`` (400 ``malformed`` / 422 ``invalid``). The log
    names the field and the rule, never a value."""
    try:
        return requests.parse(model, payload)
    except requests.RequestRefused as exc:
        status = 400 if exc.not_an_object else status
        log.warning("refused %s from %s: %s", kind, who, exc)
        raise ApiError(status, "malformed" if status == 400 else "invalid", str(exc)) from None


def validate(kind: str, payload: Any, t: Terminal, now: dt.datetime | None = None) -> tuple[BaseModel, dict[str, Any]]:
    """Check a submission against its request model and the terminal's zone; returns the model and the
    columns to store beside it."""
    model = requests.SUBMISSION_MODELS[kind]
    body = parse_body(model, payload, kind, f"terminal {t.id}", status=_REFUSED_STATUS[kind])
    extra: dict[str, Any] = {}
    if isinstance(body, requests.ApplicationRequest):
        _check(body.zone_code == t.zone, t, kind, WRONG_ZONE, status=403, code="wrong_zone")
        extra = _application_columns(body, t, now or utcnow())
    else:
        zone = getattr(body, "zone", None)
        if "zone" in body.model_fields_set:
            _check(zone == t.zone, t, kind, WRONG_ZONE, status=403, code="wrong_zone")
    if isinstance(body, requests.HeartbeatRequest):
        extra = {"sync_failure": body.sync_failure}
    return body, extra


def _application_columns(app: requests.ApplicationRequest, t: Terminal, now: dt.datetime) -> dict[str, Any]:
    """The tracking number, phone, receipt date (and its flag) and printed deadline of a validated
    application."""
    submitted = dt.datetime.fromisoformat(str(app.submitted).replace("Z", "+00:00"))
    # Receipt date (Article 31(1)): decided by the server (sync.server.terminals.dating): its own date for
    # an application delivered online, the terminal's within a bound for one queued offline, else flagged.
    # The server counts the deadline itself (sync.server.office.lifecycle); the receipt's date is kept beside it.
    dated = dating.receipt_date(submitted, now, t.last_heartbeat_at or t.enrolled_at)
    printed = dt.date.fromisoformat(app.printed_deadline) if app.printed_deadline else None
    return {
        "tracking_no": app.tracking_number,
        "phone": app.phone_digits,
        "received_on": dated.received_on,
        "received_flag": dated.flag,
        "printed_deadline": printed,
    }


def own_tracking_no(session: Session, t: Terminal, tracking_no: str) -> None:
    """Refuse (403 ``wrong_terminal``) a tracking number that this terminal could not have issued: its
    prefix must be the terminal's zone's and its terminal code the terminal's own
    (:mod:`kiosk.applications.tracking`), so one token cannot file applications under other terminals."""
    m = TRACKING_RE.fullmatch(tracking_no)
    _check(m is not None, t, "application", "tracking_no is not PREFIX+CODE-YYYYMMDD-NNNN")
    assert m is not None
    prefix = str(enrol.zones(session).get(t.zone, {}).get("prefix") or "")
    ok = m["prefix"] == prefix and m["terminal"] == terminal_code(t.id)
    _check(ok, t, "application", "tracking_no is not this terminal's", status=403, code="wrong_terminal")
    session.rollback()


def phone_hash(session: Session, digits: str) -> str:
    """The keyed hash an application's phone is found by (the key lives outside the database)."""
    return pii.ring_of(session).lookup(f"phone:{digits}")


def _phone_matches(session: Session, stored: str, digits: str) -> bool:
    """Whether ``stored`` is the hash of ``digits``: under the keyring's lookup key, or, for an
    application stored before personal data was sealed, under the database's old salt."""
    if hmac.compare_digest(stored, phone_hash(session, digits)):
        return True
    salt = meta_get(session, "phone_salt")
    legacy = hmac.new(salt.encode(), digits.encode(), hashlib.sha256).hexdigest() if salt else ""
    return bool(salt) and hmac.compare_digest(stored, legacy)


def _stored_answer(session: Session, t: Terminal, key: str) -> str | None:
    """The answer already given to this terminal's ``key`` (None: not delivered yet), read without waiting
    for a writer; the session is left outside any transaction."""
    session.rollback()
    begin_read(session)
    try:
        return session.scalar(
            select(Submission.response).where(Submission.terminal_id == t.id, Submission.idem_key == key)
        )
    finally:
        session.rollback()


@router.post(
    "/v1/submissions/{kind}",
    summary="Deliver one outbox entry (application, rating, usage, heartbeat) exactly once",
    openapi_extra=request_body(
        *requests.SUBMISSION_MODELS.values(), headers={IDEMPOTENCY_HEADER: {"type": "string", "maxLength": 80}}
    ),
)
async def post_submission(kind: str, request: Request, t: Term, session: DB, ctx: Ctx) -> Response:
    if kind not in SUBMISSION_KINDS:
        raise ApiError(404, "unknown_kind", f"kind must be one of {', '.join(SUBMISSION_KINDS)}")
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    _check(bool(_KEY.match(key)), t, kind, "missing or malformed Idempotency-Key", status=400, code="malformed")
    # The body is read on the event loop; everything that touches the database runs in the thread pool
    # (SQLite may make it wait for the write lock, which must not stall the loop every other request
    # needs), and no transaction is held across the ``await`` (a terminal sending slowly would hold it).
    stored = await run_in_threadpool(_stored_answer, session, t, key)
    if stored is not None:
        log.info("replayed %s answer to terminal %s (key %s…)", kind, t.id, key[:12])
        return json_text(_with_key(stored, key), headers={"Idempotent-Replayed": "true"})
    payload = await read_capped(request, MAX_SUBMISSION_BYTES, kind, f"terminal {t.id}")
    return await run_in_threadpool(_accept, session, t, ctx, kind, key, payload)


def _accept(  # noqa: PLR0917 - one submission's parts, checked by the route
    session: Session, t: Terminal, ctx: ServerContext, kind: str, key: str, payload: Any
) -> Response:
    """Thread pool: validate and store one submission that was not delivered before; its answer."""
    now = ctx.settings.now()
    body, extra = validate(kind, payload, t, now)
    if kind == "application":
        own_tracking_no(session, t, extra["tracking_no"])
    response: dict[str, Any] = {"status": "accepted", "kind": kind, "idempotency_key": key, "received_at": iso(now)}
    if kind == "heartbeat":
        term = session.get(Terminal, t.id)
        assert term is not None
        assert isinstance(body, requests.HeartbeatRequest)
        record_heartbeat(term, body, now)
        fleet.store_failure(term, body.sync_failure)
        progress.store_update(term, body.update)
        session.commit()
        return json_text(json.dumps(response))
    try:
        text = _store(session, t, kind, key, payload, extra, response, now)
    except IntegrityError:  # a concurrent retry with the same key won the race
        session.rollback()
        stored = _stored_answer(session, t, key)
        if stored is None:
            raise ApiError(409, "conflict", "conflicting submission") from None
        return json_text(_with_key(stored, key), headers={"Idempotent-Replayed": "true"})
    log.info("accepted %s from terminal %s (key %s…)", kind, t.id, key[:12])
    return json_text(text)


def _store(  # noqa: PLR0917 - one submission's parts, checked by the caller
    session: Session,
    t: Terminal,
    kind: str,
    key: str,
    payload: dict[str, Any],
    extra: dict[str, Any],
    response: dict[str, Any],
    now: dt.datetime,
) -> str:
    """Store one accepted submission (and, for an application, open its case); returns the answer's text."""
    if extra.get("tracking_no") is not None:
        clash = session.scalar(select(Submission.id).where(Submission.tracking_no == extra["tracking_no"]))
        _check(clash is None, t, kind, "tracking_no already used by another submission", status=409, code="conflict")
    sub_row = Submission(
        terminal_id=t.id,
        zone=t.zone,
        kind=kind,
        idem_key=key,
        tracking_no=extra.get("tracking_no"),
        phone_hash=phone_hash(session, extra["phone"]) if "phone" in extra else None,
        payload=pii.ring_of(session).seal(payload)
        if kind == "application"
        else json.dumps(payload, ensure_ascii=False),
        response="",
        received_at=now,
    )
    session.add(sub_row)
    session.flush()
    if kind == "application":
        case = lifecycle.intake(
            session,
            tracking_no=extra["tracking_no"],
            zone=t.zone,
            received_on=extra["received_on"],
            printed_deadline=extra["printed_deadline"],
            actor=f"terminal:{t.id}",
        )
        if extra.get("received_flag"):
            case.received_flag = extra["received_flag"]
            log.warning("application from terminal %s: receipt date flagged for the office", t.id)
        raw = str((payload.get("applicant") or {}).get("phone") or extra["phone"])
        case.phone_kind, main = public.phone_parts(raw)  # the tail never comes from an extension
        case.phone_tail_hash = public.tail_hash(session, extra["tracking_no"], main)
        response["tracking_no"] = extra["tracking_no"]
        response["deadline"] = case.due.isoformat() if case.due else None
        sub_row.deadline = response["deadline"]
    text = json.dumps(response, ensure_ascii=False)
    sub_row.response = text
    session.commit()
    return text


@router.post(
    "/v1/applications/lookup",
    summary="Status of an application, for whoever knows its tracking number and phone",
    openapi_extra=request_body(requests.LookupRequest),
)
async def lookup(request: Request, t: Term, session: DB, ctx: Ctx) -> Response:
    body = await read_capped(request, MAX_LOOKUP_BYTES, "lookup", f"terminal {t.id}")
    asked = parse_body(requests.LookupRequest, body, "lookup", f"terminal {t.id}")
    return await run_in_threadpool(_lookup_answer, session, ctx, asked)


def _lookup_answer(session: Session, ctx: ServerContext, asked: requests.LookupRequest) -> Response:
    """Thread pool: the stage of the application ``asked`` names, or 404 for a wrong number or phone."""
    tn, phone = asked.tracking_no, asked.phone
    sub = session.scalar(select(Submission).where(Submission.tracking_no == tn, Submission.kind == "application"))
    ok = sub is not None and sub.phone_hash is not None and _phone_matches(session, sub.phone_hash, phone_digits(phone))
    session.rollback()  # a lookup stores nothing
    if not ok or sub is None:
        raise ApiError(404, "not_found", "未找到该申请，请核对受理编号和手机号")
    if lifecycle.lapse_corrections(session, ctx.settings.today(), sub.tracking_no):  # Art. 30: deemed withdrawn
        session.commit()
    case = session.get(Case, sub.tracking_no)
    answer: dict[str, Any] = {"tracking_no": sub.tracking_no, "received_at": iso(sub.received_at)}
    if case is not None:
        status = case_status.public_status(case, session)
        answer.update(status)
        answer["status"] = case.state
        answer["status_label"] = status["stage_label"]
        answer["received_at"] = case.received_on.isoformat()  # 收到申请之日 (Article 31), not the upload
    else:  # a submission from before the office's cases existed
        answer.update(status=sub.status, status_label=STATUS_LABELS.get(sub.status, "办理中"), deadline=sub.deadline)
    session.rollback()
    return JSONResponse(answer)
