"""Who may see the console: the password check, signed session cookies, CSRF tokens and the
back-off after wrong passwords.

A session is a cookie the server signs (HMAC-SHA-256 under a key of this process), so nothing
is stored server-side and a restart logs everyone out. Every visitor gets one, signed in or
not, because the login form needs a CSRF token too: a token is an HMAC of the session's random
id, so it cannot be reused from another session and a new one starts at each login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Optional

COOKIE = "team_console_session"
SIGNED_IN_SECONDS = 8 * 3600  # a working day, then log in again
VISITOR_SECONDS = 3600  # the login form's session
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Session:
    sid: str
    expires: float
    user: Optional[str] = None  # None: not signed in
    flash: Optional[Dict[str, Any]] = None  # what the last action did, shown once

    @property
    def signed_in(self) -> bool:
        return self.user is not None


def new_session(user: Optional[str] = None, now: Optional[float] = None) -> Session:
    lifetime = SIGNED_IN_SECONDS if user else VISITOR_SECONDS
    return Session(
        secrets.token_urlsafe(16), (time.time() if now is None else now) + lifetime, user
    )


def with_flash(session: Session, flash: Optional[Dict[str, Any]]) -> Session:
    return replace(session, flash=flash)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, message: str) -> bytes:
    return hmac.new(key, f"{purpose}|{message}".encode(), hashlib.sha256).digest()


def encode(session: Session, key: bytes) -> str:
    payload = _b64(json.dumps(session.__dict__, separators=(",", ":")).encode())
    return payload + "." + _b64(_mac(key, "session", payload))


def decode(cookie: Optional[str], key: bytes, now: Optional[float] = None) -> Optional[Session]:
    """The session in a cookie the server signed and that has not expired, else None."""
    payload, _, signature = (cookie or "").partition(".")
    try:
        valid = hmac.compare_digest(_unb64(signature), _mac(key, "session", payload))
        session = Session(**json.loads(_unb64(payload))) if valid else None
    except (ValueError, TypeError):
        return None
    if session is None or session.expires <= (time.time() if now is None else now):
        return None
    return session


def csrf_token(session: Session, key: bytes) -> str:
    return _b64(_mac(key, "csrf", session.sid))


def csrf_ok(session: Optional[Session], token: Optional[str], key: bytes) -> bool:
    if session is None or not token:
        return False
    return hmac.compare_digest(token.encode(), csrf_token(session, key).encode())


def password_ok(user: str, password: str, expected_user: str, expected_password: str) -> bool:
    """Constant-time: the user name may be left empty, the password never."""
    user_ok = hmac.compare_digest(user.encode(), expected_user.encode()) or not user
    password_matches = hmac.compare_digest(password.encode(), expected_password.encode())
    return bool(expected_password) and password_matches and user_ok


@dataclass
class LoginBackoff:
    """Wrong passwords from one client: the first FREE are typos, then each doubles the wait
    before the next try (1 s, 2 s, 4 s ... up to MAX seconds); an hour without one forgets."""

    free: int = 3
    longest: float = 300.0
    forget_after: float = 3600.0
    clients: int = 10_000  # the most remembered at once (the oldest go first)
    _failures: OrderedDict = field(default_factory=OrderedDict)  # client: (count, last)

    def wait(self, client: str, now: Optional[float] = None) -> float:
        """Seconds before `client` may try again (0: now)."""
        now = time.time() if now is None else now
        count, last = self._failures.get(client, (0, 0.0))
        if count < self.free or now - last > self.forget_after:
            return 0.0
        delay = min(2.0 ** (count - self.free), self.longest)
        return max(0.0, last + delay - now)

    def failed(self, client: str, now: Optional[float] = None) -> None:
        now = time.time() if now is None else now
        count, last = self._failures.pop(client, (0, 0.0))
        if now - last > self.forget_after:
            count = 0
        self._failures[client] = (count + 1, now)
        while len(self._failures) > self.clients:
            self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
