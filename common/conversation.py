"""What the backend and the stores see of a conversation: a digest, never the sender id."""

from __future__ import annotations

import hashlib


def conversation_key(sender_id: str) -> str:
    """A 32-hex-digit digest of `sender_id` (the same for the action server and retention)."""
    return hashlib.sha256(sender_id.encode("utf-8", "replace")).hexdigest()[:32]
