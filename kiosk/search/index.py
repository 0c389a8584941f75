"""Keeping the search index in step with the mirror's documents (called by kiosk.mirror.store).

Tables (migrations 0006 and 0009; 0002 and 0005 made earlier layouts). Both FTS5 tables are contentless
(``content=''``), use the ``ascii`` tokenizer over text pre-tokenised by :mod:`kiosk.search.tokenize`
and 4 KB pages, and key each document as ``-documents.rowid`` so that FTS5's fast forward order
(ascending rowid) yields the newest documents first and can stop early:

- ``search_title`` — small: titles, 文号, pinyin (the title matches that rank first):
  ``title``  title as CJK bigrams (a lone character stays itself) and ASCII words;
  ``title1`` the title's CJK characters one by one (one-character queries);
  ``docnum`` 文号 and issuer, tokenised like the title;
  ``py``     the title's pinyin initials as overlapping letter pairs (``dbj`` → ``db bj``);
  ``pyf``    the title's toneless full pinyin, one syllable per token, then the other readings of its
             heteronyms in short windows (migration 0009; ``dibao`` and 滴保 match 低保金 by sound);
  ``meta``   filter tokens: zone (``z`` = district-wide, ``z<hex>``), status ``s<hex>``, year
             ``y2024``, categories ``c<hex>``.
- ``search_text`` — everything, matched and counted, never ranked by FTS5 (``columnsize=0``):
  ``text``   title, 文号/issuer and the first :data:`BODY_INDEX_CHARS` characters of the body, as
             bigrams; ``meta`` as above.

Why two tables: title matches are found (and ranked first) without touching the long body
doclists. Ranking itself is BM25 computed in kiosk.search.window over a bounded window, with IDF from
``search_text_vocab`` (an fts5vocab table, migration 0007) — FTS5's bm25() would visit every match
of every phrase. Filters are FTS5 terms on ``meta``, so filtered counts never leave FTS5.

- ``search_docs``: one row per indexed document: normalised 文号 (exact 文号 lookup), pinyin
  initials, and the exact ``meta`` tokens inserted. Its presence says "this row is in the FTS
  tables", so removal never sends FTS5 a 'delete' for a row it never got.

A contentless row is removed by handing FTS5 the very tokens that were inserted: the text columns
are re-tokenised from the Document, which still holds its old text when :func:`remove_document`
runs (store.py calls it before changing or deleting), and ``meta`` comes from ``search_docs``.
:data:`INDEX_VERSION` (tokeniser + body policy + pypinyin) is kept in ``kv``; :func:`ensure_current`
rebuilds the index when it differs (after an upgrade that changed tokenisation).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pypinyin
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from kiosk.mirror.models import Document
from kiosk.search import tokenize as tk
from kiosk.search import understand

# How much of a body is indexed. Government notices are 1–10 KB (≈ 300–3,500 characters); long
# regulations are indexed over their first 20,000 characters (the general provisions and most
# chapters), which bounds index size and import time for the few very long texts.
BODY_INDEX_CHARS = 20_000
INDEX_VERSION = f"tok{tk.TOKENIZER_VERSION}-body{BODY_INDEX_CHARS}-pypinyin{pypinyin.__version__}"
KV_KEY = "search.index_version"
# The title table alone (full pinyin, :func:`kiosk.search.understand.title_syllables`): when only this
# changes, :func:`ensure_current` rebuilds the title table from the titles (no bodies re-read).
TITLE_INDEX_VERSION = f"title2-pypinyin{pypinyin.__version__}"
TITLE_KV_KEY = "search.title_version"

_INSERT_TITLE = text(
    "INSERT INTO search_title(rowid, title, title1, docnum, py, pyf, meta) "
    "VALUES (-:rowid, :title, :title1, :docnum, :py, :pyf, :meta)"
)
_INSERT_TEXT = text("INSERT INTO search_text(rowid, text, meta) VALUES (-:rowid, :text, :meta)")
_DELETE_TITLE = text(
    "INSERT INTO search_title(search_title, rowid, title, title1, docnum, py, pyf, meta) "
    "VALUES ('delete', -:rowid, :title, :title1, :docnum, :py, :pyf, :meta)"
)
_DELETE_TEXT = text("INSERT INTO search_text(search_text, rowid, text, meta) VALUES ('delete', -:rowid, :text, :meta)")
_INSERT_DOCS = text(
    "INSERT OR REPLACE INTO search_docs(doc_rowid, doc_number_norm, initials, meta) VALUES (:rowid, :dn, :ini, :meta)"
)


def _hex(value: str) -> str:
    return value.encode("utf-8").hex()


def zone_token(zone_id: str | None) -> str:
    return "z" + _hex(zone_id or "")


def status_token(status: str) -> str:
    return "s" + _hex(status)


def year_token(year: int) -> str:
    return f"y{year:04d}"


def category_token(code: str) -> str:
    return "c" + _hex(code)


def meta_tokens(zone_id: str | None, status: str | None, published: str | None, categories: Iterable[str]) -> str:
    parts = [zone_token(zone_id), status_token(status or "in_force")]
    if published and published[:4].isdigit():
        parts.append(year_token(int(published[:4])))
    parts.extend(category_token(c) for c in sorted(set(categories)))
    return " ".join(parts)


def _title_fields(rowid: int, title: str | None, doc_number: str | None, issuer: str | None) -> dict[str, Any]:
    """The title table's columns (and ``search_docs``' 文号 and initials) for one document."""
    initials, syllables = understand.title_pinyin(title or "")
    return {
        "rowid": rowid,
        "title": tk.index_tokens(title, unigrams=False),
        "title1": tk.cjk_chars(title),
        "docnum": tk.index_tokens(" ".join(x for x in (doc_number, issuer) if x), unigrams=False),
        "py": tk.letter_bigrams(initials),
        "pyf": " ".join(syllables),
        "dn": tk.normalize_doc_number(doc_number),
        "ini": initials,
    }


def _text_fields(
    rowid: int, title: str | None, doc_number: str | None, issuer: str | None, body: str | None
) -> dict[str, Any]:
    row = _title_fields(rowid, title, doc_number, issuer)
    body_tokens = tk.index_tokens((body or "")[:BODY_INDEX_CHARS], unigrams=False)
    row["text"] = " ".join(t for t in (row["title"], row["docnum"], body_tokens) if t)
    return row


def _categories(conn: Connection, doc_id: str) -> list[str]:
    return list(
        conn.execute(
            text("SELECT category_code FROM document_categories WHERE document_id = :id"), {"id": doc_id}
        ).scalars()
    )


def document_fields(session: Session, doc: Document) -> dict[str, Any]:
    """The parameters written to the index for ``doc`` (its categories as the database holds them)."""
    session.flush()  # pending DocumentCategory rows must be visible to the query below
    conn = session.connection()
    row = _text_fields(doc.rowid, doc.title, doc.doc_number, doc.issuer, doc.body)
    row["meta"] = meta_tokens(doc.zone_id, doc.status, doc.published, _categories(conn, doc.id))
    return row


def index_document(session: Session, doc: Document) -> None:
    """Add ``doc`` (flushed, ``rowid`` set) to the index, in the caller's transaction."""
    index_many(session.connection(), [document_fields(session, doc)])


