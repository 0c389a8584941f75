"""The terminal's sync client: pull the district's signed content into the mirror, push the outbox.

One run (:func:`sync_once`) does, in order:

1. fetch the signed manifest; refuse it if forged, signed by another key, older than the newest one
   accepted (rolled back) or expired (the mirror then stays as it is and the screens say 内容可能不是最新);
2. fetch zones, categories and the working-day calendar when the manifest says they changed;
3. page through the changes feed from the stored cursor up to the manifest's head; every entry of a page
   is verified before any is applied, and the page is applied in one transaction together with the new
   cursor, so a crash leaves the mirror at a page boundary;
4. fetch the attachments the mirror lacks (resumable, verified before they become visible) and collect
   blobs nothing references any more;
5. deliver due outbox entries with their idempotency keys (acknowledged only after the server answers),
   then send a heartbeat. Due entries are also delivered before a snapshot and between feed pages (while
   the next page downloads), so a slow pull holds an application back for one page at most.

The outcome and the state for the screens go to the mirror's key-value table (``kiosk.sync_state``).

The run's parts live in their own modules, as mixins on :class:`sync.run_base.SyncRun`: :mod:`sync.pull`,
:mod:`sync.attachments`, :mod:`sync.push` and :mod:`sync.report`; :class:`TerminalSync` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from kiosk.config import Config
from kiosk.db import open_engine
from kiosk.errors import NetworkError, ServerError
from kiosk.mirror.store import kv_get, kv_set
from kiosk.sync_state import REVOKED_KEY, SyncFailure, SyncStatus, iso, read_status, record_attempt
from sync.attachments import AttachmentPull
from sync.http import ServerClient, StatusError
from sync.protocol import requests
from sync.protocol.keyring import KeyRing
from sync.protocol.wire import DEFAULT_PAGE_ENTRIES
from sync.pull import FeedPull
from sync.push import OutboxPush
from sync.report import Reporting
from sync.run_base import SyncReport

__all__ = ["SyncReport", "SyncStatus", "TerminalSync", "lookup_application", "read_status", "sync_once"]


class TerminalSync(FeedPull, AttachmentPull, OutboxPush, Reporting):
    """One sync run against one mirror. Use :func:`sync_once` unless you hold the engine yourself."""

    def run(self, client: ServerClient) -> SyncReport:
        """Purge, pull, push, heartbeat: each part runs whatever the one before it did."""
        self.purge()
        with self.session.begin():
            stored = kv_get(self.session, "sync.keys")
        self.verifier = KeyRing.load(self.verifier.pinned, stored)
        for step in (self.pull, self.push_outbox, self.report_acks, self.update, self.heartbeat):
            try:
                step(client)
            except Exception as exc:  # one part's failure, whatever it is, must not stop the others
                self.session.rollback()
                self.fail(step.__name__, exc)
        try:
            with self.session.begin():
                first = self.report.failures[0] if self.report.failures else None
                failure = SyncFailure(first.part, first.code, first.text, self._now()) if first else None
                record_attempt(self.session, error=self.report.error, now=self._now(), failure=failure)
                if "revoked" in self.report.codes:  # no new applications until IT enrols it again
                    kv_set(self.session, REVOKED_KEY, iso(self._now()))
        except (DBAPIError, OSError) as exc:  # disk full: the report still carries it to the caller
            self.session.rollback()
            self.fail("state", exc)
        return self.report

    def close(self) -> None:
        self.session.close()
        if self._read_engine is not None and self._read_engine is not self.engine:
            self._read_engine.dispose()


def sync_once(
    cfg: Config,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    page_size: int = DEFAULT_PAGE_ENTRIES,
    printer_state: str | None = None,
    use_snapshot: bool = True,
    busy: Callable[[], str | None] | None = None,
) -> SyncReport:
    """One complete sync run for the terminal ``cfg`` (opens its mirror unless ``engine`` is given).
    ``use_snapshot``: a first sync may install the district's snapshot (:mod:`sync.snapshot`)."""
    own = engine is None
    eng = engine if engine is not None else open_engine(cfg.db_path)
    runner = TerminalSync(
        cfg, eng, now=now, page_size=page_size, printer_state=printer_state, use_snapshot=use_snapshot, busy=busy
    )
    try:
        with ServerClient(cfg) as client:
            return runner.run(client)
    finally:
        runner.close()
        if own:
            eng.dispose()


def lookup_application(cfg: Config, tracking_no: str, phone: str) -> dict[str, Any]:
    """Ask the server for an application's status (status, status_label, received_at, deadline).

    Raises :class:`NetworkError` when offline, :class:`ServerError` (status 404) when no application
    matches the tracking number and phone (also, without asking, when either is longer than the
    protocol's :class:`sync.protocol.requests.LookupRequest` allows). The phone travels in the body, never in the URL.
    """
    if not cfg.server.url:
        raise NetworkError("本终端未连接区级服务器，无法在线查询")
    try:
        body = requests.wire(requests.parse(requests.LookupRequest, {"tracking_no": tracking_no, "phone": phone}))
    except requests.RequestRefused:  # longer than any tracking number or phone: no application matches
        raise StatusError("查询申请：未找到该申请，请核对受理编号和手机号", 404, "not-found") from None
    with ServerClient(cfg) as client:
        answer = client.request(
            "POST",
            "/v1/applications/lookup",
            "查询申请",
            body=body,
            cap=16 * 1024,
        )
    if not isinstance(answer, dict):
        raise ServerError("查询申请：服务器回应格式不对")
    return answer
