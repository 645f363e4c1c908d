"""The first schema: pushes, overrides, audit, commands, tokens, trends.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from hvac_ctl.store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "occupancy_pushes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(120), nullable=False, index=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("idempotency_key", sa.String(200), unique=True, nullable=True),
        sa.UniqueConstraint("event_id", "at", name="uq_push_event_at"),
    )
    op.create_table(
        "overrides",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("unit", sa.String(80), nullable=False),
        sa.Column("point", sa.String(40), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("start", UTCDateTime, nullable=False),
        sa.Column("until", UTCDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("ended_by", sa.String(120), nullable=True),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(80), nullable=True),
        sa.Column("point", sa.String(40), nullable=True),
        sa.Column("old", sa.JSON, nullable=True),
        sa.Column("new", sa.JSON, nullable=True),
        sa.Column("priority", sa.Integer, nullable=True),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_unit", "audit", ["unit", "at"])
    op.create_table(
        "commands",
        sa.Column("unit", sa.String(80), primary_key=True),
        sa.Column("point", sa.String(40), primary_key=True),
        sa.Column("priority", sa.Integer, primary_key=True),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("changed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), unique=True, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "trends",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(80), nullable=False),
        sa.Column("point", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_trend_point_at", "trends", ["unit", "point", "at"])


def downgrade() -> None:
    for table in ("trends", "tokens", "commands", "audit", "overrides", "occupancy_pushes"):
        op.drop_table(table)
