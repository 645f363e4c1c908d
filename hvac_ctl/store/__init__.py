"""The store behind SQLAlchemy: SQLite by default, PostgreSQL by URL; Alembic migrations."""

from hvac_ctl.store.people import ROLES, TokenInfo, hash_token
from hvac_ctl.store.store import Store, default_url

__all__ = ["ROLES", "Store", "TokenInfo", "default_url", "hash_token"]
