"""Parameterised queries behind the API. Full email addresses never leave this module."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Dict, List, Optional

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from account_backend.database import (
    accounts,
    api_keys,
    microsoft_logins,
    organization_members,
    ownership_invitations,
    package_owners,
    packages,
    support_requests,
    tenants,
)
from common.masking import mask_email


def _account_row(connection: Connection, where) -> Optional[Dict[str, Any]]:
    row = connection.execute(select(accounts).where(where)).mappings().first()
    return dict(row) if row else None


def find_account(connection: Connection, username: str) -> Optional[Dict[str, Any]]:
    """Usernames are case sensitive on nuget.org, but users rarely type them so."""
    exact = _account_row(connection, accounts.c.username == username)
    return exact or _account_row(connection, func.lower(accounts.c.username) == username.lower())


def find_account_by_email(connection: Connection, email: str) -> Optional[Dict[str, Any]]:
    login = connection.execute(
        select(microsoft_logins.c.account_id).where(
            func.lower(microsoft_logins.c.email) == email.lower()
        )
    ).first()
    if login:
        return _account_row(connection, accounts.c.id == login.account_id)
    return _account_row(connection, func.lower(accounts.c.email) == email.lower())


def microsoft_login(connection: Connection, account_id: int) -> Optional[Dict[str, Any]]:
    row = (
        connection.execute(
            select(microsoft_logins).where(microsoft_logins.c.account_id == account_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def login_owner(connection: Connection, email: str) -> Optional[str]:
    """The username whose Microsoft login is `email`, if any."""
    row = connection.execute(
        select(accounts.c.username)
        .join(microsoft_logins, microsoft_logins.c.account_id == accounts.c.id)
        .where(func.lower(microsoft_logins.c.email) == email.lower())
    ).first()
    return row.username if row else None


def tenant_state(connection: Connection, domain: str) -> str:
    row = connection.execute(
        select(tenants.c.state).where(tenants.c.domain == domain.lower())
    ).first()
    return row.state if row else "none"


def owned_packages(connection: Connection, account_id: int) -> List[Dict[str, Any]]:
    """The account's packages, each with its other owners (owners are public on nuget.org)."""
    mine = select(package_owners.c.package_id).where(package_owners.c.account_id == account_id)
    rows = connection.execute(
        select(packages.c.name, accounts.c.username, package_owners.c.account_id)
        .join(package_owners, package_owners.c.package_id == packages.c.id)
        .join(accounts, accounts.c.id == package_owners.c.account_id)
        .where(packages.c.id.in_(mine))
        .order_by(packages.c.name, accounts.c.username)
    )
    others: Dict[str, List[str]] = {}
    for row in rows:
        names = others.setdefault(row.name, [])
        if row.account_id != account_id:
            names.append(row.username)
    return [
        {"name": name, "sole_owner": not owners, "other_owners": owners}
        for name, owners in others.items()
    ]


def ownership_invitations_of(connection: Connection, account_id: int) -> Dict[str, Any]:
    """Pending invitations the account received (and from whom) and sent (and to whom)."""

    def pending(mine, theirs) -> List[Any]:
        return connection.execute(
            select(packages.c.name, accounts.c.username)
            .join(ownership_invitations, ownership_invitations.c.package_id == packages.c.id)
            .join(accounts, accounts.c.id == ownership_invitations.c[theirs])
            .where(ownership_invitations.c[mine] == account_id)
            .order_by(packages.c.name, accounts.c.username)
        ).all()

    return {
        "received": [{"package": p, "from_username": u} for p, u in pending("to_id", "from_id")],
        "sent": [{"package": p, "to_username": u} for p, u in pending("from_id", "to_id")],
    }


def organization_memberships(connection: Connection, account_id: int) -> List[Dict[str, Any]]:
    """The account's organizations with its role; `last_admin` when it is their only admin."""
    members = organization_members.c
    admins = (
        select(members.org_id, func.count().label("admins"))
        .where(members.role == "admin")
        .group_by(members.org_id)
        .subquery()
    )
    rows = connection.execute(
        select(accounts.c.username, members.role, admins.c.admins)
        .join(organization_members, members.org_id == accounts.c.id)
        .outerjoin(admins, admins.c.org_id == accounts.c.id)
        .where(members.member_id == account_id)
        .order_by(accounts.c.username)
    )
    return [
        {
            "name": row.username,
            "role": row.role,
            "last_admin": row.role == "admin" and row.admins == 1,
        }
        for row in rows
    ]


def api_keys_of(connection: Connection, account_id: int) -> List[Dict[str, Any]]:
    rows = connection.execute(
        select(api_keys).where(api_keys.c.account_id == account_id).order_by(api_keys.c.name)
    ).mappings()
    fields = ("name", "scopes", "glob_patterns", "expires_on", "legacy")
    return [{field: row[field] for field in fields} for row in rows]


def account_view(connection: Connection, account: Dict[str, Any]) -> Dict[str, Any]:
    """What the help desk sees of an account: emails masked, ownerships summarised, keys by
    their metadata."""
    login = microsoft_login(connection, account["id"])
    return {
        "username": account["username"],
        "is_organization": account["is_organization"],
        "password_login": account["password_login"],
        "email_masked": mask_email(account["email"]),
        "email_confirmed": account["email_confirmed"],
        "locked": account["locked"],
        "microsoft_account": {
            "kind": login["kind"],
            "email_masked": mask_email(login["email"]),
            "domain": login["email"].rpartition("@")[2],
        }
        if login
        else None,
        "packages": owned_packages(connection, account["id"]),
        "ownership_invitations": ownership_invitations_of(connection, account["id"]),
        "organizations": organization_memberships(connection, account["id"]),
        "api_keys": api_keys_of(connection, account["id"]),
    }


def new_reference() -> str:
    return "NGS-" + secrets.token_hex(4).upper()


def create_support_request(
    connection: Connection,
    topic: Optional[str],
    channel: Optional[str],
    transcript: list,
    conversation: Optional[str] = None,
    contact_email: Optional[str] = None,
) -> str:
    reference = new_reference()
    connection.execute(
        insert(support_requests).values(
            reference=reference,
            topic=topic,
            channel=channel,
            transcript=json.dumps(transcript),
            created=time.time(),
            conversation=conversation,
            contact_email=contact_email,
        )
    )
    return reference


def get_support_request(connection: Connection, reference: str) -> Optional[Dict[str, Any]]:
    row = (
        connection.execute(
            select(support_requests).where(support_requests.c.reference == reference)
        )
        .mappings()
        .first()
    )
    if not row:
        return None
    return {**dict(row), "transcript": json.loads(row["transcript"])}
