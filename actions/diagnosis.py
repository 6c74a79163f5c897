"""Account state -> finding: which branch of a topic fits the user's real account.

Plain functions, no Rasa and no HTTP. A finding is a name from the topic's playbook
`findings` plus the (masked) values its text needs; None means "give the general steps".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from common import identifiers
from common.masking import mask_email, mask_text

EMAIL = re.compile(identifiers.EMAIL)
USERNAME = re.compile(identifiers.USERNAME)
DOMAIN = re.compile(identifiers.DOMAIN)
SKIP_WORDS = {"skip", "no", "nope", "dont know", "don't know", "idk", "none"}  # "stop": typed_words

LOGIN_KINDS = {"msa": "personal Microsoft account", "aad": "work or school (Azure AD) account"}

ORGANIZATION_ROLES = ("admin", "collaborator")
# nuget.org emails a key's holder ten days before the key expires; from then on it is news.
EXPIRY_WARNING_DAYS = 10
# Names users chose (keys, packages) go back into the bot's text: bounded, addresses masked.
MAX_NAME = 64
MAX_LISTED = 5  # names in one list; the rest are counted

Finding = Optional[Tuple[str, Dict[str, str]]]


@dataclass(frozen=True)
class ApiKey:
    """A key's metadata; the backend never has its value."""

    name: str
    scopes: List[str]
    glob_patterns: List[str]
    expires_on: Optional[date]  # None: no expiry date (legacy keys)
    legacy: bool


@dataclass(frozen=True)
class Invitation:
    """A pending ownership invitation: the package and the other side's username."""

    package: str
    username: str


@dataclass(frozen=True)
class Membership:
    organization: str
    role: str  # one of ORGANIZATION_ROLES


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
    other_owners: Dict[str, List[str]]  # package -> its other owners' usernames (public)
    api_keys: List[ApiKey]
    invitations_received: List[Invitation]  # username: who invited this account
    invitations_sent: List[Invitation]  # username: who was invited
    email_confirmed: bool
    memberships: List[Membership]
    locked: bool


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


def account_finding(
    topic: str, account: Optional[Account], verified: Optional[str], today: date
) -> Finding:
    """What the signed-in account's state means for `topic`; None (the general steps) for an
    account that is not the verified user's own. `today` dates the API keys' expiry."""
    if account is None or not verified or verified.lower() != account.username.lower():
        return None
    if account.locked:  # whatever the question, a locked account is the first thing to fix
        return "locked", {}
    by_topic = TOPIC_FINDINGS.get(topic)
    return by_topic(account, today) if by_topic else sign_in_finding(topic, account)


def sign_in_finding(topic: str, account: Account) -> Finding:
    """How the account's packages are reached: an organization's through its members' own
    accounts, else by signing in with the linked Microsoft account, or none (password only)."""
    values = {
        "username": account.username,
        "login_kind": LOGIN_KINDS.get(account.login_kind or "", "Microsoft account"),
        "login_email_masked": account.login_email_masked or "",
    }
    if account.is_organization:
        transforming = topic == "transform_to_organization"
        return ("already_organization" if transforming else "organization"), values
    return ("linked" if account.login_kind else "password_only"), values


def shown_name(name: str) -> str:
    """A name the user chose, as a finding may show it: addresses masked, at most MAX_NAME
    characters."""
    shown = mask_text(name, limit=MAX_NAME)
    return shown if len(name) <= MAX_NAME else shown[: MAX_NAME - 3] + "..."


