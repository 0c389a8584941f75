"""``python -m sync.server serve``: the HTTP server under uvicorn, in one process or as N worker
processes (``--workers N``) over the same database. Workers keep no state of their own (throttles,
lockouts, snapshot-build leases and the signed manifest live in the database; snapshots in the shared
folder), so N processes here, or processes on several machines behind one reverse proxy on one
PostgreSQL, answer alike.

With ``--workers`` above 1 uvicorn starts each worker from :func:`app_from_env`, which reads the settings
this process put in :data:`SETTINGS_ENV`; the database is migrated once, here, before any worker starts.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI

from sync.protocol import signing
from sync.server.app import create_app
from sync.server.db import open_db
from sync.server.office.lifecycle import Today, china_today
from sync.server.recovery import check_not_older

SETTINGS_ENV = "ZWGK_SERVER_SETTINGS"


@dataclass(frozen=True)
class ServeSettings:
    """What ``serve`` was asked for, as plain values a worker process can read back."""

    db: str
    key: str
    manifest_ttl_s: int
    trust_proxy: bool
    sync_interval_s: int
    offline_after_missed: int
    snapshot_dir: str | None
    release_dir: str | None = None
    state_file: str | None = None  # the record of the last signed manifest (sync.server.recovery)

    def app(self, today: Today = china_today) -> FastAPI:
        return create_app(
            open_db(self.db),
            signing.load_signer(Path(self.key)),
            manifest_ttl_s=self.manifest_ttl_s,
            trust_proxy=self.trust_proxy,
            sync_interval_s=self.sync_interval_s,
            offline_after_missed=self.offline_after_missed,
            today=today,
            snapshot_dir=Path(self.snapshot_dir) if self.snapshot_dir else None,
            build_snapshots=self.snapshot_dir is not None,
            release_dir=Path(self.release_dir) if self.release_dir else None,
            state_file=Path(self.state_file) if self.state_file else None,
            key_dir=Path(self.key),
        )


def app_from_env() -> FastAPI:
    """A worker's application (uvicorn ``factory=True``)."""
    return ServeSettings(**json.loads(os.environ[SETTINGS_ENV])).app()


def run(settings: ServeSettings, host: str, port: int, workers: int, today: Today = china_today) -> None:
    """Serve until stopped. uvicorn's own proxy-header handling would take X-Forwarded-For as the client
    address; the server reads the proxy's headers itself, and only with ``--trust-proxy``."""
    import uvicorn

    if settings.state_file is not None:  # never serve a database older than what this server signed
        engine = open_db(settings.db)
        try:
            check_not_older(engine, Path(settings.state_file))
        finally:
            engine.dispose()
    if workers <= 1:
        uvicorn.run(settings.app(today), host=host, port=port, log_level="info", proxy_headers=False)
        return
    open_db(settings.db).dispose()  # migrate once, before the workers open it
    os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))
    uvicorn.run(
        "sync.server.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )
