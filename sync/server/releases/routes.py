"""What terminals read of releases: the signed list (``GET /v1/releases``) and an archive's bytes
(``GET /v1/releases/{version}/archive``, ``Range: bytes=N-`` or ``bytes=N-M`` so a terminal fetches a
large bundle in slices over several runs and resumes after any interruption)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse

from sync.protocol.signing import canonical
from sync.server.db import begin_read
from sync.server.deps import DB, ApiError, Ctx, Term, json_text
from sync.server.releases import store
from sync.server.releases.models import ReleaseRow

router = APIRouter(tags=["releases"])
_RANGE = re.compile(r"bytes=(\d{1,18})-(\d{0,18})")


@router.get("/v1/releases", summary="The releases offered to terminals, signed (role: release)")
def get_releases(_t: Term, session: DB, ctx: Ctx) -> Response:
    begin_read(session)
    signed = store.signed_releases(session, ctx.signer)
    session.rollback()
    return json_text(canonical(signed))


@router.get("/v1/releases/{version}/archive", summary="A release's archive (supports Range: bytes=N- and bytes=N-M)")
def get_archive(
    _t: Term,
    session: DB,
    ctx: Ctx,
    version: str,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    begin_read(session)
    row = session.get(ReleaseRow, version) if len(version) <= 40 else None
    found = (row.version, row.sha256) if row is not None else None
    session.rollback()  # nothing of the database is held while the archive streams
    folder = ctx.settings.release_dir
    if found is None or folder is None or not store.archive_path(folder, found[0]).is_file():
        raise ApiError(404, "not_found", "no such release")
    path = store.archive_path(folder, found[0])
    size = path.stat().st_size
    start, end, status = 0, size - 1, 200
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{found[1]}"'}
    if range_header:
        m = _RANGE.fullmatch(range_header.strip())
        if not m or int(m.group(1)) >= size:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        start, status = int(m.group(1)), 206
        if m.group(2):
            end = min(end, int(m.group(2)))
        if end < start:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)

    def chunks() -> Iterator[bytes]:
        left = end - start + 1
        with path.open("rb") as f:
            f.seek(start)
            while left > 0:
                data = f.read(min(256 * 1024, left))
                if not data:
                    return
                left -= len(data)
                yield data

    return StreamingResponse(chunks(), status, headers=headers, media_type="application/octet-stream")
