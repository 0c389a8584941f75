"""The read side of the sync protocol (``docs/protocol.md``), for any enrolled terminal: the signed
manifest, one page of the changes feed, blobs and first-sync snapshots by sha256 (Range-resumable), and
the signed zone, category and calendar lists."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import func, select

from sync.protocol.signing import Signer, canonical
from sync.protocol.wire import DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES, PAGE_BYTE_BUDGET
from sync.server.db import BlobRow, FeedDoc, begin_read, head_seq
from sync.server.deps import DB, ApiError, Ctx, Term, json_text
from sync.server.feed import calendar as cal
from sync.server.feed import chain
from sync.server.feed import snapshot as snapshots
from sync.server.feed.manifest import current_manifest, list_payload

router = APIRouter(tags=["feed"])
_SHA256 = re.compile(r"[0-9a-f]{64}")


def envelope_text(signer: Signer, payload_text: str) -> str:
    """Sign stored canonical payload text without re-encoding it (keys in sorted order)."""
    sig = base64.b64encode(signer.private.sign(b"zwgk-sync-v1\n" + payload_text.encode("utf-8"))).decode("ascii")
    return f'{{"key_id":"{signer.key_id}","payload":{payload_text},"sig":"{sig}"}}'


@router.get("/v1/manifest", summary="The signed manifest: version, expiry, feed head, list hashes")
def get_manifest(_t: Term, session: DB, ctx: Ctx) -> Response:
    return json_text(
        current_manifest(
            session,
            ctx.signer,
            ctx.settings.manifest_ttl_s,
            ctx.settings.state_file,
            with_chain=ctx.settings.fork_check,
        )
    )


@router.get("/v1/changes", summary="One page of the changes feed, ordered by sequence number")
def get_changes(  # noqa: PLR0917 - FastAPI reads the query parameters from the signature
    t: Term,
    session: DB,
    ctx: Ctx,
    after: Annotated[int, Query(ge=0, description="the terminal's cursor: last sequence applied")] = 0,
    until: Annotated[int | None, Query(ge=0, description="the manifest's head_seq; nothing above it")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_ENTRIES)] = DEFAULT_PAGE_ENTRIES,
    scope: Annotated[str, Query(pattern="^(own|all)$", description="own: district-wide + own zone")] = "own",
) -> Response:
    begin_read(session)  # one snapshot of the feed for the whole page; no wait for a writer
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
    size, last, full = 0, after, False
    for seq, payload in result:
        text = envelope_text(ctx.signer, payload)
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
    # cursor goes next, so nobody in the middle can drop entries or move the cursor past them; and the
    # feed's epoch and hash-chain values at both ends, so a terminal can tell that the feed it holds up to
    # its cursor is still the server's (docs/protocol.md, "Fork check").
    fields = {
        "kind": "page",
        "after": after,
        "until": top,
        "scope": scope,
        "zone": t.zone if scope == "own" else None,
        "seqs": seqs,
        "next_after": next_after,
        "more": more,
    }
    if ctx.settings.fork_check:
        fields |= chain.page_fields(session, after, next_after)
    page = ctx.signer.sign(fields)
    # End the read transaction here, in this worker thread (the session itself is closed only after the
    # answer went out on the event loop).
    session.rollback()
    body = (
        f'{{"entries":[{",".join(parts)}],"head_seq":{head},"page":{canonical(page).decode("utf-8")},'
        f'"remaining":{remaining}}}'
    )
    return json_text(body.encode("utf-8"))


@router.get("/v1/blobs/{sha256}", summary="An attachment's bytes by sha256 (supports Range: bytes=N-)")
def get_blob(
    _t: Term, session: DB, sha256: str, range_header: Annotated[str | None, Header(alias="Range")] = None
) -> Response:
    if not _SHA256.fullmatch(sha256):
        raise ApiError(400, "bad_request", "a blob is named by 64 lowercase hex digits")
    begin_read(session)
    row = session.get(BlobRow, sha256)
    found = row.data if row is not None else None
    session.rollback()
    if found is None:
        raise ApiError(404, "not_found", "no such blob")
    data = found
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


@router.get("/v1/snapshot", summary="The signed descriptor of the newest first-sync snapshot of a scope")
def get_snapshot(
    t: Term,
    session: DB,
    ctx: Ctx,
    scope: Annotated[str, Query(pattern="^(own|all)$", description="own: district-wide + own zone")] = "own",
) -> Response:
    zone = t.zone if scope == "own" else None
    folder = ctx.settings.snapshot_dir
    if folder is None:
        raise ApiError(404, "not_found", "this server offers no snapshots")
    begin_read(session)
    head = head_seq(session)
    session.rollback()  # the build's lease is taken in a transaction of its own
    if ctx.builder is not None:
        ctx.builder.want(scope, zone, head)
    env = snapshots.descriptor(folder, scope, zone)
    if env is None:
        raise ApiError(404, "not_found", "no snapshot of this scope yet")
    return json_text(json.dumps(env, ensure_ascii=False))


@router.get("/v1/snapshot/{sha256}", summary="A snapshot's bytes by sha256 (supports Range: bytes=N-)")
def get_snapshot_body(
    _t: Term, ctx: Ctx, sha256: str, range_header: Annotated[str | None, Header(alias="Range")] = None
) -> Response:
    folder = ctx.settings.snapshot_dir
    if not _SHA256.fullmatch(sha256) or folder is None:
        raise ApiError(404, "not_found", "no such snapshot")
    path = snapshots.body_path(folder, sha256)
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


@router.get("/v1/keys", summary="The online keys the district's offline root certified, and root rotations")
def get_keys(_t: Term, ctx: Ctx) -> Response:
    folder = ctx.settings.key_dir
    if folder is None:
        raise ApiError(404, "not_found", "this server hands out no key set")
    roots = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((folder / "roots").glob("root-*.json"))]
    keyset_path = folder / "keyset.json"
    keyset = json.loads(keyset_path.read_text(encoding="utf-8")) if keyset_path.is_file() else None
    if keyset is None and not roots:
        raise ApiError(404, "not_found", "no key set: the signing key is the pinned one")
    return json_text(json.dumps({"roots": roots, "keyset": keyset}, ensure_ascii=False))


@router.get("/v1/zones", summary="The district's zones, signed")
def get_zones(_t: Term, session: DB, ctx: Ctx) -> Response:
    begin_read(session)
    payload = list_payload(session, "zones")
    session.rollback()
    return json_text(canonical(ctx.signer.sign(payload)))


@router.get("/v1/categories", summary="The categories, signed")
def get_categories(_t: Term, session: DB, ctx: Ctx) -> Response:
    begin_read(session)
    payload = list_payload(session, "categories")
    session.rollback()
    return json_text(canonical(ctx.signer.sign(payload)))


@router.get("/v1/calendar", summary="Holidays and make-up working days per year, signed")
def get_calendar(_t: Term, session: DB, ctx: Ctx) -> Response:
    begin_read(session)
    payload = cal.build_payload(session)
    session.rollback()
    return json_text(canonical(ctx.signer.sign(payload)))