def index_many(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Batch form of :func:`index_document` over :func:`document_fields`-shaped rows."""
    batch = list(rows)
    if batch:
        conn.execute(_INSERT_TITLE, batch)
        conn.execute(_INSERT_TEXT, batch)
        conn.execute(_INSERT_DOCS, batch)


def remove_document(session: Session, doc: Document) -> None:
    """Take ``doc`` out of the index; call while it still holds the text it was indexed with."""
    conn = session.connection()
    meta = conn.execute(
        text("SELECT meta FROM search_docs WHERE doc_rowid = :r"), {"r": doc.rowid}
    ).scalar_one_or_none()
    if meta is None:
        return
    row = _text_fields(doc.rowid, doc.title, doc.doc_number, doc.issuer, doc.body)
    row["meta"] = meta
    conn.execute(_DELETE_TITLE, row)
    conn.execute(_DELETE_TEXT, row)
    conn.execute(text("DELETE FROM search_docs WHERE doc_rowid = :r"), {"r": doc.rowid})


OPTIMIZE_AFTER = 1000  # documents written in one import or sync run


def optimize(conn: Connection) -> None:
    """Merge the full-text indexes' segments into one b-tree each (FTS5 'optimize').

    Documents arrive in batches, and each batch adds index segments; a query then walks every segment.
    After a large import or first sync, merging them keeps search at its benchmarked speed. Takes
    seconds on a large mirror, so callers run it once per large load, not per document.
    """
    for table in ("search_title", "search_text"):
        conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))  # noqa: S608 - fixed names


def rebuild(conn: Connection, *, batch: int = 500) -> int:
    """Re-index every document from ``documents`` (after a tokeniser change). Returns the count."""
    for table in ("search_title", "search_text"):
        conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))  # noqa: S608 - fixed names
        # 4 KB leaf pages instead of FTS5's 1 KB default: ~20 % faster inserts of long bodies.
        conn.execute(text(f"INSERT INTO {table}({table}, rank) VALUES ('pgsz', 4050)"))  # noqa: S608
    conn.execute(text("DELETE FROM search_docs"))
    n = 0
    last = -1
    while True:
        docs = conn.execute(
            text(
                "SELECT rowid, id, title, doc_number, issuer, body, zone_id, status, published "
                "FROM documents WHERE rowid > :last ORDER BY rowid LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not docs:
            break
        cats: dict[str, list[str]] = {}
        for doc_id, code in conn.execute(
            text(
                "SELECT document_id, category_code FROM document_categories "
                "WHERE document_id IN (SELECT id FROM documents WHERE rowid > :last ORDER BY rowid LIMIT :n)"
            ),
            {"last": last, "n": batch},
        ):
            cats.setdefault(doc_id, []).append(code)
        rows = []
        for d in docs:
            row = _text_fields(d.rowid, d.title, d.doc_number, d.issuer, d.body)
            row["meta"] = meta_tokens(d.zone_id, d.status, d.published, cats.get(d.id, ()))
            rows.append(row)
        index_many(conn, rows)
        n += len(docs)
        last = docs[-1].rowid
    _set_kv(conn, KV_KEY, INDEX_VERSION)
    _set_kv(conn, TITLE_KV_KEY, TITLE_INDEX_VERSION)
    return n


def rebuild_titles(conn: Connection, *, batch: int = 2000) -> int:
    """Re-index the title table only, from titles, 文号 and issuers (bodies are not read) and the
    filter tokens kept in ``search_docs``: the upgrade path when only the title table changed (full
    pinyin, migration 0009). Returns the count."""
    conn.execute(text("INSERT INTO search_title(search_title) VALUES ('delete-all')"))
    conn.execute(text("INSERT INTO search_title(search_title, rank) VALUES ('pgsz', 4050)"))
    n, last = 0, -1
    while True:
        docs = conn.execute(
            text(
                "SELECT d.rowid, d.title, d.doc_number, d.issuer, s.meta FROM documents d "
                "JOIN search_docs s ON s.doc_rowid = d.rowid WHERE d.rowid > :last ORDER BY d.rowid LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not docs:
            break
        rows = []
        for d in docs:
            row = _title_fields(d.rowid, d.title, d.doc_number, d.issuer)
            row["meta"] = d.meta
            rows.append(row)
        conn.execute(_INSERT_TITLE, rows)
        n += len(docs)
        last = docs[-1].rowid
    _set_kv(conn, TITLE_KV_KEY, TITLE_INDEX_VERSION)
    return n


def _set_kv(conn: Connection, key: str, value: str) -> None:
    conn.execute(text("INSERT OR REPLACE INTO kv(key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def _kv(conn: Connection, key: str) -> str | None:
    row = conn.execute(text("SELECT value FROM kv WHERE key = :k"), {"k": key}).first()
    return None if row is None else str(row[0])


def is_current(conn: Connection) -> bool:
    return _kv(conn, KV_KEY) == INDEX_VERSION and _kv(conn, TITLE_KV_KEY) == TITLE_INDEX_VERSION


def ensure_current(session: Session) -> bool:
    """Rebuild what another tokeniser version built: the whole index, or only the title table when
    only that changed; True if it rebuilt (and committed). Call once after opening the mirror, before
    searching or importing."""
    conn = session.connection()
    if _kv(conn, KV_KEY) != INDEX_VERSION:
        rebuild(conn)
    elif _kv(conn, TITLE_KV_KEY) != TITLE_INDEX_VERSION:
        rebuild_titles(conn)
    else:
        return False
    session.commit()
    return True
