"""search: fts5vocab table over search_title (document frequencies of words in titles)

Revision ID: 0010_search_title_vocab
Revises: 0009_search_pinyin
Create Date: 2026-11-30 09:45:00

kiosk.search.query looks for a question's parts in titles when not every word matches; a word in
few titles is worth looking for, one in thousands is not. This table answers "in how many titles"
with a lookup.
"""

from __future__ import annotations

from alembic import op

revision = "0010_search_title_vocab"
down_revision = "0009_search_pinyin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_title_vocab USING fts5vocab(search_title, 'row')")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_title_vocab")
