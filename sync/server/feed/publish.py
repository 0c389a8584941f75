"""Publishing on the district server: content packs in, feed entries out.

Every change to a document (new, amended, status change, repeal, deletion) takes the next feed sequence
number, so a terminal that has applied everything up to sequence N needs exactly the rows above N. A
document keeps one row (its latest state), which keeps the feed compacted: a first sync downloads each
document once, however often it was amended.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kiosk.contentpack import parse_pack
from kiosk.errors import ContentPackError, os_reason
from kiosk.mirror.models import Category, DocStatus, Zone
from kiosk.mirror.store import DocumentRecord
from sync.protocol.signing import canonical
from sync.protocol.wire import (
    HISTORY_FIELDS,
    MAX_HISTORY_VERSIONS,
    bounded_history,
    history_entry,
    record_to_wire,
    wire_to_record,
)
from sync.server.db import BlobRow, CategoryRow, FeedDoc, ZoneRow, lock_head, meta_set, sessions
from sync.server.errors import PublishError
from sync.server.feed import chain
from sync.server.office.models import DocVersion


def zone_to_wire(z: Zone) -> dict[str, Any]:
    return {
        "code": z.code,
        "name": z.name,
        "kind": z.kind,
        "prefix": z.prefix,
        "address": z.address or "",
        "hours": z.hours or "",
        "phone": z.phone or "",
        "sort_order": z.sort_order or 0,
    }


def category_to_wire(c: Category) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "facet": c.facet,
        "sort_order": c.sort_order or 0,
        "icon": c.icon or "",
        "description": c.description or "",
    }


def _content_hash(wire: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in wire.items() if k != "version"})).hexdigest()


def _history(session: Session, doc_id: str, current: dict[str, Any]) -> list[dict[str, Any]]:
    """The earlier versions a feed entry carries (newest first, bounded): a kept version whose text is the
    same as the next newer one's (a status change such as a repeal, not a 修订) is left out."""
    out: list[dict[str, Any]] = []
    newer = {k: current.get(k) for k in HISTORY_FIELDS}
    query = select(DocVersion).where(DocVersion.doc_id == doc_id).order_by(DocVersion.version.desc()).limit(50)
    for v in session.scalars(query):
        doc = json.loads(v.payload).get("doc") or {}
        text = {k: doc.get(k) for k in HISTORY_FIELDS}
        if text == newer:
            continue
        newer = text
        out.append(history_entry(doc, v.version, v.replaced_at.strftime("%Y-%m-%dT%H:%M:%SZ")))
        if len(out) >= MAX_HISTORY_VERSIONS:
            break
    return bounded_history(out)


def _put(session: Session, seq: int, rec: DocumentRecord, actor: str = "") -> FeedDoc:
    wire = record_to_wire(rec)
    payload: dict[str, Any] = {"kind": "document", "seq": seq, "op": "put", "id": rec.id, "doc": wire}
    row = session.get(FeedDoc, rec.id)
    if row is not None and row.op == "put":  # the earlier version is kept (修订 history, office console)
        kept = json.loads(row.payload)
        kept.pop("history", None)  # each version is kept once, not again inside its successors
        kept_text = canonical(kept).decode("utf-8")
        session.add(DocVersion(doc_id=rec.id, version=row.version, payload=kept_text, replaced_by=actor))
        session.flush()
    history = _history(session, rec.id, wire)
    if history:  # optional: a terminal that does not know the field ignores it
        payload["history"] = history
    if row is None:
        row = FeedDoc(id=rec.id)
        session.add(row)
    elif row.zone != rec.zone_id:
        row.prev_zone = row.zone if row.zone is not None else "*"
    else:
        row.prev_zone = None
    row.seq, row.zone, row.op, row.version = seq, rec.zone_id, "put", rec.version
    row.content_hash = _content_hash(wire)
    row.payload = canonical(payload).decode("utf-8")
    chain.append(session, seq, row.payload)
    return row


def content_hash(wire: dict[str, Any]) -> str:
    """The hash that tells an amendment from an unchanged document (the preview's test too)."""
    return _content_hash(wire)


def unknown_codes(
    session: Session,
    records: Sequence[tuple[int, DocumentRecord]],
    zones: Sequence[Zone] = (),
    categories: Sequence[Category] = (),
) -> list[tuple[int, str]]:
    """(line, reason) for each of ``records`` naming a zone or category the district does not have: the
    office console's check, the same rule as a content pack's."""
    pack = SimpleNamespace(documents=records, zones=[(0, z) for z in zones], categories=[(0, c) for c in categories])
    return pack_unknown_codes(session, pack)


