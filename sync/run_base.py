"""What every part of one sync run shares (:class:`SyncRun`): the terminal's configuration and mirror,
the pinned key ring, this run's report and how a part's failure is recorded. The parts are mixins on it —
:mod:`sync.pull` (manifest, lists, feed, snapshot, fork healing), :mod:`sync.attachments`,
:mod:`sync.push` (the outbox) and :mod:`sync.report` (heartbeat, acknowledgements after a fork, software
updates) — put together as :class:`sync.client.TerminalSync`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kiosk.config import Config
from kiosk.db import session_factory
from kiosk.errors import (
    ConfigError,
    KioskError,
)
from kiosk.mirror.blobs import BlobStore
from kiosk.mirror.store import (
    kv_get,
    kv_set,
)
from kiosk.sync_state import (
    now_utc,
)
from sync import snapshot as snapshots
from sync.failures import Failure, classify, log_detail
from sync.http import ServerClient
from sync.protocol.keyring import KeyRing
from sync.protocol.signing import load_verifier
from sync.protocol.wire import DEFAULT_PAGE_ENTRIES

log = logging.getLogger("sync.client")

MIN_PAGE_ENTRIES = 10


@dataclass
class SyncReport:
    """What one run did; ``error`` is None when everything succeeded."""

    pages: int = 0
    applied: int = 0
    deleted: int = 0
    blobs_fetched: int = 0
    blobs_collected: int = 0
    pushed: int = 0
    cursor: int = 0
    manifest_version: int = 0
    snapshot: snapshots.Installed | None = None  # the first sync came from the district's snapshot
    errors: list[str] = field(default_factory=list)  # plain Chinese, one line per failure
    failures: list[Failure] = field(default_factory=list)  # the same failures with their part and code
    restart: bool = False  # switched to a new release: the process must restart into it

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.failures]

    @property
    def error(self) -> str | None:
        return "；".join(self.errors) if self.errors else None


def _kv_int(session: Session, key: str) -> int:
    """A counter of the sync state; 0 when absent or unreadable (it is rewritten by the next page)."""
    raw = kv_get(session, key, "0") or "0"
    return int(raw) if raw.isdigit() and len(raw) <= 18 else 0


class SyncRun:
    """One sync run against one mirror: the state its parts share."""

    def __init__(
        self,
        cfg: Config,
        engine: Engine,
        *,
        now: datetime | None = None,
        page_size: int = DEFAULT_PAGE_ENTRIES,
        printer_state: str | None = None,
        use_snapshot: bool = True,
        busy: Callable[[], str | None] | None = None,
    ) -> None:
        if not cfg.server.url:
            raise ConfigError("没有配置区级服务器地址（[server] url）：本终端只用本机的内容镜像运行，不能同步")
        self.cfg = cfg
        self.engine = engine
        self.session: Session = session_factory(engine)()
        self.blobs = BlobStore(cfg.blob_dir)
        self.verifier = KeyRing(load_verifier(Path(cfg.server.trust_key)))  # the pinned key; run() adds the rest
        self.now = now
        self.max_page_size = page_size
        self.page_size = page_size
        self.printer_state = printer_state
        self.scope = "all" if cfg.terminal.mirror_all_zones else "own"
        self.use_snapshot = use_snapshot
        self.report = SyncReport()
        self._read_engine: Engine | None = None
        self._push_failed = False  # the push failed between feed pages: not tried again this run
        self.manifest: dict[str, Any] | None = None  # this run's accepted manifest
        self.busy = busy

    def _now(self) -> datetime:
        return self.now or now_utc()

    def fail(self, part: str, exc: BaseException) -> None:
        """Record a part's failure in plain Chinese (the report, hence sync state); the run goes on. The
        technical detail goes to the log only."""
        failure = classify(part, exc)
        if isinstance(exc, KioskError | OSError | DBAPIError):
            log.warning("sync %s failed [%s]: %s", part, failure.code, log_detail(exc))
        else:
            log.error("sync %s failed unexpectedly (%s)", part, type(exc).__name__, exc_info=exc)
        self._record(failure)

    def _record(self, failure: Failure) -> None:
        self.report.failures.append(failure)
        self.report.errors.append(failure.text)

    def _snapshot_note(self, note: str) -> None:
        try:
            with self.session.begin():
                kv_set(self.session, "sync.snapshot_note", note[:500])
        except DBAPIError:
            self.session.rollback()

    # The parts call each other across modules; each is defined by its mixin.
    def push_while_pulling(self, client: ServerClient) -> None:
        raise NotImplementedError  # sync.push.OutboxPush

    def pull_blobs(self, client: ServerClient) -> None:
        raise NotImplementedError  # sync.attachments.AttachmentPull

    def collect_blobs(self) -> None:
        raise NotImplementedError  # sync.attachments.AttachmentPull
