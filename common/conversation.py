"""What the backend and the stores see of a conversation or a signed-in user: digests, never
the sender id or the username."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Mapping, Optional

# Message metadata the channels set (never the client): a keyed digest of the network address
# a message came from, so support requests can be counted per client without storing it.
CLIENT_FIELD = "client_key"
CLIENT_KEY = re.compile(r"^[0-9a-f]{32}$")


def conversation_key(sender_id: str) -> str:
    """A 32-hex-digit digest of `sender_id` (the same for the action server and retention)."""
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:32]


def client_key(username: str) -> str:
    """A 32-hex-digit digest of a signed-in user's name: whose budget a look-up uses."""
    return hashlib.sha256(f"user:{username.lower()}".encode("utf-8", "replace")).hexdigest()[:32]


def network_client_key(address: str, secret: bytes) -> str:
    """A 32-hex-digit keyed digest of a network address: without the key it names no one."""
    return hmac.new(secret, f"address:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key_in(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The channel's client key in a message's metadata, if it has a well-formed one."""
    value = (metadata or {}).get(CLIENT_FIELD)
    return value if isinstance(value, str) and CLIENT_KEY.match(value) else None
