"""The district server's app factory: one FastAPI application over a database and a signing key, with a
router per area (``docs/protocol.md`` describes the wire; ``/openapi.json`` and ``/docs`` are generated
from the routes and the shared wire models in :mod:`sync.protocol`).

    feed/       the signed manifest, changes feed, blobs, snapshots, lists, calendar   (terminals read)
    terminals/  enrolment, submissions, status lookup, IT's fleet page                 (terminals write)
    admin/      accounts, login, sessions, CSRF                                          (people)
    office/     the office's console, documents, evaluation, the public status page    (people)
    releases/   software releases: the signed list and the archives                     (terminals read)

:mod:`sync.server.deps` holds what routes ask for (session, terminal, account, settings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from sync.protocol.signing import Signer
from sync.server import errorpages, openapi, pages
from sync.server.admin import audit_routes, auth
from sync.server.admin import routes as admin_routes
from sync.server.db import sessions, utcnow
from sync.server.deps import (
    DEFAULT_MANIFEST_TTL_S,
    DEFAULT_SYNC_INTERVAL_S,
    ApiError,
    ServerContext,
    Settings,
    api_error_handler,
    token_hash,
)
from sync.server.feed import routes as feed_routes
from sync.server.feed import snapshot as snapshots
from sync.server.office import (
    annual_pages,
    calendar_routes,
    case_routes,
    dept_pages,
    document_routes,
    evaluation_routes,
    notice_pages,
    pack_routes,
    register_pages,
    reviews,
    status_routes,
)
from sync.server.office.lifecycle import Today, china_today
from sync.server.releases import routes as release_routes
from sync.server.terminals import acks, fleet, submissions
from sync.server.terminals import routes as terminal_routes

__all__ = ["DEFAULT_MANIFEST_TTL_S", "DEFAULT_SYNC_INTERVAL_S", "ApiError", "create_app", "token_hash"]


def create_app(
    engine: Engine,
    signer: Signer,
    *,
    manifest_ttl_s: int = DEFAULT_MANIFEST_TTL_S,
    trust_proxy: bool = False,
    sync_interval_s: int = DEFAULT_SYNC_INTERVAL_S,
    offline_after_missed: int = fleet.DEFAULT_MISSED,
    today: Today = china_today,
    now: Callable[[], dt.datetime] = utcnow,
    snapshot_dir: Path | None = None,
    build_snapshots: bool = False,
    release_dir: Path | None = None,
    state_file: Path | None = None,
    fork_check: bool = True,
    key_dir: Path | None = None,
) -> FastAPI:
    """The ASGI application over ``engine`` signing with ``signer`` (the flags: :class:`Settings`)."""
    settings = Settings(
        manifest_ttl_s=manifest_ttl_s,
        trust_proxy=trust_proxy,
        sync_interval_s=sync_interval_s,
        offline_after_missed=offline_after_missed,
        today=today,
        now=now,
        snapshot_dir=snapshot_dir,
        build_snapshots=build_snapshots,
        release_dir=release_dir,
        state_file=state_file,
        fork_check=fork_check,
        key_dir=key_dir,
    )
    app = FastAPI(
        title="政务公开专区 district sync server",
        version="1",
        description="Sync protocol between the district and its query kiosks. See docs/protocol.md.",
        exception_handlers={**errorpages.HANDLERS, **admin_routes.HANDLERS, ApiError: api_error_handler},
    )
    builder = snapshots.Builder(engine, signer, snapshot_dir) if snapshot_dir and build_snapshots else None
    app.state.server = ServerContext(engine, signer, settings, sessions(engine), builder)
    app.state.admin_auth = auth.AuthState(engine, trust_proxy)
    app.mount("/static", pages.static_files(), name="static")
    openapi.install(app)
    for router in (
        admin_routes.router,
        audit_routes.router,
        feed_routes.router,
        submissions.router,
        acks.router,
        terminal_routes.router,
        status_routes.router,
        case_routes.router,
        calendar_routes.router,
        evaluation_routes.router,
        pack_routes.router,
        document_routes.router,
        release_routes.router,
        notice_pages.router,
        register_pages.router,
        dept_pages.router,
        annual_pages.router,
        reviews.router,
    ):
        app.include_router(router)
    return app
