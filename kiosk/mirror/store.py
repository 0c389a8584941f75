"""Writing to the mirror: the one place documents, zones and categories are inserted, replaced or removed.

Both the content-pack importer and the sync client go through :func:`apply_document`, which keeps the
version rule (same id and version: nothing, unless the status changed; higher version: replace; lower:
ignore) and keeps the search index in step inside the same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import kiosk.search.index as search_index
from kiosk.mirror.models import (
    Attachment,
    Category,
    DocHistory,
    DocStatus,
    Document,
    DocumentCategory,
    KeyValue,
    Zone,
)


@dataclass(frozen=True)
class AttachmentRecord:
    name: str
    sha256: str
    size: int
    mime: str = "application/pdf"


@dataclass(frozen=True)
class DocumentRecord:
    """A document as it arrives from a content pack or the district server."""

    id: str
    title: str
    version: int = 1
    doc_number: str | None = None
    issuer: str | None = None
    zone_id: str | None = None
    level: str | None = None
    region: str | None = None
    published: str | None = None
    effective: str | None = None
    status: DocStatus = DocStatus.IN_FORCE
    superseded_by: str | None = None
    supersedes: str | None = None
    interprets: str | None = None
    body: str = ""
    body_format: str = "markdown"
    public_url: str | None = None
    source: str | None = None
    categories: tuple[str, ...] = ()
    attachments: tuple[AttachmentRecord, ...] = ()
    extra: dict[str, Any] | None = field(default=None, hash=False, compare=False)


class Outcome(enum.StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    STATUS_CHANGED = "status_changed"
    UNCHANGED = "unchanged"
    OLDER = "older"  # a lower version than the mirror holds: ignored


def _fill(doc: Document, rec: DocumentRecord, seq: int) -> None:
    doc.version = rec.version
    doc.title = rec.title
    doc.doc_number = rec.doc_number
    doc.issuer = rec.issuer
    doc.zone_id = rec.zone_id
    doc.level = rec.level
    doc.region = rec.region
    doc.published = rec.published
    doc.effective = rec.effective
    doc.status = rec.status.value
    doc.superseded_by = rec.superseded_by
    doc.supersedes = rec.supersedes
    doc.interprets = rec.interprets
    doc.body = rec.body
    doc.body_format = rec.body_format
    doc.public_url = rec.public_url
    doc.source = rec.source
    doc.extra = rec.extra
    doc.seq = seq


def _set_children(session: Session, doc: Document, rec: DocumentRecord, present: set[str]) -> None:
    session.execute(delete(DocumentCategory).where(DocumentCategory.document_id == rec.id))
    for code in dict.fromkeys(rec.categories):
        session.add(DocumentCategory(document_id=rec.id, category_code=code))
    doc.attachments = [
        Attachment(position=i, name=a.name, sha256=a.sha256, size=a.size, mime=a.mime, present=a.sha256 in present)
        for i, a in enumerate(rec.attachments)
    ]


def _new_document(session: Session, rec: DocumentRecord, seq: int, present: set[str]) -> Document:
    """A pending Document with its attachments and category rows (no database round trip yet)."""
    doc = Document(id=rec.id)
    _fill(doc, rec, seq)
    doc.attachments = [  # set on a pending object: no lazy load
        Attachment(position=i, name=a.name, sha256=a.sha256, size=a.size, mime=a.mime, present=a.sha256 in present)
        for i, a in enumerate(rec.attachments)
    ]
    session.add(doc)
    session.add_all(DocumentCategory(document_id=rec.id, category_code=c) for c in dict.fromkeys(rec.categories))
    return doc


def apply_document(
    session: Session, rec: DocumentRecord, *, seq: int = 0, present_blobs: set[str] | None = None
) -> Outcome:
    """Insert or replace one document by the version rule, in the caller's transaction.

    ``present_blobs`` names the attachment blobs already verified in the blob store; attachments whose
    blob is not yet there are stored with ``present=False`` until the sync client fetches them.
    """
    present = present_blobs or set()
    doc = session.scalar(select(Document).where(Document.id == rec.id))
    if doc is None:
        doc = _new_document(session, rec, seq, present)
        session.flush()
        search_index.index_document(session, doc)
        return Outcome.INSERTED
    return _apply_existing(session, doc, rec, seq, present)


def apply_documents(
    session: Session,
    recs: list[DocumentRecord],
    *,
    seq: int = 0,
    seqs: list[int] | None = None,
    present_blobs: set[str] | None = None,
) -> list[Outcome]:
    """:func:`apply_document` for many records in the caller's transaction, with the same outcomes.

    New documents are written and indexed in one batch (one lookup, one flush, one index write for the
    lot), which is what makes a first import or a first sync fast; existing ones go one by one.
    ``seqs`` gives each record its own server sequence number (else all get ``seq``).
    """
    if seqs is not None and len(seqs) != len(recs):
        raise ValueError("seqs must give one sequence number per record")
    seq_of = seqs or [seq] * len(recs)
    present = present_blobs or set()
    ids = [r.id for r in recs]
    if len(set(ids)) != len(ids):  # a repeated id must see its own earlier write: take the exact path
        return [apply_document(session, r, seq=q, present_blobs=present) for r, q in zip(recs, seq_of, strict=True)]
    existing: dict[str, Document] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        existing.update((d.id, d) for d in session.scalars(select(Document).where(Document.id.in_(chunk))))
    outcomes: list[Outcome] = []
    fresh: list[Document] = []
    for rec, rec_seq in zip(recs, seq_of, strict=True):
        doc = existing.get(rec.id)
        if doc is None:
            fresh.append(_new_document(session, rec, rec_seq, present))
            outcomes.append(Outcome.INSERTED)
        else:
            outcomes.append(_apply_existing(session, doc, rec, rec_seq, present))
    if fresh:
        session.flush()
        search_index.index_many(session.connection(), [search_index.document_fields(session, d) for d in fresh])
    return outcomes


def _apply_existing(session: Session, doc: Document, rec: DocumentRecord, seq: int, present: set[str]) -> Outcome:
    if rec.version < doc.version:
        return Outcome.OLDER
    if rec.version == doc.version:
        if rec.status.value == doc.status and rec.superseded_by == doc.superseded_by:
            return Outcome.UNCHANGED
        search_index.remove_document(session, doc)
        doc.status = rec.status.value
        doc.superseded_by = rec.superseded_by
        doc.seq = seq or doc.seq
        session.flush()
        search_index.index_document(session, doc)
        return Outcome.STATUS_CHANGED
    search_index.remove_document(session, doc)
    _fill(doc, rec, seq)
    session.flush()
    _set_children(session, doc, rec, present)
    search_index.index_document(session, doc)
    return Outcome.UPDATED


def set_status(session: Session, doc_id: str, status: DocStatus, superseded_by: str | None = None) -> bool:
    """Mark a document amended or repealed (and what replaced it). False if the mirror lacks it."""
    doc = session.scalar(select(Document).where(Document.id == doc_id))
    if doc is None:
        return False
    search_index.remove_document(session, doc)
    doc.status = status.value
    if superseded_by is not None:
        doc.superseded_by = superseded_by
    session.flush()
    search_index.index_document(session, doc)
    return True


@dataclass(frozen=True)
class HistoryRecord:
    """An earlier version of a document as the feed carries it (``sync.protocol.schema.HistoryEntry``)."""

    version: int
    title: str
    amended_at: str
    doc_number: str | None = None
    published: str | None = None
    effective: str | None = None
    body: str = ""
    body_format: str = "markdown"


def replace_history(session: Session, doc_id: str, version: int, history: list[HistoryRecord]) -> bool:
    """Replace a document's earlier versions as a whole with ``history``, which came with its record of
    ``version``; nothing when the mirror holds another version (an older record arriving late). False then."""
    doc = session.scalar(select(Document).where(Document.id == doc_id))
    if doc is None or doc.version != version:
        return False
    session.execute(delete(DocHistory).where(DocHistory.document_id == doc_id))
    session.add_all(
        DocHistory(
            document_id=doc_id,
            version=h.version,
            title=h.title,
            doc_number=h.doc_number,
            published=h.published,
            effective=h.effective,
            body=h.body.replace("\x00", ""),
            body_format=h.body_format,
            amended_at=h.amended_at,
        )
        for h in history
        if h.version < version
    )
    session.expire(doc, ["history"])
    session.flush()
    return True


def delete_document(session: Session, doc_id: str) -> bool:
    """Remove a document (a deletion from the server's feed). False if the mirror lacks it."""
    doc = session.scalar(select(Document).where(Document.id == doc_id))
    if doc is None:
        return False
    search_index.remove_document(session, doc)
    session.delete(doc)
    session.flush()
    return True


def upsert_zone(session: Session, zone: Zone) -> None:
    session.merge(zone)


def upsert_category(session: Session, category: Category) -> None:
    session.merge(category)


def referenced_blobs(session: Session) -> set[str]:
    return set(session.scalars(select(Attachment.sha256).distinct()))


def mark_blob_present(session: Session, sha256: str) -> None:
    for att in session.scalars(select(Attachment).where(Attachment.sha256 == sha256)):
        att.present = True


def kv_get(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(KeyValue, key)
    return row.value if row is not None else default


def kv_set(session: Session, key: str, value: str) -> None:
    session.merge(KeyValue(key=key, value=value))
