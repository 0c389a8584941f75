"""Helpers for the search tests: documents to write, a mirror holding them, the ids a query finds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.db import open_engine, session_factory
from kiosk.mirror.store import DocumentRecord, apply_document
from kiosk.search import search


def rec(doc_id: str, title: str, body: str = "", **kw: object) -> DocumentRecord:
    return DocumentRecord(id=doc_id, title=title, body=body or f"# {title}\n\n{title}的正文。", **kw)  # type: ignore[arg-type]


@contextmanager
def mirror_of(path: Path, docs: Iterable[DocumentRecord]) -> Iterator[Engine]:
    """A real mirror at ``path`` with ``docs`` written through the store (and so the index)."""
    engine = open_engine(path)
    with session_factory(engine)() as s, s.begin():
        for r in docs:
            apply_document(s, r)
    try:
        yield engine
    finally:
        engine.dispose()


def ids(session: Session, q: str, **kw: object) -> list[str]:
    return [h.id for h in search(session, q, **kw).hits]  # type: ignore[arg-type]
