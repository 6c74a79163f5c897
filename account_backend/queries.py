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
    microsoft_logins,
    organization_admins,
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


def _memberships(connection: Connection, link, group, member, name, account_id: int):
    """(name, members) of every group `account_id` belongs to through the `link` table."""
    members = select(link.c[group], func.count().label("members")).group_by(link.c[group])
    counted = members.subquery()
    rows = connection.execute(
        select(name, counted.c.members)
        .join(link, link.c[group] == name.table.c.id)
        .join(counted, counted.c[group] == name.table.c.id)
        .where(link.c[member] == account_id)
        .order_by(name)
    )
    return [(row[0], row.members) for row in rows]


def owned_packages(connection: Connection, account_id: int) -> List[Dict[str, Any]]:
    owned = _memberships(
        connection, package_owners, "package_id", "account_id", packages.c.name, account_id
    )
    return [{"name": name, "sole_owner": owners == 1} for name, owners in owned]


def administered_organizations(connection: Connection, account_id: int) -> List[Dict[str, Any]]:
    administered = _memberships(
        connection, organization_admins, "org_id", "admin_id", accounts.c.username, account_id
    )
    return [{"name": name, "last_admin": admins == 1} for name, admins in administered]


def account_view(connection: Connection, account: Dict[str, Any]) -> Dict[str, Any]:
    """What the help desk sees of an account: emails masked, ownerships summarised."""
    login = microsoft_login(connection, account["id"])
    return {
        "username": account["username"],
        "is_organization": account["is_organization"],
        "password_login": account["password_login"],
        "email_masked": mask_email(account["email"]),
        "microsoft_account": {
            "kind": login["kind"],
            "email_masked": mask_email(login["email"]),
            "domain": login["email"].rpartition("@")[2],
        }
        if login
        else None,
        "packages": owned_packages(connection, account["id"]),
        "organizations": administered_organizations(connection, account["id"]),
    }


def new_reference() -> str:
    return "NGS-" + secrets.token_hex(4).upper()


def create_support_request(
    connection: Connection,
    topic: Optional[str],
    channel: Optional[str],
    transcript: list,
    conversation: Optional[str] = None,
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
