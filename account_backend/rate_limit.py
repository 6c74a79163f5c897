"""Limits on look-ups, so the assistant cannot be used to probe accounts at scale.

Three budgets over a sliding window: per conversation, per client (the signed-in user, or
the conversation when nobody is signed in: header X-Client-Id) and for everyone together.
The budgets are spent by whoever asks, never by whom the look-up is about: an account is only
ever looked up for its own verified owner (actions/account_check.py), so no one can use up
another user's checks. Attempts are kept in the database, so every backend replica counts the
same, and only as SHA-256 digests: the table never holds an email, a username or a sender id.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Engine

from account_backend.database import lookup_attempts


@dataclass(frozen=True)
class Limits:
    per_conversation: int = 5
    per_client: int = 20
    total: int = 1000
    window_seconds: float = 600.0

    @classmethod
    def from_env(cls) -> Limits:
        defaults = cls()
        return cls(
            int(os.environ.get("LOOKUP_LIMIT_PER_CONVERSATION", defaults.per_conversation)),
            int(os.environ.get("LOOKUP_LIMIT_PER_CLIENT", defaults.per_client)),
            int(os.environ.get("LOOKUP_LIMIT_TOTAL", defaults.total)),
            float(os.environ.get("LOOKUP_WINDOW_SECONDS", defaults.window_seconds)),
        )


def digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


class LookupLimiter:
    def __init__(self, engine: Engine, limits: Limits, clock: Callable[[], float] = time.time):
        self.engine = engine
        self.limits = limits
        self.clock = clock

    def admit(self, conversation: Optional[str], client: Optional[str]) -> Optional[float]:
        """Records the look-up and returns None, or returns the seconds until one is allowed."""
        now = self.clock()
        since = now - self.limits.window_seconds
        budgets = [(digest("total", "all"), self.limits.total)]
        if conversation:
            budgets.append((digest("conversation", conversation), self.limits.per_conversation))
        if client:
            budgets.append((digest("client", client), self.limits.per_client))
        with self.engine.begin() as connection:
            keys = [key for key, _ in budgets]
            connection.execute(
                delete(lookup_attempts).where(
                    and_(lookup_attempts.c.key.in_(keys), lookup_attempts.c.at < since)
                )
            )
            for key, limit in budgets:
                count, oldest = connection.execute(
                    select(func.count(), func.min(lookup_attempts.c.at)).where(
                        lookup_attempts.c.key == key
                    )
                ).one()
                if count >= limit:
                    return max(1.0, round(oldest + self.limits.window_seconds - now, 1))
            connection.execute(insert(lookup_attempts), [{"key": k, "at": now} for k in keys])
        return None


def forget_attempts(engine: Engine, before: float) -> int:
    """Forgets attempts older than `before` (epoch seconds); returns how many (retention)."""
    with engine.begin() as connection:
        result = connection.execute(delete(lookup_attempts).where(lookup_attempts.c.at < before))
    return int(result.rowcount or 0)
