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
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.protocol.wire import IDEMPOTENCY_HEADER, MAX_LOOKUP_BYTES, MAX_SUBMISSION_BYTES, SUBMISSION_KINDS
from sync.server import pii
from sync.server.db import Submission, Terminal, meta_get, utcnow
from sync.server.deps import DB, ApiError, Ctx, Term, iso, json_text
from sync.server.office import lifecycle, public
from sync.server.office.models import Case
from sync.server.terminals import dating, fleet

log = logging.getLogger("sync.server")
router = APIRouter(tags=["terminals"])

_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")
STATUS_LABELS = {"received": "已受理", "processing": "办理中", "replied": "已答复", "closed": "已办结"}


def _with_key(stored: str, key: str) -> str:
    """A stored answer naming its idempotency key (answers stored before the key was part of them lack it)."""
    answer = json.loads(stored)
    if isinstance(answer, dict) and "idempotency_key" not in answer:
        answer["idempotency_key"] = key
        return json.dumps(answer, ensure_ascii=False)
    return stored


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _find_phone(obj: Any, depth: int = 0) -> str | None:
    """The applicant's phone number wherever the form put it (a key containing 'phone' or 'mobile')."""
    if depth > 4 or not isinstance(obj, dict):
        return None
    for k, v in obj.items():
        if isinstance(v, str) and ("phone" in k.lower() or "mobile" in k.lower()) and phone_digits(v):
            return phone_digits(v)
    for v in obj.values():
        found = _find_phone(v, depth + 1)
        if found:
            return found
    return None


def record_heartbeat(term: Terminal, payload: dict[str, Any], now: dt.datetime) -> None:
    """Copy a heartbeat's fields onto the terminal's row (the fleet page reads them); bad types become NULL."""
    term.last_heartbeat_at = now
    term.app_version = str(payload.get("version", ""))[:40]
    ms = payload.get("mirror_seq")
    term.mirror_seq = ms if isinstance(ms, int) else None
    term.mirror_synced_at = str(payload.get("last_sync_at") or "")[:40] or None
    term.printer_state = str(payload.get("printer_state", ""))[:200]
    fd = payload.get("free_disk_mb")
    term.free_disk_mb = fd if isinstance(fd, int) else None
    po = payload.get("pending_outbox")
    term.pending_outbox = po if isinstance(po, int) else None
    oldest, err, every = payload.get("outbox_oldest"), payload.get("last_error"), payload.get("sync_interval_s")
    term.outbox_oldest = str(oldest)[:40] if oldest else None
    term.last_error = str(err)[:300] if err else None
    term.sync_interval_s = every if isinstance(every, int) and not isinstance(every, bool) else None


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


def validate(kind: str, payload: Any, t: Terminal) -> dict[str, Any]:
    """Check a submission; returns the columns to store beside it."""
    _check(isinstance(payload, dict), t, kind, "payload must be a JSON object", status=400, code="malformed")
    extra: dict[str, Any] = {}
    # An application names itself either at the top level (tracking_no, zone, submitted_at) or, as the
    # kiosk's applications service writes it, under "issued" (tracking_no, zone_code, submitted_at,
    # deadline).
    issued = payload.get("issued") if isinstance(payload.get("issued"), dict) else {}
    zone = payload.get("zone", issued.get("zone_code"))
    if "zone" in payload or kind == "application":
        _check(zone == t.zone, t, kind, "zone does not match the terminal's zone", status=403, code="wrong_zone")
    if kind == "application":
        extra = _application_columns(payload, issued, t)
    elif kind == "rating":
        score = payload.get("score", payload.get("level"))
        _check(
            isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5,
            t,
            kind,
            "score (or level) must be a whole number 1–5",
        )
    elif kind == "heartbeat":
        try:
            extra = {"sync_failure": fleet.check_failure(payload.get("sync_failure"))}
        except ValueError as exc:
            _check(False, t, kind, str(exc), status=400, code="malformed")
    elif kind == "usage":
        counters = payload.get("counters")
        _check(
            isinstance(counters, dict) and all(isinstance(k, str) and isinstance(v, int) for k, v in counters.items()),
            t,
            kind,
            "counters must map names to whole numbers",
        )
    return extra


