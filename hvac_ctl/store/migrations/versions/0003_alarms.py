"""Alarms, raise to clear, with who acknowledged them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from hvac_ctl.store.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("acked_at", UTCDateTime, nullable=True),
        sa.Column("acked_by", sa.String(120), nullable=True),
        sa.Column("cleared_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_alarms_open", "alarms", ["cleared_at"])


def downgrade() -> None:
    op.drop_index("ix_alarms_open", "alarms")
    op.drop_table("alarms")
