"""The only code that knows the account backend is remote.

Every call has a 3-second budget. Down, slow, 5xx, or an answer of the wrong shape all
raise `BackendUnavailable`, which the actions turn into "I could not check, here are the
general steps". A 404 is an answer (None), not a fault; a 429 (a look-up or support-request
budget used, see account_backend/rate_limit.py) raises `LookupLimited`, a kind of
BackendUnavailable.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import date
from typing import Any, Dict, List, Optional

import aiohttp

from actions.diagnosis import ORGANIZATION_ROLES, Account, ApiKey, Invitation, Membership
from common.conversation import client_key, conversation_key

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0


class BackendUnavailable(Exception):
    """The backend could not give a usable answer."""


class LookupLimited(BackendUnavailable):
    """The backend refused a call over its budget (429): a look-up or a support request."""


def parse_account(data: Dict[str, Any]) -> Account:
    """Raises BackendUnavailable when the answer does not have the agreed shape."""
    try:
        login = data["microsoft_account"]
        packages = _list(data["packages"])
        invitations = data["ownership_invitations"]
        return Account(
            username=str(data["username"]),
            is_organization=bool(data["is_organization"]),
            password_login=bool(data["password_login"]),
            email_masked=str(data["email_masked"]),
            login_kind=str(login["kind"]) if login else None,
            login_email_masked=str(login["email_masked"]) if login else None,
            login_domain=str(login["domain"]) if login else None,
            sole_owner_packages=[str(p["name"]) for p in packages if p["sole_owner"]],
            co_owned_packages=[str(p["name"]) for p in packages if not p["sole_owner"]],
            last_admin_of=[str(o["name"]) for o in data["organizations"] if o["last_admin"]],
            other_owners={_text(p["name"]): _texts(p["other_owners"]) for p in packages},
            api_keys=[_api_key(key) for key in _list(data["api_keys"])],
            invitations_received=_invitations(invitations["received"], "from_username"),
            invitations_sent=_invitations(invitations["sent"], "to_username"),
            email_confirmed=_flag(data["email_confirmed"]),
            memberships=[_membership(o) for o in _list(data["organizations"])],
            locked=_flag(data["locked"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BackendUnavailable(f"malformed account answer: {type(error).__name__}") from error


# The newer fields are read strictly: bool("false") is True, and a lock or an expiry date
# read wrongly would send the user down the wrong branch. TypeError/ValueError: malformed.


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _list(value: Any) -> List[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _texts(value: Any) -> List[str]:
    return [_text(item) for item in _list(value)]


def _api_key(data: Dict[str, Any]) -> ApiKey:
    expires = data["expires_on"]
    return ApiKey(
        name=_text(data["name"]),
        scopes=_texts(data["scopes"]),
        glob_patterns=_texts(data["glob_patterns"]),
        expires_on=None if expires is None else date.fromisoformat(_text(expires)),
        legacy=_flag(data["legacy"]),
    )


def _invitations(items: Any, other_side: str) -> List[Invitation]:
    return [Invitation(_text(i["package"]), _text(i[other_side])) for i in _list(items)]


def _membership(data: Dict[str, Any]) -> Membership:
    if data["role"] not in ORGANIZATION_ROLES:
        raise ValueError("unknown organization role")
    return Membership(_text(data["name"]), data["role"])


class BackendClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = TIMEOUT_SECONDS,
        conversation: Optional[str] = None,
        client: Optional[str] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.conversation = conversation
        self.client = client or conversation  # whose look-up budget a call spends

    def for_client(self, verified: Optional[str], network: Optional[str] = None) -> BackendClient:
        """The same client, its look-ups counted against the backend's per-client budget of
        the signed-in user when there is one, else of the network client the channel saw
        (`network`, its client key), else of the conversation."""
        return BackendClient(
            self.base_url,
            self.token,
            self.timeout.total,
            conversation=self.conversation,
            client=client_key(verified) if verified else network,
        )

    @classmethod
    def from_env(
        cls, sender_id: Optional[str] = None, client: Optional[str] = None
    ) -> BackendClient:
        """A client for one conversation: its calls count against that conversation, and
        against `client` (a digest) when given, else the conversation."""
        return cls(
            os.environ.get("ACCOUNT_BACKEND_URL", "http://127.0.0.1:8001"),
            os.environ.get("ACCOUNT_BACKEND_TOKEN", ""),
            conversation=conversation_key(sender_id) if sender_id else None,
            client=client,
        )

    async def _call(self, method: str, path: str, body: Optional[dict] = None) -> Optional[dict]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.conversation:
            headers["X-Conversation-Id"] = self.conversation
        if self.client:
            headers["X-Client-Id"] = self.client
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.request(
                    method, self.base_url + path, json=body, headers=headers
                ) as response:
                    if response.status == 404:
                        return None
                    if response.status == 429:
                        raise LookupLimited(f"look-up limit reached for {path}")
                    if response.status >= 400:
                        raise BackendUnavailable(f"status {response.status} for {path}")
                    data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise BackendUnavailable(f"{type(error).__name__} for {path}") from error
        if not isinstance(data, dict):
            raise BackendUnavailable(f"malformed answer for {path}")
        return data

    async def account(self, username: str) -> Optional[Account]:
        data = await self._call("GET", f"/v1/accounts/{_segment(username)}")
        return parse_account(data) if data is not None else None

    async def own_account(self, username: str) -> Optional[Account]:
        """The signed-in user's own account, counted against the user and everyone but not
        the conversation: it can tell nothing about anyone else's account, so a user with
        several questions keeps the conversation's few look-ups for those that can."""
        mine = BackendClient(self.base_url, self.token, self.timeout.total, client=self.client)
        return await mine.account(username)

    async def account_by_email(self, email: str) -> Optional[Account]:
        data = await self._call("POST", "/v1/accounts/lookup", {"email": email})
        return parse_account(data) if data is not None else None

    async def login_owner(self, email: str) -> Optional[str]:
        """The NuGet username whose Microsoft login is `email`, or None."""
        data = await self._call("POST", "/v1/microsoft-logins/lookup", {"email": email})
        if data is None or not isinstance(data.get("linked"), bool):
            raise BackendUnavailable("malformed login answer")
        return str(data["username"]) if data["linked"] and data.get("username") else None

    async def tenant_state(self, domain: str) -> str:
        data = await self._call("GET", f"/v1/tenants/{_segment(domain)}")
        state = (data or {}).get("state")
        if state not in ("managed", "unmanaged", "none"):
            raise BackendUnavailable("malformed tenant answer")
        return state

    async def verified_username(self, token: str) -> Optional[str]:
        try:
            data = await self._call("POST", "/v1/identity/verify", {"token": token})
        except BackendUnavailable as error:
            if "status 401" in str(error):
                return None
            raise
        return str(data["username"]) if data and data.get("username") else None

    async def create_support_request(
        self,
        topic: Optional[str],
        channel: Optional[str],
        transcript: List[Dict[str, str]],
        contact_email: Optional[str] = None,
    ) -> str:
        """Stores a request; `contact_email` only when the user chose to give it."""
        body = {"topic": topic, "channel": channel, "transcript": transcript}
        if contact_email:
            body["contact_email"] = contact_email
        data = await self._call("POST", "/v1/support-requests", body)
        reference = (data or {}).get("reference")
        if not isinstance(reference, str):
            raise BackendUnavailable("malformed support request answer")
        return reference


def _segment(value: str) -> str:
    """A path segment; the backend validates the format, this keeps the URL well formed."""
    from urllib.parse import quote

    return quote(value, safe="")