def _application_columns(payload: dict[str, Any], issued: dict[str, Any], t: Terminal) -> dict[str, Any]:
    kind = "application"
    tn = payload.get("tracking_no", issued.get("tracking_no"))
    _check(isinstance(tn, str) and bool(_TRACKING.match(tn)), t, kind, "tracking_no missing or malformed")
    sub = payload.get("submitted_at", issued.get("submitted_at"))
    try:
        submitted = dt.datetime.fromisoformat(str(sub).replace("Z", "+00:00"))
    except ValueError:
        _check(False, t, kind, "submitted_at missing or not an ISO date-time")
        raise  # unreachable: _check raised
    phone = _find_phone(payload)
    _check(phone is not None, t, kind, "application carries no phone number")
    # Receipt date (Article 31(1)): decided by the server (sync.server.terminals.dating): its own date for
    # an application delivered online, the terminal's within a bound for one queued offline, else flagged.
    # The server counts the deadline itself (sync.server.office.lifecycle); the receipt's date is kept beside it.
    last = t.last_heartbeat_at or t.enrolled_at
    dated = dating.receipt_date(submitted, utcnow(), last)
    try:
        printed: dt.date | None = dt.date.fromisoformat(str(payload.get("deadline", issued.get("deadline"))))
    except ValueError:
        printed = None
    return {
        "tracking_no": tn,
        "phone": phone,
        "received_on": dated.received_on,
        "received_flag": dated.flag,
        "printed_deadline": printed,
    }


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
    return session.scalar(select(Submission.response).where(Submission.terminal_id == t.id, Submission.idem_key == key))


@router.post(
    "/v1/submissions/{kind}",
    summary="Deliver one outbox entry (application, rating, usage, heartbeat) exactly once",
    openapi_extra={
        "parameters": [
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "maxLength": 80},
            }
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
async def post_submission(kind: str, request: Request, t: Term, session: DB) -> Response:
    if kind not in SUBMISSION_KINDS:
        raise ApiError(404, "unknown_kind", f"kind must be one of {', '.join(SUBMISSION_KINDS)}")
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    _check(bool(_KEY.match(key)), t, kind, "missing or malformed Idempotency-Key", status=400, code="malformed")
    stored = _stored_answer(session, t, key)
    if stored is not None:
        log.info("replayed %s answer to terminal %s (key %s…)", kind, t.id, key[:12])
        return json_text(_with_key(stored, key), headers={"Idempotent-Replayed": "true"})
    # Never hold the database (SQLite: the write lock, taken by every transaction) across an await: another
    # request on this event loop would wait for it while blocking the loop this one needs to finish.
    session.rollback()
    payload = await read_capped(request, MAX_SUBMISSION_BYTES, kind, f"terminal {t.id}")
    now = utcnow()
    extra = validate(kind, payload, t)
    response: dict[str, Any] = {"status": "accepted", "kind": kind, "idempotency_key": key, "received_at": iso(now)}
    if kind == "heartbeat":
        term = session.get(Terminal, t.id)
        assert term is not None
        record_heartbeat(term, payload, now)
        fleet.store_failure(term, extra.get("sync_failure"))
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
        case.phone_tail_hash = public.tail_hash(session, extra["tracking_no"], extra["phone"])
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
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["tracking_no", "phone"],
                        "properties": {"tracking_no": {"type": "string"}, "phone": {"type": "string"}},
                    }
                }
            },
        }
    },
)
async def lookup(request: Request, t: Term, session: DB, ctx: Ctx) -> Response:
    body = await read_capped(request, MAX_LOOKUP_BYTES, "lookup", f"terminal {t.id}")
    tn = body.get("tracking_no") if isinstance(body, dict) else None
    phone = body.get("phone") if isinstance(body, dict) else None
    if not isinstance(tn, str) or not isinstance(phone, str):
        _check(False, t, "lookup", "tracking_no and phone are required", status=400, code="malformed")
        raise AssertionError  # unreachable: _check raised
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
        status = lifecycle.public_status(case, session)
        answer.update(status)
        answer["status"] = case.state
        answer["status_label"] = status["stage_label"]
        answer["received_at"] = case.received_on.isoformat()  # 收到申请之日 (Article 31), not the upload
    else:  # a submission from before the office's cases existed
        answer.update(status=sub.status, status_label=STATUS_LABELS.get(sub.status, "办理中"), deadline=sub.deadline)
    session.rollback()
    return JSONResponse(answer)
