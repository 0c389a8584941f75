"""Delivering the outbox (:class:`OutboxPush`): due entries with their idempotency keys, each counted as
delivered only when the server's answer proves it, an application's personal data purged once it is; also
between feed pages, so a slow pull holds an application back for one page at most."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.exc import DBAPIError

from kiosk import outbox
from kiosk.errors import (
    SyncError,
)
from sync.failures import Failure, is_plain
from sync.http import ServerClient, StatusError
from sync.protocol import requests, schema
from sync.protocol.wire import IDEMPOTENCY_HEADER
from sync.run_base import SyncRun

log = logging.getLogger("sync.client")


def _tracking_no(body: Any) -> str | None:
    """The tracking number an application's outbox payload names (top level or under ``issued``)."""
    if not isinstance(body, dict):
        return None
    issued = body.get("issued")
    tn = body.get("tracking_no", issued.get("tracking_no") if isinstance(issued, dict) else None)
    return tn if isinstance(tn, str) else None


class OutboxPush(SyncRun):
    """The push part of a run."""

    def push_while_pulling(self, client: ServerClient) -> None:
        """Deliver what is due between two feed pages (and before a snapshot), so a slow pull holds an
        application back for one page at most. A failure here is this run's push failure: the push is
        not tried again in this run."""
        if self._push_failed:
            return
        try:
            self._push(client)
        except Exception as exc:  # offline, server trouble, disk: recorded once, the pull goes on
            self.session.rollback()
            self._push_failed = True
            self.fail("push_outbox", exc)

    def push_outbox(self, client: ServerClient) -> None:
        """Deliver due outbox entries. An entry counts as delivered only when the answer proves it
        (:func:`sync.protocol.schema.ack_problem`); any other answer keeps the entry, payload and all, and records
        why on it. A refused entry (4xx) waits for its backoff; a network failure or 5xx stops the push
        (and a push that failed between feed pages is not tried again in this run)."""
        try:
            if not self._push_failed:
                self._push(client)
        finally:
            self.purge()

    def _push(self, client: ServerClient) -> None:
        done: set[int] = set()
        while True:
            with self.session.begin():
                batch = [
                    (e.id, e.kind, e.idempotency_key, e.payload)
                    for e in outbox.due(self.session, self._now(), limit=20)
                    if e.id not in done
                ]
            if not batch:
                return
            for entry_id, kind, key, payload in batch:
                done.add(entry_id)
                body = json.loads(payload or "{}")
                try:  # what the server would refuse is kept, not sent (sync.protocol.requests)
                    requests.parse(requests.SUBMISSION_MODELS[kind], body)
                except requests.RequestRefused as exc:
                    log.warning("outbox entry %s (%s) does not fit the protocol: %s", entry_id, kind, exc)
                    self._entry_failed(entry_id, f"本条内容不合传输格式，保留待查：{exc.field or '整体'}")
                    self._record(Failure("push_outbox", "bad-entry", "上传申请和评价失败：一条待发数据格式不对"))
                    continue
                try:
                    answer = client.request(
                        "POST",
                        f"/v1/submissions/{kind}",
                        "发送" + {"application": "申请"}.get(kind, "数据"),
                        body=body,
                        headers={IDEMPOTENCY_HEADER: key},
                        cap=64 * 1024,
                    )
                    tracking_no = _tracking_no(body) if kind == "application" else None
                    problem = schema.ack_problem(kind, key, tracking_no, answer)
                except schema.BadAnswer as exc:  # a 2xx whose body is not even JSON proves nothing
                    problem = str(exc)
                except SyncError as exc:
                    if isinstance(exc, StatusError) and exc.code == "revoked":
                        raise  # the terminal, not the entry, is refused: nothing waits longer once re-enrolled
                    self._entry_failed(entry_id, str(exc))
                    if not (isinstance(exc, StatusError) and 400 <= exc.status < 500):
                        raise  # offline or server trouble: stop for now, retry with backoff
                    log.warning("server refused outbox entry %s (%s)", entry_id, kind)
                    self.fail("push_outbox", exc)
                    continue
                if problem is not None:
                    log.warning("outbox entry %s (%s) not acknowledged: %s", entry_id, kind, problem)
                    self._entry_failed(entry_id, f"服务器回应不能证明已收到，本条保留待重发：{problem}")
                    why = problem if is_plain(problem) else "服务器回执的格式或字段不合规定"
                    self._record(Failure("push_outbox", "no-ack", f"上传申请和评价失败：{why}，本条保留待重发"))
                    continue
                with self.session.begin():
                    entry = self.session.get(outbox.OutboxEntry, entry_id)
                    if entry is not None:
                        outbox.mark_acked(entry, answer, self._now())
                self.report.pushed += 1
                if kind == "application":
                    self.purge()  # the server has it: the terminal's copy of the personal data goes now

    def _entry_failed(self, entry_id: int, why: str) -> None:
        with self.session.begin():
            entry = self.session.get(outbox.OutboxEntry, entry_id)
            if entry is not None:
                outbox.mark_failed(entry, why, self._now())

    def purge(self) -> None:
        """Drop the personal data of every acknowledged application (idempotent: also the start of a run,
        so a crash between an acknowledgement and its purge is made good by the next run)."""
        from kiosk.applications.service import purge_delivered

        try:
            purge_delivered(self.session)
        except (DBAPIError, OSError) as exc:
            self.session.rollback()
            self.fail("purge", exc)
