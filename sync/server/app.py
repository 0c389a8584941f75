"""The reference district server's HTTP API (FastAPI), described in ``docs/protocol.md`` and served as
OpenAPI at ``/openapi.json``.

Read side (any provisioned terminal): the signed manifest, the changes feed, blobs (Range-resumable),
zones, categories and the working-day calendar. Write side: submissions from the terminal's outbox
(applications, ratings, usage counters, heartbeats) keyed by an idempotency key, and the application
status lookup. Every request is authenticated by the terminal's bearer token; refusals are logged with
the terminal id and the reason, never with the body (it may carry personal data).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync.server import auth, console, console_publish, enrol, fleet, lifecycle, public
from sync.server import calendar as cal
from sync.server import snapshot as snapshots
from sync.server.db import (
    BlobRow,
    CategoryRow,
    FeedDoc,
    Meta,
    Submission,
    Terminal,
    ZoneRow,
    head_seq,
    meta_get,
    meta_set,
    sessions,
    utcnow,
)
from sync.server.office_db import Case
from sync.signing import Signer, canonical
from sync.wire import (
    DEFAULT_PAGE_ENTRIES,
    IDEMPOTENCY_HEADER,
    MAX_LOOKUP_BYTES,
    MAX_PAGE_ENTRIES,
    MAX_SUBMISSION_BYTES,
    PAGE_BYTE_BUDGET,
    SUBMISSION_KINDS,
)

log = logging.getLogger("sync.server")

DEFAULT_MANIFEST_TTL_S = 7 * 86400
DEFAULT_SYNC_INTERVAL_S = 300
ENROL_MAX_FAILURES = 20  # wrong enrolment codes per window before every attempt is refused for a while
ENROL_FAILURE_WINDOW_S = 600
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")
_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")
STATUS_LABELS = {"received": "已受理", "processing": "办理中", "replied": "已答复", "closed": "已办结"}


class ApiError(Exception):
    """An error answer: HTTP status, a stable code and a plain message (no personal data)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _iso(t: dt.datetime) -> str:
    return t.replace(microsecond=0).isoformat() + "Z"


def _with_key(stored: str, key: str) -> str:
    """A stored answer naming its idempotency key (answers stored before the key was part of them lack it)."""
    answer = json.loads(stored)
    if isinstance(answer, dict) and "idempotency_key" not in answer:
        answer["idempotency_key"] = key
        return json.dumps(answer, ensure_ascii=False)
    return stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _envelope_text(signer: Signer, payload_text: str) -> str:
    """Sign stored canonical payload text without re-encoding it (keys in sorted order)."""
    import base64

    sig = base64.b64encode(signer.private.sign(b"zwgk-sync-v1\n" + payload_text.encode("utf-8"))).decode("ascii")
    return f'{{"key_id":"{signer.key_id}","payload":{payload_text},"sig":"{sig}"}}'


def _list_payload(session: Session, kind: str) -> dict[str, Any]:
    if kind == "zones":
        texts = list(session.scalars(select(ZoneRow.data).order_by(ZoneRow.code)))
    else:
        texts = list(session.scalars(select(CategoryRow.data).order_by(CategoryRow.code)))
    return {"kind": kind, "items": [json.loads(t) for t in texts]}


def _phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _find_phone(obj: Any, depth: int = 0) -> str | None:
    """The applicant's phone number wherever the form put it (a key containing 'phone' or 'mobile')."""
    if depth > 4 or not isinstance(obj, dict):
        return None
    for k, v in obj.items():
        if isinstance(v, str) and ("phone" in k.lower() or "mobile" in k.lower()) and _phone_digits(v):
            return _phone_digits(v)
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


