"""Demo accounts, named after the FAQ's own examples or the state they show, so every
diagnostic path can be tried.

The demo data are loaded on every start, not only into an empty database: missing rows are
added and demo rows are put back as listed here. Key expiry dates are relative to the day of
loading (ExpiringKeyDev's key always has a week left), so a database seeded long ago still
shows each state its account's name promises, and an older database gains the newer demo
accounts. Support requests and look-up attempts are left alone; `reset` empties everything.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import Table

from account_backend.database import (
    accounts,
    api_keys,
    metadata,
    microsoft_logins,
    organization_members,
    ownership_invitations,
    package_owners,
    packages,
    support_requests,
    tenants,
)


class Demo(NamedTuple):
    email: str
    password_login: bool = False
    is_organization: bool = False
    login: Optional[str] = None  # the Microsoft login's email
    kind: Optional[str] = None  # "msa" (personal) or "aad" (work/school)
    email_confirmed: bool = True
    locked: bool = False


def _msa(email: str, **state: Any) -> Demo:
    """An account signing in with the personal Microsoft account of its own address."""
    return Demo(email, login=email, kind="msa", **state)


ACCOUNTS: Dict[str, Demo] = {
    "MyNuGetAccount1": _msa("account1@outlook.com"),
    "MyNuGetAccount2": _msa("account2@outlook.com"),
    "CoOwnerDev": _msa("coowner@outlook.com"),
    "LegacyDev": Demo("legacy.dev@example.org", password_login=True),
    "ContosoBuild": Demo("builder@contoso.com", login="builder@contoso.com", kind="aad"),
    "SoleOwnerDev": _msa("sole.owner@outlook.com"),
    "FabrikamAdmin": Demo("admin@fabrikam.com", login="admin@fabrikam.com", kind="aad"),
    "FabrikamOrg": Demo("nuget@fabrikam.com", is_organization=True),
    # One account per state the diagnosis reads. Their addresses are plain names, so nothing
    # in an address hints at the state (tests/test_enumeration.py sends them unverified).
    "ExpiredKeyDev": _msa("kim.lee@outlook.com"),
    "ExpiringKeyDev": _msa("sam.ortiz@outlook.com"),
    "LegacyKeyDev": _msa("pat.moreau@outlook.com"),
    "InvitedDev": _msa("noor.haddad@outlook.com"),
    "InvitingDev": _msa("lee.chen@outlook.com"),
    "UnconfirmedDev": _msa("ravi.shah@outlook.com", email_confirmed=False),
    "OrgCollaboratorDev": Demo("jo.berg@fabrikam.com", login="jo.berg@fabrikam.com", kind="aad"),
    "LockedDev": _msa("max.roth@outlook.com", locked=True),
}
TENANTS = {"contoso.com": "unmanaged", "fabrikam.com": "managed"}
# package: owners
PACKAGES = {
    "MyNuGet.Utilities": ["MyNuGetAccount1", "CoOwnerDev"],
    "MyNuGet.Logging": ["MyNuGetAccount1", "CoOwnerDev"],
    "SoleOwner.Core": ["SoleOwnerDev"],
    "SoleOwner.Extensions": ["SoleOwnerDev"],
    "Fabrikam.Client": ["FabrikamOrg"],
    "Northwind.Toolkit": ["InvitingDev"],
}
# (package, from, to): pending, the invited account has not confirmed
INVITATIONS = [("Northwind.Toolkit", "InvitingDev", "InvitedDev")]
# organization: {member: role}
ORGANIZATIONS = {"FabrikamOrg": {"FabrikamAdmin": "admin", "OrgCollaboratorDev": "collaborator"}}

PUSH_NEW = "push new packages and package versions"
PUSH_VERSIONS = "push only new package versions"
UNLIST = "unlist"


class DemoKey(NamedTuple):
    name: str
    scopes: List[str]
    glob_patterns: List[str]
    expires_in_days: Optional[int]  # from the day of loading; None: no expiry
    legacy: bool = False


API_KEYS: Dict[str, List[DemoKey]] = {
    "MyNuGetAccount1": [DemoKey("nightly-push", [PUSH_VERSIONS], ["MyNuGet.*"], 200)],
    "ExpiredKeyDev": [DemoKey("ci-push", [PUSH_NEW], ["*"], -3)],
    "ExpiringKeyDev": [DemoKey("release-push", [PUSH_NEW, UNLIST], ["*"], 7)],
    "LegacyKeyDev": [DemoKey("old-build-key", [PUSH_NEW, UNLIST], ["*"], None, legacy=True)],
}


def is_seeded(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(accounts)).scalar())


def seed(engine: Engine, reset: bool = False, today: Optional[date] = None) -> None:
    """Loads the demo data (see the module's docstring); `reset` empties the database first."""
    if reset:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))
    try:
        _load(engine, today or date.today())
    except IntegrityError:
        # Another backend process loaded the same rows at the same moment: now they exist.
        _load(engine, today or date.today())


def _load(engine: Engine, today: date) -> None:
    with engine.begin() as connection:
        ids = {name: _load_account(connection, name, demo) for name, demo in ACCOUNTS.items()}
        for domain, state in TENANTS.items():
            _put(connection, tenants, {"domain": domain}, {"state": state})
        package_ids = {name: _put(connection, packages, {"name": name}, {}) for name in PACKAGES}
        for name, owners in PACKAGES.items():
            for owner in owners:
                link = {"package_id": package_ids[name], "account_id": ids[owner]}
                _put(connection, package_owners, link, {})
        for name, sender, invited in INVITATIONS:
            invitation = {"package_id": package_ids[name], "to_id": ids[invited]}
            _put(connection, ownership_invitations, invitation, {"from_id": ids[sender]})
        for org, members in ORGANIZATIONS.items():
            for member, role in members.items():
                membership = {"org_id": ids[org], "member_id": ids[member]}
                _put(connection, organization_members, membership, {"role": role})
        for owner, keys in API_KEYS.items():
            for key in keys:
                _put(connection, api_keys, *_key_row(ids[owner], key, today))


def _load_account(connection: Connection, username: str, demo: Demo) -> int:
    state = demo._asdict()
    login, kind = state.pop("login"), state.pop("kind")
    account_id = _put(connection, accounts, {"username": username}, state)
    if login:
        _put(
            connection, microsoft_logins, {"account_id": account_id}, {"email": login, "kind": kind}
        )
    return account_id


def _key_row(account_id: int, key: DemoKey, today: date) -> Tuple[Dict[str, Any], Dict]:
    days = key.expires_in_days
    return {"account_id": account_id, "name": key.name}, {
        "scopes": key.scopes,
        "glob_patterns": key.glob_patterns,
        "expires_on": today + timedelta(days=days) if days is not None else None,
        "legacy": key.legacy,
    }


def _put(
    connection: Connection, table: Table, key: Dict[str, Any], values: Dict[str, Any]
) -> Optional[int]:
    """The row `key` finds, set to `values`, or a new one; returns its id if it has one."""
    where = and_(*(table.c[column] == value for column, value in key.items()))
    found = connection.execute(select(table).where(where)).mappings().first()
    if found is None:
        new = connection.execute(insert(table).values(**key, **values))
        return new.inserted_primary_key[0] if "id" in table.c else None
    if values:
        connection.execute(update(table).where(where).values(**values))
    return found.get("id")


__all__ = ["seed", "is_seeded", "support_requests"]
