"""Schema and connection. SQLite by default, PostgreSQL when ACCOUNT_DB_URL says so.

The schema is created idempotently (`create_all` with checkfirst), so every start is safe.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("password_login", Boolean, nullable=False, default=False),
    Column("is_organization", Boolean, nullable=False, default=False),
)

microsoft_logins = Table(
    "microsoft_logins",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("kind", String(8), nullable=False),  # "msa" (personal) or "aad" (work/school)
)

tenants = Table(
    "tenants",
    metadata,
    Column("domain", String(253), primary_key=True),
    Column("state", String(16), nullable=False),  # "managed" or "unmanaged"
)

packages = Table(
    "packages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
)

package_owners = Table(
    "package_owners",
    metadata,
    Column("package_id", Integer, ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("package_id", "account_id"),
)

organization_admins = Table(
    "organization_admins",
    metadata,
    Column("org_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("admin_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("org_id", "admin_id"),
)

support_requests = Table(
    "support_requests",
    metadata,
    Column("reference", String(16), primary_key=True),
    Column("topic", String(64)),
    Column("channel", String(32)),
    Column("transcript", Text, nullable=False),  # JSON list of {from, text}, already masked
    Column("created", Float, nullable=False),
    # the conversation as the action server's digest (X-Conversation-Id): purge by sender
    Column("conversation", String(128), index=True),
)

# Account look-ups for rate limiting (account_backend/rate_limit.py): digests only.
lookup_attempts = Table(
    "lookup_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Index("lookup_attempts_key_at", "key", "at"),
)


def connect(url: str) -> Engine:
    """An engine for `url` with the schema in place."""
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    metadata.create_all(engine, checkfirst=True)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Databases made before a column existed get it (create_all only makes new tables)."""
    from sqlalchemy import inspect, text

    present = {c["name"] for c in inspect(engine).get_columns("support_requests")}
    if "conversation" not in present:
        with engine.begin() as connection:
            connection.execute(
                text("ALTER TABLE support_requests ADD COLUMN conversation VARCHAR(128)")
            )


def _sqlite_foreign_keys(connection, _record) -> None:
    connection.execute("PRAGMA foreign_keys=ON")
