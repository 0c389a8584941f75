"""Publishing a content pack from the office's console in two steps, as ``python -m sync.server publish``
does on the command line: the upload shows first what publishing would do — new documents, amendments (same
id) with the categories each drops, unchanged — and only 确认发布 publishes it. The uploaded pack waits on the
server under its sha256 (content-addressed, so the confirmation names exactly what was previewed and nothing
is uploaded twice); an amendment that drops categories needs a tick, as the command line needs ``--yes``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from kiosk.contentpack import parse_pack
from kiosk.errors import ContentPackError
from sync.server import pages
from sync.server.db import CategoryRow, begin_read
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.feed.preview import Preview, preview_pack
from sync.server.feed.publish import publish_pack

router = APIRouter(tags=["office"])
MAX_PACK_BYTES = 50 * 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")
LISTED = 200  # documents named per kind on the preview page


STALE_S = 24 * 3600  # an upload nobody confirmed is removed after a day


def pending_dir() -> Path:
    """Where uploaded packs wait for 确认发布 (the directory holding every ``pending_pack``)."""
    d = Path(tempfile.gettempdir()) / "zwgk-pending-packs"
    d.mkdir(mode=0o700, exist_ok=True)
    return d


def pending_pack(sha: str) -> Path:
    """The waiting pack named by its sha256, alone in its own folder: an attachment given by ``path`` cannot
    read another upload (an uploaded pack carries its attachments inline or by sha256 reference)."""
    return pending_dir() / sha / "pack.jsonl"


def _forget(sha: str) -> None:
    path = pending_pack(sha)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


def _sweep(now: float) -> None:
    """Remove uploads left unconfirmed for more than ``STALE_S``."""
    for folder in pending_dir().iterdir():
        with contextlib.suppress(OSError):
            if SHA256.fullmatch(folder.name) and now - folder.stat().st_mtime > STALE_S:
                _forget(folder.name)


def _problems(exc: ContentPackError) -> list[str]:
    return [f"第 {n} 行：{why}" if n else why for n, why in exc.problems[:50]]


def _page(request: Request, status: int = 200, /, **context: object) -> Response:
    defaults: dict[str, object] = {
        "cat_names": {},
        "titles": {},
        "sha": "",
        "preview": None,
        "problems": [],
        "done": None,
        "error": "",
        "filename": "",
    }
    return pages.render(request, "pack_preview.html", status, listed=LISTED, **{**defaults, **context})


def _preview(ctx: Ctx, path: Path) -> Preview:
    return preview_pack(ctx.engine, path)


def _names(session: Session, path: Path) -> dict[str, object]:
    """The Chinese names the preview page shows: each category code's name, each document id's title (read
    in a transaction of its own, ended before anything is published)."""
    begin_read(session)
    rows = session.execute(select(CategoryRow.code, CategoryRow.data))
    cats = {c: json.loads(d).get("name", c) for c, d in rows}
    session.rollback()
    titles = {rec.id: rec.title for _, rec in parse_pack(path).documents}
    return {"cat_names": cats, "titles": titles}


@router.post("/admin/office/documents/pack", response_class=HTMLResponse, summary="Office: preview a content pack")
def upload_pack(request: Request, session: DB, ctx: Ctx, _who: OfficeAccount, form: Form) -> Response:
    upload = form.get("pack")
    data = upload.file.read(MAX_PACK_BYTES + 1) if isinstance(upload, UploadFile) else b""
    name = str(getattr(upload, "filename", "") or "")[:200]
    if not data:
        return _page(request, 400, error="未预览：请选择内容包文件（.jsonl）")
    if len(data) > MAX_PACK_BYTES:
        return _page(request, 400, error=f"未预览：内容包超过 {MAX_PACK_BYTES // 1024 // 1024} MB")
    sha = hashlib.sha256(data).hexdigest()
    _sweep(time.time())
    path = pending_pack(sha)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    os.utime(path.parent)  # uploaded again: its day starts now
    try:
        shown = _preview(ctx, path)
    except ContentPackError as exc:
        _forget(sha)
        return _page(request, 400, filename=name, problems=_problems(exc), error="内容包有错误，未发布任何内容")
    return _page(request, sha=sha, preview=shown, filename=name, **_names(session, path))


@router.post(
    "/admin/office/documents/pack/{sha}", response_class=HTMLResponse, summary="Office: publish a previewed pack"
)
def publish_previewed(request: Request, session: DB, ctx: Ctx, _who: OfficeAccount, sha: str, form: Form) -> Response:
    if not SHA256.fullmatch(sha) or not pending_pack(sha).exists():
        return _page(request, 404, error="未发布：没有这份待确认的内容包（可能已发布），请重新上传")
    path = pending_pack(sha)
    try:
        shown = _preview(ctx, path)  # again: the server may have changed since the preview
        if shown.drops and form.get("drops") != "yes":
            return _page(request, 400, sha=sha, preview=shown, error="未发布：有修订会删除已有分类，请勾选确认后再发布")
        names = _names(session, path)
        counts = publish_pack(ctx.engine, path)
    except ContentPackError as exc:
        return _page(request, 400, problems=_problems(exc), error="内容包有错误，未发布任何内容")
    _forget(sha)
    return _page(request, preview=shown, done=counts, **names)
