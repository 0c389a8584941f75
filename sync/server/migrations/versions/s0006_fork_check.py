"""fork check and restore: the feed's hash chain per issued seq, acknowledged applications a restore
lost, and the receipt-date flag on a case

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0006"
down_revision = "s0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_chain",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "lost_acks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=32), nullable=False),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("acked_at", sa.String(length=40), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("terminal_id", "tracking_no", name="uq_lost_ack"),
    )
    with op.batch_alter_table("lost_acks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lost_acks_terminal_id"), ["terminal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lost_acks_tracking_no"), ["tracking_no"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_flag", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("received_flag")
    with op.batch_alter_table("lost_acks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lost_acks_tracking_no"))
        batch_op.drop_index(batch_op.f("ix_lost_acks_terminal_id"))
    op.drop_table("lost_acks")
    op.drop_table("feed_chain")
