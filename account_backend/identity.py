"""Signed identities: how a host page tells the bot who is signed in.

A token is `base64url(json {"sub": username, "exp": unix time}) + "." + base64url(HMAC-SHA256)`,
signed with IDENTITY_SECRET, which the help site and this backend share. Only the backend
verifies it; the bot speaks about an account in detail only after it has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Optional


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign(username: str, secret: str, ttl_seconds: int = 3600, now: Optional[float] = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl_seconds)
    payload = _b64(json.dumps({"sub": username, "exp": expires}).encode())
    return f"{payload}.{_signature(payload, secret)}"


def verify(token: str, secret: str, now: Optional[float] = None) -> Optional[str]:
    """The username a valid, unexpired token names; None for anything else."""
    try:
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, _signature(payload, secret)):
            return None
        claims = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    current = now if now is not None else time.time()
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        return None
    if not isinstance(claims.get("exp"), int) or claims["exp"] < current:
        return None
    return claims["sub"]
