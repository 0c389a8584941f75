"""``POST /v1/acks``: after a restore, a terminal reports the tracking numbers the server once acknowledged
to it (its outbox keeps a stub without personal data for each); the server records those its restored
database no longer has (:class:`sync.server.recovery.LostApplication`), for the office to follow up.

Body ``{"epoch": N, "acked": [{"tracking_no": "WB-20261127-0001", "acked_at": "…Z"}, …]}`` (at most
:data:`~sync.protocol.wire.MAX_ACKS_REPORTED` items, :data:`~sync.protocol.wire.MAX_ACKS_BYTES`); answer
``{"status": "accepted", "kind": "acks", "reported": N, "missing": M}``. Repeating a report records nothing
twice."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError
from starlette.concurrency import run_in_threadpool

from sync.protocol.schema import IsoTime, Strict
from sync.protocol.wire import MAX_ACKS_BYTES, MAX_ACKS_REPORTED
from sync.server.deps import DB, ApiError, Term, json_text
from sync.server.recovery import report_acked
from sync.server.terminals.submissions import read_capped

router = APIRouter(tags=["terminals"])
_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")


class AckedItem(Strict):
    tracking_no: Annotated[str, Field(pattern=_TRACKING.pattern)]
    acked_at: IsoTime | None = None


class AckReport(Strict):
    epoch: Annotated[int, Field(ge=1, le=2**31)]
    acked: Annotated[list[AckedItem], Field(max_length=MAX_ACKS_REPORTED)]


@router.post("/v1/acks", summary="After a restore: the tracking numbers this server once acknowledged")
async def post_acks(request: Request, t: Term, session: DB) -> Response:
    raw = await read_capped(request, MAX_ACKS_BYTES, "acks", f"terminal {t.id}")
    try:
        report = AckReport.model_validate(raw, strict=True)
    except PydanticValidationError:
        raise ApiError(422, "invalid", "acks: epoch and a list of {tracking_no, acked_at} expected") from None
    items = [(i.tracking_no, i.acked_at) for i in report.acked]

    def record() -> int:  # in a worker thread: waiting for SQLite's write lock must not stall the event loop
        with session.begin():
            return report_acked(session, t.id, t.zone, report.epoch, items)

    missing = await run_in_threadpool(record)
    body = {"status": "accepted", "kind": "acks", "reported": len(report.acked), "missing": missing}
    return json_text(json.dumps(body))
