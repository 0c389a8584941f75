"""office: every channel, departments, notices as issued, fees, reviews, the annual report's fields, duty roster

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-07 21:50:00

Tables: issued_notices (a notice's 文号 and stored bytes), departments and department_members (承办部门 and
their accounts), case_reviews (行政复议/行政诉讼 per case), duty_roster (who was on duty, for 优秀个人).
Columns: cases.channel, phone_kind, fee_amount, fee_notice_on, fee_due, fee_paid_on, delayed_to, department,
dept_due, dept_submitted_on, applicant_class, report_row; case_files.role. Every new column is nullable (an
older row reads as: a terminal's case, a reply file).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0005"
down_revision = "s0004"  # after the releases revision
branch_labels = None
depends_on = None

CASE_COLUMNS: list[sa.Column[object]] = [
    sa.Column("channel", sa.String(length=16), nullable=True),
    sa.Column("phone_kind", sa.String(length=10), nullable=True),
    sa.Column("fee_amount", sa.Integer(), nullable=True),
    sa.Column("fee_notice_on", sa.Date(), nullable=True),
    sa.Column("fee_due", sa.Date(), nullable=True),
    sa.Column("fee_paid_on", sa.Date(), nullable=True),
    sa.Column("delayed_to", sa.Date(), nullable=True),
    sa.Column("department", sa.String(length=32), nullable=True),
    sa.Column("dept_due", sa.Date(), nullable=True),
    sa.Column("dept_submitted_on", sa.Date(), nullable=True),
    sa.Column("applicant_class", sa.String(length=16), nullable=True),
    sa.Column("report_row", sa.String(length=8), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("cases") as b:
        for column in CASE_COLUMNS:
            b.add_column(sa.Column(column.name, column.type, nullable=True))
        b.create_index("ix_cases_channel", ["channel"])
        b.create_index("ix_cases_department", ["department"])
    with op.batch_alter_table("case_files") as b:
        b.add_column(sa.Column("role", sa.String(length=16), nullable=True))
    op.create_table(
        "issued_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("year", "seq", name="uq_notice_number"),
    )
    op.create_index("ix_issued_notices_tracking_no", "issued_notices", ["tracking_no"])
    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "department_members",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_index("ix_department_members_department", "department_members", ["department"])
    op.create_table(
        "case_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("after_review", sa.Boolean(), nullable=False),
        sa.Column("body", sa.String(length=60), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_reviews_tracking_no", "case_reviews", ["tracking_no"])
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("zone", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("duty_roster")
    op.drop_index("ix_case_reviews_tracking_no", table_name="case_reviews")
    op.drop_table("case_reviews")
    op.drop_index("ix_department_members_department", table_name="department_members")
    op.drop_table("department_members")
    op.drop_table("departments")
    if op.get_bind().dialect.name == "sqlite":  # the append-only guards models.install_guards made
        op.execute("DROP TRIGGER IF EXISTS issued_notices_no_update")
        op.execute("DROP TRIGGER IF EXISTS issued_notices_no_delete")
    op.drop_index("ix_issued_notices_tracking_no", table_name="issued_notices")
    op.drop_table("issued_notices")
    with op.batch_alter_table("case_files") as b:
        b.drop_column("role")
    with op.batch_alter_table("cases") as b:
        b.drop_index("ix_cases_department")
        b.drop_index("ix_cases_channel")
        for column in reversed(CASE_COLUMNS):
            b.drop_column(column.name)
