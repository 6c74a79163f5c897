"""Demo accounts, named after the FAQ's own examples, so every diagnostic path can be tried."""

from __future__ import annotations

from typing import Dict, Tuple

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from account_backend.database import (
    accounts,
    metadata,
    microsoft_logins,
    organization_admins,
    package_owners,
    packages,
    support_requests,
    tenants,
)

# username: (account email, password login, organization, Microsoft login email, kind)
ACCOUNTS: Dict[str, Tuple[str, bool, bool, str | None, str | None]] = {
    "MyNuGetAccount1": ("account1@outlook.com", False, False, "account1@outlook.com", "msa"),
    "MyNuGetAccount2": ("account2@outlook.com", False, False, "account2@outlook.com", "msa"),
    "CoOwnerDev": ("coowner@outlook.com", False, False, "coowner@outlook.com", "msa"),
    "LegacyDev": ("legacy.dev@example.org", True, False, None, None),
    "ContosoBuild": ("builder@contoso.com", False, False, "builder@contoso.com", "aad"),
    "SoleOwnerDev": ("sole.owner@outlook.com", False, False, "sole.owner@outlook.com", "msa"),
    "FabrikamAdmin": ("admin@fabrikam.com", False, False, "admin@fabrikam.com", "aad"),
    "FabrikamOrg": ("nuget@fabrikam.com", False, True, None, None),
}
TENANTS = {"contoso.com": "unmanaged", "fabrikam.com": "managed"}
# package: owners
PACKAGES = {
    "MyNuGet.Utilities": ["MyNuGetAccount1", "CoOwnerDev"],
    "MyNuGet.Logging": ["MyNuGetAccount1", "CoOwnerDev"],
    "SoleOwner.Core": ["SoleOwnerDev"],
    "SoleOwner.Extensions": ["SoleOwnerDev"],
    "Fabrikam.Client": ["FabrikamOrg"],
}
ORGANIZATIONS = {"FabrikamOrg": ["FabrikamAdmin"]}


def is_seeded(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(accounts)).scalar())


def seed(engine: Engine, reset: bool = False) -> None:
    """Loads the demo data into an empty database; `reset` empties it first."""
    if reset:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))
    elif is_seeded(engine):
        return
    with engine.begin() as connection:
        ids = {}
        for username, (email, password, org, login, kind) in ACCOUNTS.items():
            row = {
                "username": username,
                "email": email,
                "password_login": password,
                "is_organization": org,
            }
            ids[username] = connection.execute(insert(accounts).values(**row)).inserted_primary_key[
                0
            ]
            if login:
                connection.execute(
                    insert(microsoft_logins).values(
                        account_id=ids[username], email=login, kind=kind
                    )
                )
        for domain, state in TENANTS.items():
            connection.execute(insert(tenants).values(domain=domain, state=state))
        for name, owners in PACKAGES.items():
            package_id = connection.execute(
                insert(packages).values(name=name)
            ).inserted_primary_key[0]
            for owner in owners:
                connection.execute(
                    insert(package_owners).values(package_id=package_id, account_id=ids[owner])
                )
        for org, admins in ORGANIZATIONS.items():
            for admin in admins:
                connection.execute(
                    insert(organization_admins).values(org_id=ids[org], admin_id=ids[admin])
                )


__all__ = ["seed", "is_seeded", "support_requests"]
