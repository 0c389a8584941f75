"""doc_history: a document's earlier versions (修订) from the feed, shown as 历史版本

Revision ID: 0012_doc_history
Revises: 0011_receipt_facts
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_doc_history"
down_revision = "0011_receipt_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doc_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.String(length=120), nullable=True),
        sa.Column("published", sa.String(length=10), nullable=True),
        sa.Column("effective", sa.String(length=10), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_format", sa.String(length=8), nullable=False),
        sa.Column("amended_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("doc_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_doc_history_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("doc_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doc_history_document_id"))
    op.drop_table("doc_history")
