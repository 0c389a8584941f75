"""Publishing from the office's console (``/admin/office/documents``): a new document, an amendment (修订:
the server keeps the earlier version in ``doc_versions``), a repeal (已废止, naming the replacement) and a
withdrawal — the same functions as ``python -m sync.server publish|repeal|withdraw``. Zone and categories
are chosen from the district's lists; a code not in them is refused here as by the command line.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from kiosk.errors import KioskError
from kiosk.mirror.models import DocStatus
from kiosk.mirror.store import AttachmentRecord, DocumentRecord
from sync.protocol.wire import wire_to_record
from sync.server import pages
from sync.server.db import BlobRow, CategoryRow, FeedDoc, ZoneRow
from sync.server.deps import DB, Ctx, Form, OfficeAccount
from sync.server.errorpages import refusal_page
from sync.server.errors import OfficeError, ServerRefusal
from sync.server.feed.publish import publish_records, repeal, unknown_codes, withdraw
from sync.server.office.case_routes import MAX_FILE_BYTES
from sync.server.office.models import DocVersion

router = APIRouter(tags=["office"])
FIELDS = ("title", "doc_number", "issuer", "published", "effective", "body")
LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "issuer": "发布机关",
    "published": "发布日期",
    "effective": "施行日期",
    "body": "正文（# 开头的行为小标题，- 开头的行为列表）",
}
LISTED = 100  # documents on the list page
MAX_ATTACHMENTS = 50  # per document, as a content pack allows


def _lists(s: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    zones = sorted(
        (json.loads(d).get("sort_order") or 0, c, json.loads(d).get("name", c))
        for c, d in s.execute(select(ZoneRow.code, ZoneRow.data))
    )
    cats = sorted(
        (json.loads(d).get("facet", ""), json.loads(d).get("sort_order") or 0, c, json.loads(d).get("name", c))
        for c, d in s.execute(select(CategoryRow.code, CategoryRow.data))
    )
    return [(c, n) for _, c, n in zones], [(f, c, n) for f, _, c, n in cats]


def _form(s: Session, action: str, rec: DocumentRecord | None, typed: dict[str, Any] | None) -> dict[str, Any]:
    """The document form's values: empty, ``rec``'s fields, or (after a refusal) what was ``typed``, kept."""
    zones, cats = _lists(s)
    value = {k: str(getattr(rec, k) or "") if rec else "" for k in FIELDS}
    zone_now = rec.zone_id if rec else None
    chosen = set(rec.categories) if rec else set()
    if typed is not None:
        value = {k: str(typed.get(k) or "") for k in FIELDS}
        zone_now = str(typed.get("zone") or "") or None
        chosen = set(typed.get("categories") or [])
    return {
        "action": action,
        "new": rec is None,
        "id": str((typed or {}).get("id") or ""),
        "zones": [(c, n, c == zone_now) for c, n in zones],
        "categories": [(c, n, c in chosen) for _f, c, n in cats],
        "fields": [(k, LABELS[k], value[k]) for k in FIELDS],
        "attachments": [(a.sha256, a.name, _size(a.size)) for a in (rec.attachments if rec else ())],
        "max_mb": MAX_FILE_BYTES // 1024 // 1024,
    }


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _attachments(form: dict[str, Any], base: DocumentRecord | None) -> tuple[AttachmentRecord, ...]:
    """The document's attachments: ``base``'s, less those ticked 删除, plus the uploaded files (each a blob
    in the feed, named by sha256 and size exactly as a content pack's attachments are)."""
    dropped = set(form.get("drop_attachment", []))
    kept = [a for a in (base.attachments if base else ()) if a.sha256 not in dropped]
    have = {a.sha256 for a in kept}
    for name, mime, data in form.get("files", []):
        digest = hashlib.sha256(data).hexdigest()
        if digest not in have:
            kept.append(AttachmentRecord(name=name, sha256=digest, size=len(data), mime=mime))
            have.add(digest)
    if len(kept) > MAX_ATTACHMENTS:
        raise OfficeError(f"附件不能超过 {MAX_ATTACHMENTS} 个")
    return tuple(kept)


def _record_from_form(form: dict[str, Any], base: DocumentRecord | None) -> DocumentRecord:
    fields = {k: (str(form.get(k) or "").strip() or None) for k in FIELDS}
    if not fields["title"]:
        raise OfficeError("请填写标题")
    zone = str(form.get("zone") or "").strip() or None
    cats = tuple(dict.fromkeys(str(c) for c in form.get("categories", [])))
    changes: dict[str, Any] = {
        **fields,
        "body": fields["body"] or "",
        "zone_id": zone,
        "categories": cats,
        "attachments": _attachments(form, base),
    }
    if base is not None:
        return replace(base, **changes)
    doc_id = str(form.get("id") or "").strip() or f"doc-{secrets.token_hex(6)}"
    return DocumentRecord(id=doc_id, title=str(fields["title"]), **{k: v for k, v in changes.items() if k != "title"})


def _listing(
    request: Request,
    s: Session,
    q: str,
    error: str = "",
    *,
    status: int = 200,
    typed: dict[str, Any] | None = None,
    page: int = 1,
) -> Response:
    """The list, newest first, ``LISTED`` a page; ``q`` finds a title or id."""
    names = dict(_lists(s)[0])
    found = []
    for fd in s.scalars(select(FeedDoc).where(FeedDoc.op == "put").order_by(FeedDoc.seq.desc())):
        doc = json.loads(fd.payload)["doc"]
        if q and q not in doc.get("title", "") and q not in fd.id:
            continue
        found.append((fd, doc))
    pages_n = max(1, -(-len(found) // LISTED))
    page = min(max(page, 1), pages_n)
    rows = [
        (
            fd.id,
            doc.get("title", ""),
            names.get(fd.zone, fd.zone) if fd.zone else "全区",
            DocStatus(doc.get("status", "in_force")).label,
            doc.get("version", 1),
        )
        for fd, doc in found[(page - 1) * LISTED : page * LISTED]
    ]
    form = _form(s, "/admin/office/documents", None, typed)
    return pages.render(
        request,
        "documents.html",
        status,
        q=q,
        rows=rows,
        form=form,
        error=error,
        total=len(found),
        page=page,
        pages=pages_n,
    )


@router.get("/admin/office/documents", response_class=HTMLResponse, summary="Office: published documents")
def documents(request: Request, session: DB, _who: OfficeAccount, q: str = "", page: int = 1) -> Response:
    return _listing(request, session, q, page=page)


def _form_dict(form: FormData) -> dict[str, Any]:
    """The form's text fields, its ticked categories and attachments to drop, and the uploaded files as
    (name, mime, bytes); a file over the cap is refused (``OfficeError``) before anything is published."""
    out: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    out["categories"] = [v for v in form.getlist("categories") if isinstance(v, str)]
    out["drop_attachment"] = [v for v in form.getlist("drop_attachment") if isinstance(v, str)]
    files = []
    for up in form.getlist("files"):
        if not isinstance(up, UploadFile) or not up.filename:
            continue  # the browser sends an empty part when no file was chosen
        data = up.file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            out["too_big"] = f"附件 {up.filename[:200]} 超过 {MAX_FILE_BYTES // 1024 // 1024} MB"
            continue
        if data:
            mime = (up.content_type or "application/octet-stream")[:80]
            files.append((up.filename.strip()[:200], mime, data))
    out["files"] = files
    return out


def _publish(s: Session, rec: DocumentRecord, form: dict[str, Any], actor: str) -> None:
    if form.get("too_big"):
        raise OfficeError(str(form["too_big"]))
    bad = unknown_codes(s, [(1, rec)])
    if bad:
        raise OfficeError("；".join(why for _, why in bad))
    blobs = {hashlib.sha256(data).hexdigest(): data for _n, _m, data in form.get("files", [])}
    used = {a.sha256 for a in rec.attachments}
    publish_records(s, [rec], blobs={k: v for k, v in blobs.items() if k in used}, actor=actor)


@router.post("/admin/office/documents", summary="Office: publish a new document")
def publish_new(request: Request, session: DB, who: OfficeAccount, posted: Form) -> Response:
    form = _form_dict(posted)
    try:
        rec = _record_from_form(form, None)
        if session.get(FeedDoc, rec.id) is not None:
            raise OfficeError(f"编号 {rec.id} 已被使用：修订请打开该文件")
        _publish(session, rec, form, who.username)
        session.commit()
    except (KioskError, ServerRefusal, ValueError) as exc:
        session.rollback()
        return _listing(request, session, "", f"未发布：{exc}", status=400, typed=form)
    return RedirectResponse(f"/admin/office/documents/{rec.id}", status_code=303)


def _current(s: Session, doc_id: str) -> DocumentRecord | None:
    fd = s.get(FeedDoc, doc_id)
    if fd is None or fd.op != "put":
        return None
    return wire_to_record(json.loads(fd.payload)["doc"])


def _detail(
    request: Request,
    s: Session,
    doc_id: str,
    error: str = "",
    *,
    status: int = 200,
    typed: dict[str, Any] | None = None,
) -> Response:
    rec = _current(s, doc_id)
    if rec is None:
        detail = f"没有编号为 {doc_id} 的已发布文件（可能已撤回）。"
        back = "/admin/office/documents"
        return refusal_page(
            request, 404, "没有这份文件", "没有这份文件。", detail=detail, back=back, back_label="返回列表"
        )
    versions = [
        (v.version, json.loads(v.payload)["doc"].get("title", ""), pages.beijing(v.replaced_at), v.replaced_by)
        for v in s.scalars(select(DocVersion).where(DocVersion.doc_id == doc_id).order_by(DocVersion.version.desc()))
    ]
    form = _form(s, f"/admin/office/documents/{doc_id}", rec, typed)
    return pages.render(request, "document.html", status, rec=rec, form=form, versions=versions, error=error)


@router.get("/admin/office/documents/{doc_id}", response_class=HTMLResponse, summary="Office: one document")
def document(request: Request, session: DB, _who: OfficeAccount, doc_id: str) -> Response:
    return _detail(request, session, doc_id)


@router.post("/admin/office/documents/{doc_id}", summary="Office: amend a document (修订)")
def amend(request: Request, session: DB, who: OfficeAccount, doc_id: str, posted: Form) -> Response:
    form = _form_dict(posted)
    base = _current(session, doc_id)
    if base is None:
        return _detail(request, session, doc_id)
    try:
        _publish(session, _record_from_form(form, base), form, who.username)
        session.commit()
    except (KioskError, ServerRefusal, ValueError) as exc:
        session.rollback()
        return _detail(request, session, doc_id, f"未发布：{exc}", status=400, typed=form)
    return RedirectResponse(f"/admin/office/documents/{doc_id}", status_code=303)


@router.get("/admin/office/documents/{doc_id}/attachments/{sha}", summary="Office: a document's attachment")
def attachment(request: Request, session: DB, _who: OfficeAccount, doc_id: str, sha: str) -> Response:
    """The bytes the terminals receive for one of the current version's attachments."""
    rec = _current(session, doc_id)
    att = next((a for a in (rec.attachments if rec else ()) if a.sha256 == sha), None)
    blob = session.get(BlobRow, sha) if att is not None else None
    if att is None or blob is None:
        back = f"/admin/office/documents/{doc_id}"
        return refusal_page(request, 404, "没有这个附件", "没有这个附件。", back=back, back_label="返回文件")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(att.name)}"}
    return Response(blob.data, media_type=att.mime, headers=headers)


@router.post("/admin/office/documents/{doc_id}/repeal", summary="Office: repeal a document (已废止)")
def repeal_doc(  # noqa: PLR0917 - the request, what it needs and the document
    request: Request, session: DB, ctx: Ctx, who: OfficeAccount, doc_id: str, form: Form
) -> Response:
    by = str(form.get("by") or "").strip() or None
    if form.get("confirm") != "yes":  # 废止 cannot be undone: the form asks for a tick
        return _detail(request, session, doc_id, "未废止：请勾选确认", status=400)
    try:
        repeal(ctx.engine, doc_id, by, actor=who.username)
    except (KioskError, ServerRefusal) as exc:
        return _detail(request, session, doc_id, f"未废止：{exc}", status=400)
    return RedirectResponse(f"/admin/office/documents/{doc_id}", status_code=303)


@router.post("/admin/office/documents/{doc_id}/withdraw", summary="Office: withdraw a document")
def withdraw_doc(request: Request, session: DB, ctx: Ctx, _who: OfficeAccount, doc_id: str, form: Form) -> Response:
    if form.get("confirm") != "yes":  # the terminals delete it: the form asks for a tick
        return _detail(request, session, doc_id, "未撤回：请勾选确认", status=400)
    try:
        withdraw(ctx.engine, doc_id)
    except (KioskError, ServerRefusal) as exc:
        return _detail(request, session, doc_id, f"未撤回：{exc}", status=400)
    return RedirectResponse("/admin/office/documents", status_code=303)
