"""Schema and connection. SQLite by default, PostgreSQL when ACCOUNT_DB_URL says so.

The schema is created idempotently (`create_all` with checkfirst), so every start is safe.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
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
    false,
    inspect,
    text,
    true,
)
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateColumn

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(254), nullable=False),
    Column("password_login", Boolean, nullable=False, default=False),
    Column("is_organization", Boolean, nullable=False, default=False),
    # server defaults: rows made before these columns existed get them (_add_missing_columns)
    Column("email_confirmed", Boolean, nullable=False, server_default=true()),
    Column("locked", Boolean, nullable=False, server_default=false()),
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

# Pending ownership invitations: the invited account has not confirmed yet (nuget.org shows
# them as "pending approval").
ownership_invitations = Table(
    "ownership_invitations",
    metadata,
    Column("package_id", Integer, ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("from_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("to_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("package_id", "to_id"),
)

organization_members = Table(
    "organization_members",
    metadata,
    Column("org_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),  # "admin" or "collaborator"
    UniqueConstraint("org_id", "member_id"),
)

# What a key may do, for which packages, until when: metadata only. A key's value is a secret
# the help desk never needs, so no column could hold it.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),  # e.g. ["push only new package versions"]
    Column("glob_patterns", JSON, nullable=False),  # e.g. ["Contoso.*"]
    Column("expires_on", Date),  # None: no expiry (legacy keys)
    Column("legacy", Boolean, nullable=False, default=False),
    UniqueConstraint("account_id", "name"),
)

support_requests = Table(
    "support_requests",
    metadata,
    Column("reference", String(16), primary_key=True),
    Column("topic", String(64)),
    Column("channel", String(32)),
    Column("transcript", Text, nullable=False),  # JSON list of {from, text}, already masked
    # where the help desk replies: given by the user with consent, so kept unmasked (None:
    # no address given); the row's retention covers it
    Column("contact_email", String(254)),
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

# Which conversation each identity token speaks for (account_backend/bindings.py): the first
# that presented it. Digests only; a row goes once its token can no longer be valid.
identity_bindings = Table(
    "identity_bindings",
    metadata,
    Column("token", String(64), primary_key=True),  # keyed digest of the token
    Column("conversation", String(128), nullable=False),  # the action server's digest
    Column("until", Float, nullable=False, index=True),
)


def connect(url: str) -> Engine:
    """An engine for `url` with the schema in place."""
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    metadata.create_all(engine, checkfirst=True)
    _add_missing_columns(engine)
    _move_organization_admins(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Databases made before a column existed get it (create_all only makes new tables).

    A column added later is nullable or has a server default, so existing rows stay valid."""
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                with engine.begin() as connection:
                    connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))


def _move_organization_admins(engine: Engine) -> None:
    """Before roles, memberships were admins only, in `organization_admins`: they become
    admin members, and the old table goes."""
    if "organization_admins" not in inspect(engine).get_table_names():
        return
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organization_members (org_id, member_id, role) "
                "SELECT org_id, admin_id, 'admin' FROM organization_admins"
            )
        )
        connection.execute(text("DROP TABLE organization_admins"))


def _sqlite_foreign_keys(connection, _record) -> None:
    connection.execute("PRAGMA foreign_keys=ON")