def listed(names: Iterable[str]) -> str:
    """Names (already shown_name'd) as one line: the first MAX_LISTED, then how many more."""
    unique = list(dict.fromkeys(names))
    more = len(unique) - MAX_LISTED
    return ", ".join(unique[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def deletion_finding(account: Account) -> Finding:
    """Packages and organizations that need attention before the account goes."""
    if account.last_admin_of:
        return "last_admin", {"organizations": ", ".join(account.last_admin_of)}
    if account.sole_owner_packages:
        return sole_owner(account.sole_owner_packages)
    return "clear", {"username": account.username}


def counted(count: int, noun: str) -> str:
    """A count with its noun in the right number: "1 package", "2 packages"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def sole_owner(packages: List[str]) -> Finding:
    shown = listed(shown_name(name) for name in packages)
    return "sole_owner", {"counted_packages": counted(len(packages), "package"), "packages": shown}


def _expired(key: ApiKey, today: date) -> bool:
    return key.expires_on is not None and key.expires_on < today


def _expiring(key: ApiKey, today: date) -> bool:
    """Expires today or within EXPIRY_WARNING_DAYS (a key is valid on its expiry date)."""
    return key.expires_on is not None and (key.expires_on - today).days <= EXPIRY_WARNING_DAYS


def key_finding(account: Account, today: date) -> Finding:
    """The key most likely behind a refused push: expired, then expiring, then legacy."""
    keys = account.api_keys
    expired = next((k for k in keys if _expired(k, today)), None)
    if expired:
        return "key_expired", {
            "key_name": shown_name(expired.name),
            "expired_on": expired.expires_on.isoformat(),
        }
    expiring = next((k for k in keys if _expiring(k, today)), None)
    if expiring:
        return "key_expiring", {
            "key_name": shown_name(expiring.name),
            "expires_on": expiring.expires_on.isoformat(),
        }
    legacy = next((k for k in keys if k.legacy), None)
    if legacy:
        return "legacy_key", {"key_name": shown_name(legacy.name)}
    if not keys:
        return "no_keys", {}
    return "keys_current", {"counted_keys": counted(len(keys), "API key")}


def owners_finding(account: Account, _today: date) -> Finding:
    """Pending invitations first (they wait on someone), then packages with no other owner."""
    for name, invitations in (
        ("invitation_pending", account.invitations_received),
        ("invitation_sent", account.invitations_sent),
    ):
        if invitations:
            return name, {"packages": listed(shown_name(i.package) for i in invitations)}
    if account.sole_owner_packages:
        return sole_owner(account.sole_owner_packages)
    return "owners_ok", {}


def email_finding(account: Account, _today: date) -> Finding:
    # mask_email again: a masked address stays as it is, a full one from a faulty backend
    # is masked here.
    values = {"email_masked": mask_email(account.email_masked)}
    return ("email_confirmed" if account.email_confirmed else "email_unconfirmed"), values


def organization_finding(account: Account, _today: date) -> Finding:
    if account.is_organization:  # the organization itself has no memberships of its own
        return "organization", {"username": account.username}
    if not account.memberships:
        return "no_organizations", {}
    names = (f"{shown_name(m.organization)} ({m.role})" for m in account.memberships)
    # only administrators manage members: a collaborator everywhere gets the branch saying so
    admin = any(m.role == "admin" for m in account.memberships)
    return ("organizations" if admin else "collaborator"), {"memberships": listed(names)}


# Topics whose finding is decided by one part of the account (locked aside).
TOPIC_FINDINGS: Dict[str, Callable[[Account, date], Finding]] = {
    "delete_account": lambda account, _today: deletion_finding(account),
    "push_forbidden_api_key": key_finding,
    "manage_api_keys": key_finding,
    "manage_package_owners": owners_finding,
    "confirm_or_change_email": email_finding,
    "manage_organization_members": organization_finding,
    "account_locked_or_signin_error": lambda _account, _today: ("not_locked", {}),
}


def target_finding(target_email: str, owner: Optional[str], verified: Optional[str]) -> Finding:
    """Is the Microsoft account the user wants to switch to free, already the login of the
    signed-in account itself (nothing to change), or another account's login?"""
    values = {"target_masked": mask_email(target_email)}
    if owner is None:
        return "target_free", values
    if verified and owner.lower() == verified.lower():
        return "own_login", values
    return "linked_elsewhere", values


def tenant_finding(domain: str, state: str) -> Finding:
    names = {"unmanaged": "unmanaged", "managed": "managed", "none": "no_tenant"}
    return names[state], {"domain": domain}


def domain_of(identifier: Identifier) -> Optional[str]:
    if identifier.kind == "email":
        return identifier.value.rpartition("@")[2].lower()
    return identifier.value if identifier.kind == "domain" else None
