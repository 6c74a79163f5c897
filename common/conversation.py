"""What the backend and the stores see of a conversation or a signed-in user: digests, never
the sender id or the username."""

from __future__ import annotations

import hashlib


def conversation_key(sender_id: str) -> str:
    """A 32-hex-digit digest of `sender_id` (the same for the action server and retention)."""
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:32]


def client_key(username: str) -> str:
    """A 32-hex-digit digest of a signed-in user's name: whose budget a look-up uses."""
    return hashlib.sha256(f"user:{username.lower()}".encode("utf-8", "replace")).hexdigest()[:32]
