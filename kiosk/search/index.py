"""Keeping the search index in step with the mirror's documents (called by kiosk.mirror.store).

Tables (created by migration 0002):

- ``search_fts``: a contentless FTS5 table (``content=''``, ``tokenize='ascii'``) with the columns
  ``title``, ``docnum`` (文号 + issuer), ``body`` and ``py`` (pinyin-initial letter pairs of the
  title). Rows are keyed on ``documents.rowid``; the text is pre-tokenised by
  :mod:`kiosk.search.tokenize`. Contentless keeps the mirror small: the text lives once, in
  ``documents``; snippets are cut from there in Python.
- ``search_docs``: one row per indexed document (``doc_rowid``) with its normalised 文号, for exact
  文号 lookup, and the title's pinyin initials. Its presence also says "this document is in the FTS
  table", so removal never sends FTS5 a 'delete' for a row it never got.

Because the FTS table is contentless, removing a row means handing FTS5 the very tokens that were
inserted: :func:`remove_document` must run while the Document still holds its old text (store.py
calls it before changing or deleting). :data:`INDEX_VERSION` (tokeniser + body policy + pypinyin)
is stored in ``kv``; :func:`ensure_current` rebuilds the index when it differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pypinyin
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from kiosk.mirror.models import Document
from kiosk.search import tokenize as tk

# How much of a body is indexed: the first BODY_INDEX_CHARS characters. Government notices are
# 1–10 KB; long regulations still get their first ~20,000 characters (their chapters 1–several).
BODY_INDEX_CHARS = 20_000
INDEX_VERSION = f"tok{tk.TOKENIZER_VERSION}-body{BODY_INDEX_CHARS}-pypinyin{pypinyin.__version__}"
KV_KEY = "search.index_version"

_INSERT_FTS = text(
    "INSERT INTO search_fts(rowid, title, docnum, body, py) VALUES (:rowid, :title, :docnum, :body, :py)"
)
_DELETE_FTS = text(
    "INSERT INTO search_fts(search_fts, rowid, title, docnum, body, py) "
    "VALUES ('delete', :rowid, :title, :docnum, :body, :py)"
)
_INSERT_DOCS = text(
    "INSERT OR REPLACE INTO search_docs(doc_rowid, doc_number_norm, initials) VALUES (:rowid, :dn, :ini)"
)


def _fields(rowid: int, title: str | None, doc_number: str | None, issuer: str | None,
            body: str | None) -> dict[str, Any]:
    initials = tk.pinyin_initials(title)
    return {
        "rowid": rowid,
        "title": tk.index_tokens(title),
        "docnum": tk.index_tokens(" ".join(x for x in (doc_number, issuer) if x)),
        "body": tk.index_tokens((body or "")[:BODY_INDEX_CHARS], unigrams=False),
        "py": tk.letter_bigrams(initials),
        "dn": tk.normalize_doc_number(doc_number),
        "ini": initials,
    }


def document_fields(doc: Document) -> dict[str, Any]:
    """The parameters written to the index for ``doc`` (exposed for batch writers and tests)."""
    return _fields(doc.rowid, doc.title, doc.doc_number, doc.issuer, doc.body)


def index_document(session: Session, doc: Document) -> None:
    """Add ``doc`` (flushed, ``rowid`` set) to the index, in the caller's transaction."""
    index_many(session.connection(), [document_fields(doc)])


def index_many(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Batch form of :func:`index_document` over :func:`document_fields`-shaped rows."""
    batch = list(rows)
    if batch:
        conn.execute(_INSERT_FTS, batch)
        conn.execute(_INSERT_DOCS, batch)


def remove_document(session: Session, doc: Document) -> None:
    """Take ``doc`` out of the index; call while it still holds the text it was indexed with."""
    conn = session.connection()
    present = conn.execute(
        text("SELECT 1 FROM search_docs WHERE doc_rowid = :r"), {"r": doc.rowid}
    ).first()
    if present is None:
        return
    conn.execute(_DELETE_FTS, document_fields(doc))
    conn.execute(text("DELETE FROM search_docs WHERE doc_rowid = :r"), {"r": doc.rowid})


def rebuild(conn: Connection, *, batch: int = 500) -> int:
    """Re-index every document from ``documents`` (after a tokeniser change). Returns the count."""
    conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
    # 4 KB leaf pages instead of FTS5's 1 KB default: ~20 % faster inserts of long bodies.
    conn.execute(text("INSERT INTO search_fts(search_fts, rank) VALUES ('pgsz', 4050)"))
    conn.execute(text("DELETE FROM search_docs"))
    n = 0
    last = -1
    while True:
        rows = conn.execute(
            text("SELECT rowid, title, doc_number, issuer, body FROM documents WHERE rowid > :last "
                 "ORDER BY rowid LIMIT :n"),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            break
        index_many(conn, [_fields(r[0], r[1], r[2], r[3], r[4]) for r in rows])
        n += len(rows)
        last = rows[-1][0]
    conn.execute(text("INSERT OR REPLACE INTO kv(key, value) VALUES (:k, :v)"),
                 {"k": KV_KEY, "v": INDEX_VERSION})
    return n


def is_current(conn: Connection) -> bool:
    row = conn.execute(text("SELECT value FROM kv WHERE key = :k"), {"k": KV_KEY}).first()
    return row is not None and row[0] == INDEX_VERSION


def ensure_current(session: Session) -> bool:
    """Rebuild the index if it was built by another tokeniser version; True if it rebuilt (and
    committed)."""
    if is_current(session.connection()):
        return False
    rebuild(session.connection())
    session.commit()
    return True
