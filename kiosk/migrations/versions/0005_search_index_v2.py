"""search index v2: title bigrams + one-character column, filter tokens (zone/status/year/category)

Revision ID: 0005_search_v2
Revises: 0004_print_jobs
Create Date: 2026-11-27 12:40:00

Replaces the FTS5 table of 0002 with the layout kiosk.search.index documents (columns title, title1,
docnum, body, py, meta) so that zone/category/status/year filters and counts run inside FTS5, and
(superseded by 0006, which indexes the documents).
"""

from __future__ import annotations

from alembic import op

revision = "0005_search_v2"
down_revision = "0004_print_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP TABLE IF EXISTS search_docs")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, title1, docnum, body, py, meta, content='', tokenize='ascii')"
    )
    op.execute(
        "CREATE TABLE search_docs ("
        "doc_rowid INTEGER PRIMARY KEY, "
        "doc_number_norm TEXT NOT NULL DEFAULT '', "
        "initials TEXT NOT NULL DEFAULT '', "
        "meta TEXT NOT NULL DEFAULT '')"
    )
    op.execute("CREATE INDEX ix_search_docs_doc_number_norm ON search_docs(doc_number_norm)")
    # Documents are indexed by 0006, which replaces this layout.


def downgrade() -> None:
    # Back to 0002's layout exactly (empty: the older program re-indexes when it finds no index version).
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DROP TABLE IF EXISTS search_docs")
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, docnum, body, py, content='', tokenize='ascii')")
    op.execute(
        "CREATE TABLE search_docs ("
        "doc_rowid INTEGER PRIMARY KEY, "
        "doc_number_norm TEXT NOT NULL DEFAULT '', "
        "initials TEXT NOT NULL DEFAULT '')"
    )
    op.execute("CREATE INDEX ix_search_docs_doc_number_norm ON search_docs(doc_number_norm)")
    op.execute("DELETE FROM kv WHERE key = 'search.index_version'")
