"""search index v3: a small title table (ranked) and a whole-text table (matched, counted)

Revision ID: 0006_search_v3
Revises: 0005_search_v2
Create Date: 2026-11-27 12:50:00

FTS5's bm25() counts every match of every phrase to compute IDF, so ranking over one big table costs
time in proportion to the mirror. v3 ranks over a table holding only titles/文号/pinyin and matches and
counts over a second table holding all text; see kiosk.search.index. Existing documents are re-indexed
by ``kiosk.search.index.ensure_current`` when the program opens the mirror (the index version is cleared
here): a rebuild run from this revision would use the newest table layout, which later revisions make.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_search_v3"
down_revision = "0005_search_v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_title USING fts5(title, title1, docnum, py, meta, content='', tokenize='ascii')"
    )
    op.execute("CREATE VIRTUAL TABLE search_text USING fts5(text, meta, content='', tokenize='ascii', columnsize=0)")
    op.execute("DELETE FROM search_docs")
    op.execute("DELETE FROM kv WHERE key = 'search.index_version'")
    if op.get_bind().exec_driver_sql("SELECT count(*) FROM documents").scalar_one() == 0:
        from kiosk.search.index import INDEX_VERSION, KV_KEY

        # nothing to index: the empty index is current
        op.execute(sa.text("INSERT INTO kv(key, value) VALUES (:k, :v)").bindparams(k=KV_KEY, v=INDEX_VERSION))


def downgrade() -> None:
    # Back to 0005's layout exactly (empty; the older program re-indexes when it finds no index version).
    op.execute("DROP TABLE IF EXISTS search_title")
    op.execute("DROP TABLE IF EXISTS search_text")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, title1, docnum, body, py, meta, content='', tokenize='ascii')"
    )
    op.execute("DELETE FROM search_docs")
    op.execute("DELETE FROM kv WHERE key = 'search.index_version'")
