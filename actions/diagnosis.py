"""Account state -> finding: which branch of a topic fits the user's real account.

Plain functions, no Rasa and no HTTP. A finding is a name from the topic's playbook
`findings` plus the (masked) values its text needs; None means "give the general steps".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from common import identifiers
from common.masking import mask_email

EMAIL = re.compile(identifiers.EMAIL)
USERNAME = re.compile(identifiers.USERNAME)
DOMAIN = re.compile(identifiers.DOMAIN)
SKIP_WORDS = {"skip", "no", "nope", "stop", "cancel", "dont know", "don't know", "idk", "none"}

LOGIN_KINDS = {"msa": "personal Microsoft account", "aad": "work or school (Azure AD) account"}

Finding = Optional[Tuple[str, Dict[str, str]]]


@dataclass(frozen=True)
class Account:
    """What the backend tells of an account (addresses masked); the diagnosis reads it."""

    username: str
    is_organization: bool
    password_login: bool
    email_masked: str
    login_kind: Optional[str]  # "msa", "aad" or None when no Microsoft account is linked
    login_email_masked: Optional[str]
    login_domain: Optional[str]
    sole_owner_packages: List[str]
    co_owned_packages: List[str]
    last_admin_of: List[str]


@dataclass(frozen=True)
class Identifier:
    kind: str  # "email", "username", "domain" or "skip"
    value: str = ""


def parse_identifier(text: str) -> Optional[Identifier]:
    """What the user typed when asked for their account; None when it is not usable."""
    cleaned = text.strip().strip(".,;!?\"'<>()[]").strip()
    if cleaned.lower().rstrip(".!") in SKIP_WORDS:
        return Identifier("skip")
    if len(cleaned) > identifiers.MAX_EMAIL:
        return None
    if EMAIL.match(cleaned):
        return Identifier("email", cleaned)
    if DOMAIN.match(cleaned) and "@" not in cleaned and "." in cleaned:
        return Identifier("domain", cleaned.lower())
    if USERNAME.match(cleaned):
        return Identifier("username", cleaned)
    return None


def account_finding(topic: str, account: Optional[Account], verified: Optional[str]) -> Finding:
    """What the signed-in account's state means for `topic`; None (the general steps) for an
    account that is not the verified user's own."""
    if account is None or not verified or verified.lower() != account.username.lower():
        return None
    values = {
        "username": account.username,
        "login_kind": LOGIN_KINDS.get(account.login_kind or "", "Microsoft account"),
        "login_email_masked": account.login_email_masked or "",
    }
    if topic == "delete_account":
        return deletion_finding(account)
    if topic == "transform_to_organization" and account.is_organization:
        return "already_organization", values
    if account.login_kind:
        return "linked", values
    return "password_only", values


def deletion_finding(account: Account) -> Finding:
    """Packages and organizations that need attention before the account goes."""
    if account.last_admin_of:
        return "last_admin", {"organizations": ", ".join(account.last_admin_of)}
    if account.sole_owner_packages:
        packages = account.sole_owner_packages
        return "sole_owner", {"package_count": str(len(packages)), "packages": ", ".join(packages)}
    return "clear", {"username": account.username}


def target_finding(target_email: str, owner: Optional[str], verified: Optional[str]) -> Finding:
    """Is the Microsoft account the user wants to switch to already another account's login?"""
    values = {"target_masked": mask_email(target_email)}
    if owner is None or (verified and owner.lower() == verified.lower()):
        return "target_free", values
    return "linked_elsewhere", values


def tenant_finding(domain: str, state: str) -> Finding:
    names = {"unmanaged": "unmanaged", "managed": "managed", "none": "no_tenant"}
    return names[state], {"domain": domain}


def domain_of(identifier: Identifier) -> Optional[str]:
    if identifier.kind == "email":
        return identifier.value.rpartition("@")[2].lower()
    return identifier.value if identifier.kind == "domain" else None
