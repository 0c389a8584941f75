"""The mirror's one write path: the version rule, and the batched form giving the same outcomes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk.mirror.models import Attachment, DocStatus, Document, DocumentCategory
from kiosk.mirror.store import AttachmentRecord, DocumentRecord, Outcome, apply_document, apply_documents
from kiosk.search import search


def _rec(i: int, version: int = 1, status: DocStatus = DocStatus.IN_FORCE) -> DocumentRecord:
    return DocumentRecord(
        id=f"doc-{i}",
        title=f"娄星区第{i}号最低生活保障通知",
        version=version,
        status=status,
        body=f"城乡居民最低生活保障 第{i}条",
        categories=("type-zhengce", "sector-shehui-jiuzhu"),
        attachments=(AttachmentRecord(name="附件.pdf", sha256=f"{i:064x}", size=10),),
    )


def test_batch_outcomes_match_one_by_one_and_are_searchable(session: Any) -> None:
    with session.begin():
        assert apply_documents(session, [_rec(1), _rec(2), _rec(3)]) == [Outcome.INSERTED] * 3
    with session.begin():
        got = apply_documents(
            session,
            [
                _rec(1),
                _rec(2, version=2),
                _rec(3, status=DocStatus.REPEALED),
                _rec(4),
                _rec(5),
            ],
        )
    assert got == [Outcome.UNCHANGED, Outcome.UPDATED, Outcome.STATUS_CHANGED, Outcome.INSERTED, Outcome.INSERTED]
    with session.begin():
        assert apply_document(session, _rec(2, version=1)) == Outcome.OLDER
    docs = {d.id: d for d in session.scalars(select(Document))}
    assert set(docs) == {"doc-1", "doc-2", "doc-3", "doc-4", "doc-5"}
    assert docs["doc-2"].version == 2 and docs["doc-3"].status == DocStatus.REPEALED.value
    assert session.scalar(select(Attachment.document_id).where(Attachment.sha256 == f"{5:064x}")) == "doc-5"
    cats = set(session.scalars(select(DocumentCategory.category_code).where(DocumentCategory.document_id == "doc-4")))
    assert cats == {"type-zhengce", "sector-shehui-jiuzhu"}
    hits = search(session, "第4号", limit=5).hits
    assert hits and hits[0].id == "doc-4", "a batched document is in the search index"
    assert search(session, "保障", category="sector-shehui-jiuzhu", status="repealed").total == 1


def test_a_repeated_id_in_one_batch_sees_its_own_earlier_write(session: Any) -> None:
    with session.begin():
        got = apply_documents(session, [_rec(7), _rec(7, version=2)])
    assert got == [Outcome.INSERTED, Outcome.UPDATED]
    assert session.scalar(select(Document.version).where(Document.id == "doc-7")) == 2
