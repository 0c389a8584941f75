"""search index: contentless FTS5 table over pre-tokenised text, and the 文号/pinyin side table

Revision ID: 0002_search
Revises: 0001
Create Date: 2026-11-27 12:20:00

The FTS5 table is not in SQLAlchemy's metadata (virtual table); kiosk.search.index owns it.
Superseded by 0005 (which drops and recreates these tables and indexes the documents).
"""

from __future__ import annotations

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, docnum, body, py, content='', tokenize='ascii')")
    op.execute(
        "CREATE TABLE search_docs ("
        "doc_rowid INTEGER PRIMARY KEY, "
        "doc_number_norm TEXT NOT NULL DEFAULT '', "
        "initials TEXT NOT NULL DEFAULT '')"
    )
    op.execute("CREATE INDEX ix_search_docs_doc_number_norm ON search_docs(doc_number_norm)")
    # Documents are indexed by 0005, which replaces this first layout.


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_docs")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute("DELETE FROM kv WHERE key = 'search.index_version'")
