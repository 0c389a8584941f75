"""applications.receipt_facts: what a reprinted receipt shows, kept after the personal data is dropped

Revision ID: 0011_receipt_facts
Revises: 0010_search_title_vocab
Create Date: 2026-11-30 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_receipt_facts"
down_revision = "0010_search_title_vocab"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("receipt_facts", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("receipt_facts")
