"""What a run tells the server about the terminal (:class:`Reporting`): the heartbeat for IT's fleet page,
the acknowledged tracking numbers after a fork (so a restored server lists what it lost), and the step of a
software update (:mod:`sync.updater`)."""

from __future__ import annotations

import logging
import shutil
import uuid
from typing import Any

from sqlalchemy import Engine

import kiosk
from kiosk import outbox
from kiosk.db import make_engine, session_factory
from kiosk.errors import (
    StorageError,
    SyncError,
)
from kiosk.mirror.store import (
    kv_get,
    kv_set,
)
from kiosk.sync_state import (
    failures_in_a_row,
    iso,
    read_status,
)
from kiosk.update import state as st
from kiosk.update.layout import installed_layout
from sync import fork
from sync.http import ServerClient
from sync.protocol import requests, schema
from sync.protocol.wire import IDEMPOTENCY_HEADER
from sync.run_base import SyncRun

log = logging.getLogger("sync.client")


class Reporting(SyncRun):
    """The reporting part of a run."""

    def _reader(self) -> Engine:
        """A read-only engine on the mirror file (status reads never take the write lock or a writer's
        turn); the writer engine itself for a database that is not a file."""
        if self._read_engine is None:
            path = self.engine.url.database
            self._read_engine = make_engine(path, read_only=True) if path and path != ":memory:" else self.engine
        return self._read_engine

    def heartbeat(self, client: ServerClient) -> None:
        with session_factory(self._reader())() as s, s.begin():
            status = read_status(s, self._now())
            # a terminal with no printer configured says so (the fleet page: 未配置), not 未知
            printer = self.printer_state or ("none" if not self.cfg.printers else kv_get(s, "printer.state", "unknown"))
            oldest = outbox.oldest_pending(s)
            in_a_row = failures_in_a_row(s)
        failure: dict[str, Any] | None = None
        if self.report.failures:  # this run's first failure so far, and how many runs in a row failed
            first = self.report.failures[0]
            failure = {
                "part": first.part,
                "code": first.code,
                "text": first.text[:300],
                "at": iso(self._now()),
                "in_a_row": in_a_row + 1,
            }
        try:
            free_mb = shutil.disk_usage(self.cfg.data_dir).free // (1024 * 1024)
        except OSError:
            free_mb = -1
        installed = installed_layout()
        update = st.load(self.cfg.data_dir).heartbeat() if installed else None
        beat = requests.HeartbeatRequest(
            version=installed[1] if installed else kiosk.__version__,
            update=requests.UpdateReport.model_validate(update) if update else None,
            mirror_seq=status.cursor,
            last_sync_at=iso(self._now())
            if not self.report.errors
            else (iso(status.last_success_at) if status.last_success_at else None),
            printer_state=(printer or "unknown")[:2000],
            free_disk_mb=free_mb,
            pending_outbox=status.pending_outbox,
            outbox_oldest=oldest,
            last_error=(self.report.errors[0][:2000] if self.report.errors else None),
            sync_failure=requests.SyncFailureReport(**failure) if failure else None,
            sync_interval_s=self.cfg.server.sync_interval_s,
        )
        body = requests.wire(beat)
        client.request(
            "POST",
            "/v1/submissions/heartbeat",
            "发送心跳",
            body=body,
            headers={IDEMPOTENCY_HEADER: f"heartbeat-{uuid.uuid4()}"},
        )

    def report_acks(self, client: ServerClient) -> None:
        """After a fork: tell the server which applications it once acknowledged (tracking numbers only),
        so a restored server can list those it lost; repeated every run until the server answers."""
        with self.session.begin():
            due = kv_get(self.session, fork.ACKS_DUE_KEY, "") or ""
            items = fork.acked_applications(self.session) if due.isdigit() else []
        if not due.isdigit():
            return
        answer = client.request(
            "POST", "/v1/acks", "报告已确认的申请", body={"epoch": int(due), "acked": items}, cap=16 * 1024
        )
        if not isinstance(answer, dict) or answer.get("status") != "accepted" or answer.get("kind") != "acks":
            raise schema.BadAnswer("报告已确认的申请：服务器回应不能证明已收到，下次重发")
        with self.session.begin():
            kv_set(self.session, fork.ACKS_DUE_KEY, "")
        log.info("reported %s acknowledged application(s); the server lacks %s", len(items), answer.get("missing"))

    def update(self, client: ServerClient) -> None:
        """Move a software update one step on (an installed release only; :mod:`sync.updater`)."""
        installed = installed_layout()
        if installed is None or self.manifest is None:
            return
        from sync.updater import Updater

        layout, running = installed
        updater = Updater(self.cfg, layout, running, self.verifier, self.session, busy=self.busy)
        try:
            self.report.restart = updater.run(client, self.manifest)
        except (SyncError, StorageError, OSError) as exc:
            self.fail("update", exc)
        finally:
            self.session.rollback()  # the updater only reads the mirror
