"""search: fts5vocab table over search_text (document frequencies for BM25's IDF)

Revision ID: 0007_search_vocab
Revises: 0006_search_v3
Create Date: 2026-11-27 13:10:00

kiosk.search.query computes BM25 over its ranking window itself and reads each query bigram's
document frequency here (a lookup, not a scan of every match).
"""

from __future__ import annotations

from alembic import op

revision = "0007_search_vocab"
down_revision = "0006_search_v3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE search_text_vocab USING fts5vocab(search_text, 'row')")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_text_vocab")
