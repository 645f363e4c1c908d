"""The leader of several instances on one PostgreSQL store: its fencing epoch, bumped at
every takeover, and its lease (`service/leadership.py`). One row; a single instance never
writes it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from hvac_ctl.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leadership",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("epoch", sa.BigInteger, nullable=False),
        sa.Column("instance", sa.String(120), nullable=False),
        sa.Column("backend_pid", sa.Integer, nullable=True),
        sa.Column("renewed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leadership")
