"""What every route of the district server may ask for, in one place: the server's settings and
long-lived parts (:class:`ServerContext`, built once by :func:`sync.server.app.create_app`), a database
session, the terminal a bearer token belongs to, and the account a role check lets in.

A route is a small function that declares what it needs::

    @router.get("/v1/zones")
    def get_zones(_t: Term, session: DB, ctx: Ctx) -> Response: ...

Routes are plain ``def`` functions: FastAPI runs them in its thread pool, so a route waiting for the database
(SQLite's write lock), hashing a password or building a PDF never blocks the event loop every other request
needs. A form arrives through :data:`Form`, read on the loop before the route runs. The few routes that read
a terminal's body themselves (a byte cap before anything is parsed) stay ``async`` and hand every blocking
step to the thread pool (``run_in_threadpool``), never holding a transaction across an ``await``.

Workers hold no state of their own: everything that must be shared between worker processes (limiters,
lockouts, snapshot descriptors) lives in the database or in the shared snapshot folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from sync.protocol.signing import Signer
from sync.server.admin.auth import Account, require_account
from sync.server.db import Terminal, begin_read, utcnow
from sync.server.office.lifecycle import Today, china_today
from sync.server.terminals.fleet import DEFAULT_MISSED

if TYPE_CHECKING:
    from sync.server.feed.snapshot import Builder

log = logging.getLogger("sync.server")

DEFAULT_MANIFEST_TTL_S = 7 * 86400
DEFAULT_SYNC_INTERVAL_S = 300


@dataclass(frozen=True)
class Settings:
    """How this server was started (``python -m sync.server serve`` flags; tests set them directly).

    ``manifest_ttl_s``: a signed manifest's life. ``trust_proxy``: believe the reverse proxy's
    ``X-Forwarded-*`` headers. ``sync_interval_s``: what newly enrolled terminals are told to use between
    syncs. ``offline_after_missed``: heartbeats a terminal may miss before the fleet page calls it 离线.
    ``today``: China's date for the office's steps (tests fix it). ``snapshot_dir``: where first-sync
    snapshots are kept (None: none offered); ``build_snapshots``: build a missing or outdated one when asked.
    ``release_dir``: where release archives are kept (``release publish`` writes them; None: none served).
    ``state_file``: where each newly signed manifest is recorded outside the database (``serve``: beside the
    key; :mod:`sync.server.recovery`), None for none. ``fork_check``: sign the feed's epoch and chain values
    into manifests and pages (off only as the fork-check benchmark's baseline, ``kiosk bench fork``: the
    answers are then those of a server from before the chain, which terminals cannot check). ``key_dir``: the
    signing key's folder, whose ``keyset.json``, ``roots/`` and ``root.pub`` (:mod:`sync.server.keys_cli`)
    the server hands out (None: none).
    """

    manifest_ttl_s: int = DEFAULT_MANIFEST_TTL_S
    trust_proxy: bool = False
    sync_interval_s: int = DEFAULT_SYNC_INTERVAL_S
    offline_after_missed: int = DEFAULT_MISSED
    today: Today = china_today
    now: Callable[[], dt.datetime] = utcnow  # the server's clock (naive UTC) for dating what arrives
    snapshot_dir: Path | None = None
    build_snapshots: bool = False
    release_dir: Path | None = None
    state_file: Path | None = None
    fork_check: bool = True
    key_dir: Path | None = None


@dataclass
class ServerContext:
    """The long-lived parts of one server process, made once by the app factory."""

    engine: Engine
    signer: Signer
    settings: Settings
    make_session: sessionmaker[Session]
    builder: Builder | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    """An error answer to a terminal: HTTP status, a stable code and a plain message (no personal data)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)


def context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.server
    return ctx


Ctx = Annotated[ServerContext, Depends(context)]


def db(ctx: Ctx) -> Iterator[Session]:
    """A session for this request, closed when the route returns (before the answer is sent: a transaction
    left open, on SQLite the write lock, is never held while a slow client reads the answer)."""
    with ctx.make_session() as s:
        yield s


DB = Annotated[Session, Depends(db, scope="function")]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def terminal(request: Request, session: DB, authorization: Annotated[str | None, Header()] = None) -> Terminal:
    """The terminal whose bearer token the request carries; 401 for none, an unknown or a revoked one."""
    peer = request.client.host if request.client else "?"
    if not authorization or not authorization.startswith("Bearer "):
        log.warning("refused %s %s from %s: no bearer token", request.method, request.url.path, peer)
        raise ApiError(401, "unauthorized", "missing terminal token")
    begin_read(session)  # no wait for the write lock: twelve terminals' reads go on while one writes
    term = session.scalar(select(Terminal).where(Terminal.token_hash == token_hash(authorization[7:].strip())))
    if term is not None:
        session.expunge(term)
    session.rollback()  # handlers start their own transactions
    if term is None:
        log.warning("refused %s %s from %s: unknown terminal token", request.method, request.url.path, peer)
        raise ApiError(401, "unauthorized", "unknown terminal token")
    if term.revoked_at is not None:
        log.warning("refused %s %s from revoked terminal %s", request.method, request.url.path, term.id)
        row = session.get(Terminal, term.id)  # a write transaction of its own
        if row is not None:
            row.refused_count = (row.refused_count or 0) + 1  # the fleet page shows it keeps knocking
            row.refused_last_at = utcnow()
            session.commit()
        raise ApiError(401, "terminal_revoked", "此终端已被区里停用，请联系区信息化人员重新登记")
    return term


Term = Annotated[Terminal, Depends(terminal)]


async def form_data(request: Request) -> FormData:
    """The request's form (fields and uploaded files), read on the event loop, so that the route that asks
    for it can be a plain ``def``: FastAPI runs those in its thread pool, where database work (and SQLite's
    wait for the write lock), password hashing and PDF building stall no other request. Starlette keeps
    the form for the request, so the login check's CSRF field and the route read the same form."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]
ItAccount = Annotated[Account, Depends(require_account("it"))]
OfficeAccount = Annotated[Account, Depends(require_account("office"))]
DeptAccount = Annotated[Account, Depends(require_account("department"))]


def json_text(text: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Already-serialised JSON as the answer (signed texts are sent as stored, never re-encoded)."""
    return Response(content=text, status_code=status, media_type="application/json", headers=headers)


def iso(t: dt.datetime) -> str:
    """A UTC instant as the wire writes it (``…Z``, whole seconds)."""
    return t.replace(microsecond=0).isoformat() + "Z"