def publish_records(
    session: Session,
    records: list[DocumentRecord],
    zones: Sequence[Zone] = (),
    categories: Sequence[Category] = (),
    blobs: dict[str, bytes] | None = None,
    *,
    actor: str = "",
) -> dict[str, int]:
    """Publish in the caller's transaction; amended content gets a version above the server's."""
    counts = {"new": 0, "amended": 0, "unchanged": 0, "zones": 0, "categories": 0, "blobs": 0}
    for sha, data in (blobs or {}).items():
        if session.get(BlobRow, sha) is None:
            session.add(BlobRow(sha256=sha, size=len(data), data=data))
            counts["blobs"] += 1
    for z in zones:
        session.merge(ZoneRow(code=z.code, data=json.dumps(zone_to_wire(z), ensure_ascii=False)))
        counts["zones"] += 1
    for c in categories:
        session.merge(CategoryRow(code=c.code, data=json.dumps(category_to_wire(c), ensure_ascii=False)))
        counts["categories"] += 1
    head = lock_head(session)
    for rec in records:
        row = session.get(FeedDoc, rec.id)
        if row is not None and row.op == "put" and row.content_hash == _content_hash(record_to_wire(rec)):
            counts["unchanged"] += 1
            continue
        out = rec
        if row is not None:
            out = dataclasses.replace(rec, version=max(rec.version, row.version + 1))
            counts["amended"] += 1
        else:
            counts["new"] += 1
        head += 1
        _put(session, head, out, actor)
        session.flush()
    meta_set(session, "head_seq", str(head))
    return counts


_NOWHERE = "服务器上没有，本次也未一并发布；请改用已有的代码，或先发布它"


def pack_unknown_codes(session: Session, parsed: Any) -> list[tuple[int, str]]:
    """Documents naming a zone or category that neither this pack nor the server has (line, why)."""
    zones = {z.code for _, z in parsed.zones} | set(session.scalars(select(ZoneRow.code)))
    cats = {c.code for _, c in parsed.categories} | set(session.scalars(select(CategoryRow.code)))
    problems = []
    for line, rec in parsed.documents:
        if rec.zone_id is not None and rec.zone_id not in zones:
            problems.append((line, f"文件 {rec.id}：没有这个专区（zone）{rec.zone_id!r}，{_NOWHERE}"))
        missing = [c for c in rec.categories if c not in cats]
        if missing:
            problems.append((line, f"文件 {rec.id}：没有这些分类（categories）{', '.join(missing)}，{_NOWHERE}"))
    return problems


def publish_pack(engine: Engine, path: Path) -> dict[str, int]:
    """Publish a content pack (all or nothing: a bad line publishes nothing)."""
    try:
        parsed = parse_pack(path)
    except OSError as exc:
        raise ContentPackError([(0, f"无法读取 {path}：{os_reason(exc)}")]) from None
    if parsed.problems:
        raise ContentPackError(parsed.problems)
    with sessions(engine)() as session, session.begin():
        unknown = pack_unknown_codes(session, parsed)
        if unknown:
            raise ContentPackError(unknown)
        return publish_records(
            session,
            [rec for _, rec in parsed.documents],
            [z for _, z in parsed.zones],
            [c for _, c in parsed.categories],
            {b.sha256: b.data for b in parsed.blobs},
        )


def repeal(engine: Engine, doc_id: str, by: str | None = None, *, actor: str = "") -> int:
    """Mark a document repealed (已废止), optionally naming its replacement; returns the new sequence."""
    with sessions(engine)() as session, session.begin():
        row = session.get(FeedDoc, doc_id)
        if row is None or row.op != "put":
            raise PublishError(f"没有文件编号为 {doc_id!r} 的已发布文件")
        if by is not None:
            other = session.get(FeedDoc, by)
            if other is None or other.op != "put":
                raise PublishError(f"没有文件编号为 {by!r} 的已发布文件，不能把它写作替代文件")
        rec = wire_to_record(json.loads(row.payload)["doc"])
        rec = dataclasses.replace(rec, status=DocStatus.REPEALED, superseded_by=by, version=row.version + 1)
        head = lock_head(session) + 1
        _put(session, head, rec, actor)
        meta_set(session, "head_seq", str(head))
        return head


def withdraw(engine: Engine, doc_id: str) -> int:
    """Delete a document from every mirror (a tombstone travels in the feed); returns the new sequence."""
    with sessions(engine)() as session, session.begin():
        row = session.get(FeedDoc, doc_id)
        if row is None or row.op != "put":
            raise PublishError(f"没有文件编号为 {doc_id!r} 的已发布文件")
        head = lock_head(session) + 1
        payload = {"kind": "document", "seq": head, "op": "delete", "id": doc_id, "zone": row.zone}
        row.seq, row.op, row.version = head, "delete", row.version + 1
        row.content_hash = ""
        row.payload = canonical(payload).decode("utf-8")
        chain.append(session, head, row.payload)
        meta_set(session, "head_seq", str(head))
        return head