def create_app(  # noqa: PLR0915 - the routes are closures over this app's engine and signer
    engine: Engine,
    signer: Signer,
    *,
    manifest_ttl_s: int = DEFAULT_MANIFEST_TTL_S,
    trust_proxy: bool = False,
    sync_interval_s: int = DEFAULT_SYNC_INTERVAL_S,
    offline_after_missed: int = fleet.DEFAULT_MISSED,
    today: lifecycle.Today = lifecycle.china_today,
    snapshot_dir: Path | None = None,
    build_snapshots: bool = False,
) -> FastAPI:
    """The ASGI application over ``engine`` signing with ``signer``.

    ``trust_proxy``: believe ``X-Forwarded-Proto``/``X-Forwarded-Host`` (the server runs behind a reverse
    proxy that sets them); the admin session cookie is ``Secure`` when the browser's side is TLS.
    ``sync_interval_s``: what newly enrolled terminals are told to use between syncs (and heartbeats).
    ``offline_after_missed``: heartbeats a terminal may miss before the fleet page calls it 离线.
    ``today``: the clock the office's steps and the applications' stages go by (China's date; tests fix it).
    ``snapshot_dir``: where first-sync snapshots are kept (:mod:`sync.server.snapshot`; None: none are
    offered); ``build_snapshots``: build a missing or outdated one in the background when asked for.
    """
    app = FastAPI(
        title="政务公开专区 district sync server",
        version="1",
        description="Sync protocol between the district and its query kiosks. See docs/protocol.md.",
    )
    make_session = sessions(engine)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)

    def db() -> Iterator[Session]:
        with make_session() as s:
            yield s

    DB = Annotated[Session, Depends(db)]

    def terminal(request: Request, session: DB, authorization: Annotated[str | None, Header()] = None) -> Terminal:
        peer = request.client.host if request.client else "?"
        if not authorization or not authorization.startswith("Bearer "):
            log.warning("refused %s %s from %s: no bearer token", request.method, request.url.path, peer)
            raise ApiError(401, "unauthorized", "missing terminal token")
        term = session.scalar(select(Terminal).where(Terminal.token_hash == token_hash(authorization[7:].strip())))
        if term is None:
            log.warning("refused %s %s from %s: unknown terminal token", request.method, request.url.path, peer)
            raise ApiError(401, "unauthorized", "unknown terminal token")
        if term.revoked_at is not None:
            log.warning("refused %s %s from revoked terminal %s", request.method, request.url.path, term.id)
            raise ApiError(401, "terminal_revoked", "此终端已被区里停用，请联系区信息化人员重新登记")
        session.expunge(term)
        session.rollback()  # handlers start their own transactions
        return term

    Term = Annotated[Terminal, Depends(terminal)]

    def current_manifest(session: Session) -> str:
        """The signed manifest, re-issued (version + 1) when the feed moved or half its life has passed."""
        head = head_seq(session)
        want = {
            "head_seq": head,
            "zones_sha256": hashlib.sha256(canonical(_list_payload(session, "zones"))).hexdigest(),
            "categories_sha256": hashlib.sha256(canonical(_list_payload(session, "categories"))).hexdigest(),
            "calendar_sha256": hashlib.sha256(canonical(cal.build_payload(session))).hexdigest(),
        }
        stored = meta_get(session, "manifest")
        now = utcnow()
        if stored is not None:
            payload = json.loads(stored)["payload"]
            expires = dt.datetime.fromisoformat(payload["expires_at"].rstrip("Z"))
            same = all(payload.get(k) == v for k, v in want.items())
            if same and (expires - now).total_seconds() > manifest_ttl_s / 2:
                session.rollback()
                return stored
        row = session.scalar(select(Meta).where(Meta.key == "manifest_version").with_for_update())
        version = (int(row.value) if row is not None else 0) + 1
        payload = {
            "kind": "manifest",
            "version": version,
            "issued_at": _iso(now),
            "expires_at": _iso(now + dt.timedelta(seconds=manifest_ttl_s)),
            **want,
        }
        text = json.dumps(signer.sign(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        meta_set(session, "manifest_version", str(version))
        meta_set(session, "manifest", text)
        session.commit()
        return text

    def json_text(text: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(content=text, status_code=status, media_type="application/json", headers=headers)

    @app.get("/v1/manifest", summary="The signed manifest: version, expiry, feed head, list hashes")
    def get_manifest(_t: Term, session: DB) -> Response:
        return json_text(current_manifest(session))

    @app.get("/v1/changes", summary="One page of the changes feed, ordered by sequence number")
    def get_changes(  # noqa: PLR0917 - FastAPI reads the query parameters from the signature
        t: Term,
        session: DB,
        after: Annotated[int, Query(ge=0, description="the terminal's cursor: last sequence applied")] = 0,
        until: Annotated[int | None, Query(ge=0, description="the manifest's head_seq; nothing above it")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ENTRIES)] = DEFAULT_PAGE_ENTRIES,
        scope: Annotated[str, Query(pattern="^(own|all)$", description="own: district-wide + own zone")] = "own",
    ) -> Response:
        head = head_seq(session)
        top = head if until is None else min(until, head)
        cond = [FeedDoc.seq > after, FeedDoc.seq <= top]
        if scope == "own":
            cond.append(FeedDoc.zone.is_(None) | (FeedDoc.zone == t.zone) | FeedDoc.prev_zone.in_((t.zone, "*")))
        result = session.execute(
            select(FeedDoc.seq, FeedDoc.payload)
            .where(*cond)
            .order_by(FeedDoc.seq)
            .limit(limit)
            .execution_options(yield_per=32)  # rows are read as the page fills, not all up front
        )
        parts: list[str] = []
        seqs: list[int] = []
        size = 0
        last = after
        full = False
        for seq, payload in result:
            text = _envelope_text(signer, payload)
            parts.append(text)
            seqs.append(seq)
            size += len(text.encode("utf-8"))
            last = seq
            if size >= PAGE_BYTE_BUDGET:
                full = True
                break
        result.close()
        more = full or len(parts) == limit
        next_after = last if more else max(top, after)
        remaining = 0
        if more:
            cond[0] = FeedDoc.seq > last
            remaining = int(session.scalar(select(func.count()).select_from(FeedDoc).where(*cond)) or 0)
        # The page itself is signed too: which entries it holds, for which terminal scope, and where the
        # cursor goes next, so nobody in the middle can drop entries or move the cursor past them.
        page = signer.sign(
            {
                "kind": "page",
                "after": after,
                "until": top,
                "scope": scope,
                "zone": t.zone if scope == "own" else None,
                "seqs": seqs,
                "next_after": next_after,
                "more": more,
            }
        )
        body = (
            f'{{"entries":[{",".join(parts)}],"head_seq":{head},"page":{canonical(page).decode("utf-8")},'
            f'"remaining":{remaining}}}'
        )
        return json_text(body.encode("utf-8"))

    @app.get("/v1/blobs/{sha256}", summary="An attachment's bytes by sha256 (supports Range: bytes=N-)")
    def get_blob(
        _t: Term, session: DB, sha256: str, range_header: Annotated[str | None, Header(alias="Range")] = None
    ) -> Response:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ApiError(400, "bad_request", "a blob is named by 64 lowercase hex digits")
        row = session.get(BlobRow, sha256)
        if row is None:
            raise ApiError(404, "not_found", "no such blob")
        data = row.data
        headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
        if range_header:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
            if not m or int(m.group(1)) >= len(data) > 0:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{len(data)}"})
            start = int(m.group(1))
            end = min(int(m.group(2)) if m.group(2) else len(data) - 1, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return Response(data[start : end + 1], 206, headers=headers, media_type="application/octet-stream")
        return Response(data, 200, headers=headers, media_type="application/octet-stream")

    builder = snapshots.Builder(engine, signer, snapshot_dir) if snapshot_dir and build_snapshots else None

    @app.get("/v1/snapshot", summary="The signed descriptor of the newest first-sync snapshot of a scope")
    def get_snapshot(
        t: Term,
        session: DB,
        scope: Annotated[str, Query(pattern="^(own|all)$", description="own: district-wide + own zone")] = "own",
    ) -> Response:
        zone = t.zone if scope == "own" else None
        if snapshot_dir is None:
            raise ApiError(404, "not_found", "this server offers no snapshots")
        if builder is not None:
            builder.want(scope, zone, head_seq(session))
        session.rollback()
        env = snapshots.descriptor(snapshot_dir, scope, zone)
        if env is None:
            raise ApiError(404, "not_found", "no snapshot of this scope yet")
        return json_text(json.dumps(env, ensure_ascii=False))

    @app.get("/v1/snapshot/{sha256}", summary="A snapshot's bytes by sha256 (supports Range: bytes=N-)")
    def get_snapshot_body(
        _t: Term, sha256: str, range_header: Annotated[str | None, Header(alias="Range")] = None
    ) -> Response:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256) or snapshot_dir is None:
            raise ApiError(404, "not_found", "no such snapshot")
        path = snapshots.body_path(snapshot_dir, sha256)
        if path is None:
            raise ApiError(404, "not_found", "no such snapshot")
        size = path.stat().st_size
        start, status = 0, 200
        headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
        if range_header:
            m = re.fullmatch(r"bytes=(\d+)-", range_header.strip())
            if not m or int(m.group(1)) >= size:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            start, status = int(m.group(1)), 206
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        headers["Content-Length"] = str(size - start)

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as f:
                f.seek(start)
                yield from iter(lambda: f.read(256 * 1024), b"")

        return StreamingResponse(chunks(), status, headers=headers, media_type="application/octet-stream")

    @app.get("/v1/zones", summary="The district's zones, signed")
    def get_zones(_t: Term, session: DB) -> Response:
        return json_text(canonical(signer.sign(_list_payload(session, "zones"))))

    @app.get("/v1/categories", summary="The categories, signed")
    def get_categories(_t: Term, session: DB) -> Response:
        return json_text(canonical(signer.sign(_list_payload(session, "categories"))))

    @app.get("/v1/calendar", summary="Holidays and make-up working days per year, signed")
    def get_calendar(_t: Term, session: DB) -> Response:
        return json_text(canonical(signer.sign(cal.build_payload(session))))

    async def read_capped(request: Request, cap: int, what: str, t: Terminal) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            log.warning("refused %s from terminal %s: body of %s bytes over the %d-byte cap", what, t.id, declared, cap)
            raise ApiError(413, "too_large", f"request body over {cap} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > cap:
                log.warning("refused %s from terminal %s: body over the %d-byte cap", what, t.id, cap)
                raise ApiError(413, "too_large", f"request body over {cap} bytes")
        try:
            return json.loads(bytes(body).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("refused %s from terminal %s: body is not JSON", what, t.id)
            raise ApiError(400, "malformed", "body is not UTF-8 JSON") from None

    def _check(cond: bool, t: Terminal, kind: str, why: str, *, status: int = 422, code: str = "invalid") -> None:
        if not cond:
            log.warning("refused %s from terminal %s: %s", kind, t.id, why)
            raise ApiError(status, code, why)

    def validate(kind: str, payload: Any, t: Terminal, received: dt.datetime) -> dict[str, Any]:
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
            tn = payload.get("tracking_no", issued.get("tracking_no"))
            _check(isinstance(tn, str) and bool(_TRACKING.match(tn)), t, kind, "tracking_no missing or malformed")
            sub = payload.get("submitted_at", issued.get("submitted_at"))
            try:
                dt.datetime.fromisoformat(str(sub).replace("Z", "+00:00"))
            except ValueError:
                _check(False, t, kind, "submitted_at missing or not an ISO date-time")
            phone = _find_phone(payload)
            _check(phone is not None, t, kind, "application carries no phone number")
            # Receipt date (Article 31(1)): the day it was handed in at the terminal, in China time. The
            # server counts the deadline itself (sync.server.lifecycle); the receipt's date is kept beside it.
            submitted = dt.datetime.fromisoformat(str(sub).replace("Z", "+00:00"))
            received_on = lifecycle.china_today(submitted) if submitted.tzinfo else submitted.date()
            try:
                printed: dt.date | None = dt.date.fromisoformat(str(payload.get("deadline", issued.get("deadline"))))
            except ValueError:
                printed = None
            extra = {"tracking_no": tn, "phone": phone, "received_on": received_on, "printed_deadline": printed}
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
                isinstance(counters, dict)
                and all(isinstance(k, str) and isinstance(v, int) for k, v in counters.items()),
                t,
                kind,
                "counters must map names to whole numbers",
            )
        return extra

    def phone_hash(session: Session, digits: str) -> str:
        salt = meta_get(session, "phone_salt")
        if salt is None:
            salt = secrets.token_hex(16)
            meta_set(session, "phone_salt", salt)
        return hmac.new(salt.encode(), digits.encode(), hashlib.sha256).hexdigest()

    @app.post(
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
        stored = session.scalar(
            select(Submission.response).where(Submission.terminal_id == t.id, Submission.idem_key == key)
        )
        if stored is not None:
            log.info("replayed %s answer to terminal %s (key %s…)", kind, t.id, key[:12])
            return json_text(_with_key(stored, key), headers={"Idempotent-Replayed": "true"})
        # Never hold the database (SQLite: the write lock, taken by every transaction) across an await: another
        # request on this event loop would wait for it while blocking the loop this one needs to finish.
        session.rollback()
        payload = await read_capped(request, MAX_SUBMISSION_BYTES, kind, t)
        now = utcnow()
        extra = validate(kind, payload, t, now)
        response: dict[str, Any] = {
            "status": "accepted",
            "kind": kind,
            "idempotency_key": key,
            "received_at": _iso(now),
        }
        if kind == "heartbeat":
            term = session.get(Terminal, t.id)
            assert term is not None
            record_heartbeat(term, payload, now)
            fleet.store_failure(term, extra.get("sync_failure"))
            session.commit()
            return json_text(json.dumps(response))
        try:
            if extra.get("tracking_no") is not None:
                clash = session.scalar(select(Submission.id).where(Submission.tracking_no == extra["tracking_no"]))
                _check(
                    clash is None,
                    t,
                    kind,
                    "tracking_no already used by another submission",
                    status=409,
                    code="conflict",
                )
            sub_row = Submission(
                terminal_id=t.id,
                zone=t.zone,
                kind=kind,
                idem_key=key,
                tracking_no=extra.get("tracking_no"),
                phone_hash=phone_hash(session, extra["phone"]) if "phone" in extra else None,
                payload=json.dumps(payload, ensure_ascii=False),
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
                case.phone_tail_hash = public.tail_hash(
                    meta_get(session, "phone_salt") or "", extra["tracking_no"], extra["phone"]
                )
                response["tracking_no"] = extra["tracking_no"]
                response["deadline"] = case.due.isoformat() if case.due else None
                sub_row.deadline = response["deadline"]
            text = json.dumps(response, ensure_ascii=False)
            sub_row.response = text
            session.commit()
        except IntegrityError:  # a concurrent retry with the same key won the race
            session.rollback()
            stored = session.scalar(
                select(Submission.response).where(Submission.terminal_id == t.id, Submission.idem_key == key)
            )
            if stored is None:
                raise ApiError(409, "conflict", "conflicting submission") from None
            return json_text(_with_key(stored, key), headers={"Idempotent-Replayed": "true"})
        log.info("accepted %s from terminal %s (key %s…)", kind, t.id, key[:12])
        return json_text(text)

    @app.post(
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
    async def lookup(request: Request, t: Term, session: DB) -> Response:
        body = await read_capped(request, MAX_LOOKUP_BYTES, "lookup", t)
        tn = body.get("tracking_no") if isinstance(body, dict) else None
        phone = body.get("phone") if isinstance(body, dict) else None
        _check(
            isinstance(tn, str) and isinstance(phone, str),
            t,
            "lookup",
            "tracking_no and phone are required",
            status=400,
            code="malformed",
        )
        assert isinstance(tn, str)
        assert isinstance(phone, str)
        sub = session.scalar(select(Submission).where(Submission.tracking_no == tn, Submission.kind == "application"))
        ok = (
            sub is not None
            and sub.phone_hash is not None
            and hmac.compare_digest(sub.phone_hash, phone_hash(session, _phone_digits(phone)))
        )
        session.rollback()  # phone_hash() may have created the salt; a lookup stores nothing
        if not ok or sub is None:
            raise ApiError(404, "not_found", "未找到该申请，请核对受理编号和手机号")
        if lifecycle.lapse_corrections(session, today(), sub.tracking_no):  # Art. 30: deemed withdrawn
            session.commit()
        case = session.get(Case, sub.tracking_no)
        answer: dict[str, Any] = {"tracking_no": sub.tracking_no, "received_at": _iso(sub.received_at)}
        if case is not None:
            status = lifecycle.public_status(case, session)
            answer.update(status)
            answer["status"] = case.state
            answer["status_label"] = status["stage_label"]
            answer["received_at"] = case.received_on.isoformat()  # 收到申请之日 (Article 31), not the upload
        else:  # a submission from before the office's cases existed
            answer.update(
                status=sub.status, status_label=STATUS_LABELS.get(sub.status, "办理中"), deadline=sub.deadline
            )
        session.rollback()
        return JSONResponse(answer)

    limiter = public.Limiter()

    @app.get("/status", response_class=HTMLResponse, summary="Public: an application's progress (form)")
    def status_form(no: str = "") -> HTMLResponse:
        return HTMLResponse(public.form(no[:40]))

    @app.post("/status", response_class=HTMLResponse, summary="Public: an application's progress")
    async def status_answer(request: Request, session: DB) -> HTMLResponse:
        form = await request.form()
        no = str(form.get("no") or "").strip().upper()[:40]
        tail = str(form.get("tail") or "").strip()[:8]
        client = request.client.host if request.client else "?"
        if limiter.blocked(no, client):
            log.warning("public status: too many failed checks (client %s)", client)
            return HTMLResponse(public.form(no, "尝试次数过多，请15分钟后再试"), status_code=429)
        case = public.check(session, public.salt_for(session), no, tail)
        if case is None:
            limiter.fail(no, client)
            return HTMLResponse(public.form(no, "未找到该申请，请核对受理编号和手机号后四位"), status_code=404)
        if lifecycle.lapse_corrections(session, today(), case.tracking_no):  # Art. 30: deemed withdrawn
            session.commit()
        return HTMLResponse(public.status_page(session, case))

    enrol_failures: list[float] = []  # monotonic times of recent bad codes (this worker)
    public_pem = signer.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")

    @app.post(
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
    async def enrol_terminal(request: Request, session: DB) -> Response:
        now = time.monotonic()
        enrol_failures[:] = [t for t in enrol_failures if now - t < ENROL_FAILURE_WINDOW_S]
        if len(enrol_failures) >= ENROL_MAX_FAILURES:
            log.warning("refused an enrolment: too many bad codes in the last %d s", ENROL_FAILURE_WINDOW_S)
            raise ApiError(429, "too_many_attempts", "too many wrong enrolment codes; wait a few minutes")
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > 1024:
                raise ApiError(413, "too_large", "request body over 1024 bytes")
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
            enrol_failures.append(now)
            log.warning("refused an enrolment: unknown, used or expired code")
            raise ApiError(404, "bad_code", "enrolment code unknown, already used or expired")
        zone_obj = enrol.zones(session).get(term.zone, {})
        printers = enrol.template_for(session, term.zone)
        session.rollback()
        log.info("terminal %s enrolled", term.id)
        return JSONResponse(
            {
                "terminal_id": term.id,
                "name": term.name or term.id,
                "zone": term.zone,
                "zone_name": zone_obj.get("name", term.zone),
                "tracking_code": term.id[-2:],
                "token": token,
                "key_id": signer.key_id,
                "public_key_pem": public_pem,
                "sync_interval_s": sync_interval_s,
                "printers": printers,
            },
            headers={"Cache-Control": "no-store"},
        )

    auth.install(app, engine, trust_proxy=trust_proxy)
    console.register(app, make_session, today)
    console_publish.register(app, make_session)
    ItAccount = Annotated[auth.Account, Depends(auth.require_account("it"))]

    @app.get("/admin/fleet", response_class=HTMLResponse, summary="IT: the fleet of terminals")
    def fleet_page(request: Request, session: DB, _a: ItAccount) -> Response:
        page = fleet.fleet_page(session, head_seq(session), request, missed=offline_after_missed)
        return auth.admin_headers(HTMLResponse(page))

    @app.get("/admin/api/fleet", summary="IT: the fleet of terminals as JSON (same data as /admin/fleet)")
    def fleet_api(session: DB, _a: ItAccount) -> Response:
        return auth.admin_headers(
            JSONResponse(fleet.fleet_json(session, head_seq(session), missed=offline_after_missed))
        )

    return app
