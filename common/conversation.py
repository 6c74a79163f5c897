"""What the backend and the stores see of a conversation or a signed-in user: keyed digests,
never the sender id or the username.

A plain SHA-256 of a username or a Slack user id can be tested against any guess by whoever
reads the table; an HMAC under the server's DIGEST_SECRET cannot. The action server, the
account backend and the purge job (retention/) must share the key: the backend counts and
keeps the action server's conversation digests, and the purge finds a sender's support
requests by recomputing one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from typing import Any, Mapping, Optional

SECRET_VARIABLE = "DIGEST_SECRET"
# Without the variable (a process started by hand, outside scripts/env.sh and the deploy
# files): a key of this process only. Its digests match no other process's, but are never
# plain digests a guess could be tested against.
_PROCESS_KEY = secrets.token_bytes(32)

# Message metadata the channels set (never the client): a keyed digest of the network address
# a message came from, so support requests can be counted per client without storing it.
CLIENT_FIELD = "client_key"
CLIENT_KEY = re.compile(r"^[0-9a-f]{32}$")


def digest_key(environ: Mapping[str, str] = os.environ) -> bytes:
    """DIGEST_SECRET, else this process's own random key."""
    value = environ.get(SECRET_VARIABLE, "")
    return value.encode() if value else _PROCESS_KEY


def keyed_digest(kind: str, value: str, key: Optional[bytes] = None) -> str:
    """HMAC-SHA-256 (64 hex digits) of `kind:value` under `key`, else the server's key."""
    message = f"{kind}:{value}".encode("utf-8", "replace")
    return hmac.new(key or digest_key(), message, hashlib.sha256).hexdigest()


def conversation_key(sender_id: str) -> str:
    """A 32-hex-digit digest of `sender_id` (the same for the action server and retention)."""
    return keyed_digest("conversation", sender_id)[:32]


def client_key(username: str) -> str:
    """A 32-hex-digit digest of a signed-in user's name: whose budget a look-up uses."""
    return keyed_digest("user", username.lower())[:32]


def network_client_key(address: str, secret: bytes) -> str:
    """A 32-hex-digit keyed digest of a network address: without the key it names no one."""
    return hmac.new(secret, f"address:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key_in(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The channel's client key in a message's metadata, if it has a well-formed one."""
    value = (metadata or {}).get(CLIENT_FIELD)
    return value if isinstance(value, str) and CLIENT_KEY.match(value) else None
