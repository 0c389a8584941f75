"""applications: submitted applications, personal payload kept only until the server acknowledges

Revision ID: 0003_applications
Revises: 0002_search
Create Date: 2026-11-27 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_applications"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tracking_no", sa.String(length=32), nullable=False),
        sa.Column("zone_code", sa.String(length=32), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_kind", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("extended_deadline", sa.Date(), nullable=True),
        sa.Column("calendar_source", sa.String(length=16), nullable=False),
        sa.Column("outbox_key", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_no"),
        sa.UniqueConstraint("outbox_key"),
    )
    op.create_index("ix_applications_zone_code", "applications", ["zone_code"])
    op.create_index("ix_applications_submitted_at", "applications", ["submitted_at"])
    op.create_index("ix_applications_status", "applications", ["status"])


def downgrade() -> None:
    op.drop_index("ix_applications_status", table_name="applications")
    op.drop_index("ix_applications_submitted_at", table_name="applications")
    op.drop_index("ix_applications_zone_code", table_name="applications")
    op.drop_table("applications")
