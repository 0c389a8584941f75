"""releases: software releases for the terminals; terminals: refused requests after revocation and the
updater's state from the heartbeat

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None

TERMINAL_COLUMNS = (
    ("refused_count", sa.Integer()),
    ("refused_last_at", sa.DateTime()),
    ("update_state", sa.String(length=16)),
    ("update_version", sa.String(length=40)),
    ("update_note", sa.String(length=300)),
    ("update_at", sa.DateTime()),
)


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("bundle_bytes", sa.BigInteger(), nullable=False),
        sa.Column("min_schema", sa.String(length=64), nullable=False),
        sa.Column("zones", sa.Text(), nullable=False),
        sa.Column("halted", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("rolled_out_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("version"),
    )
    with op.batch_alter_table("terminals") as batch:
        for name, kind in TERMINAL_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        for name, _kind in reversed(TERMINAL_COLUMNS):
            batch.drop_column(name)
    op.drop_table("releases")
