"""Signed identities: how a host page tells the bot who is signed in.

A token is `base64url(json claims) + "." + base64url(HMAC-SHA256)`, signed with
IDENTITY_SECRET, which the help site and this backend share. Only the backend verifies it;
the bot speaks about an account in detail only after it has. The claims:

- `sub`: the username; `iat` and `exp`: issued and expires, unix seconds (integers);
- `jti`: a random nonce, so that two tokens are never the same (a token is bound to the
  first conversation that presents it: account_backend/bindings.py).

A token lives at most IDENTITY_MAX_LIFETIME_SECONDS (default 3600) from `iat` to `exp`,
whatever its signer asked for, and one issued in the future (beyond CLOCK_SKEW_SECONDS) or
without `iat` is refused: a leaked token, or a signer's mistake, stays usable for a bounded
time only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from typing import Any, Mapping, Optional

MAX_LIFETIME_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60  # the host page's clock may run this far ahead of ours


def max_lifetime(environ: Mapping[str, str] = os.environ) -> int:
    return int(environ.get("IDENTITY_MAX_LIFETIME_SECONDS") or MAX_LIFETIME_SECONDS)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign(username: str, secret: str, ttl_seconds: int = 3600, now: Optional[float] = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {"sub": username, "iat": issued, "exp": issued + ttl_seconds}
    claims["jti"] = secrets.token_hex(8)
    payload = _b64(json.dumps(claims).encode())
    return f"{payload}.{_signature(payload, secret)}"


def _is_time(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def valid_claims(claims: Any, current: float, lifetime: int) -> bool:
    """A username, and a lifetime within bounds that includes `current`."""
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        return False
    issued, expires = claims.get("iat"), claims.get("exp")
    if not (_is_time(issued) and _is_time(expires)):
        return False
    not_ahead = issued <= current + CLOCK_SKEW_SECONDS
    return not_ahead and expires - issued <= lifetime and expires >= current


def verify(
    token: str, secret: str, now: Optional[float] = None, lifetime: Optional[int] = None
) -> Optional[str]:
    """The username a valid token names; None for anything else (`lifetime`: the longest
    allowed, default IDENTITY_MAX_LIFETIME_SECONDS)."""
    try:
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, _signature(payload, secret)):
            return None
        claims = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    current = now if now is not None else time.time()
    longest = lifetime if lifetime is not None else max_lifetime()
    return claims["sub"] if valid_claims(claims, current, longest) else None
