"""The store behind SQLAlchemy: SQLite by default, PostgreSQL by URL; Alembic migrations."""

from hvac_ctl.store.store import ROLES, Store, TokenInfo, default_url, hash_token

__all__ = ["ROLES", "Store", "TokenInfo", "default_url", "hash_token"]
