"""Limits on look-ups, so the assistant cannot be used to probe accounts at scale, and on
support requests, so no one can flood the help desk.

Three budgets over a sliding window: per conversation, per client (header X-Client-Id: for a
look-up the signed-in user; else, as for a support request, the network client the channel
saw, else the conversation) and for everyone together.
Look-ups and support requests have budgets of their own (`LookupLimiter`'s scope).
The look-up budgets are spent by whoever asks, never by whom the look-up is about: an account
is only ever looked up for its own verified owner (actions/account_check.py), so no one can use
up another user's checks. Attempts are kept in the database, so every backend replica counts
the same, and only as keyed digests (HMAC-SHA-256 under DIGEST_SECRET, common/conversation.py):
the table never holds an email, a username or a sender id, nor a digest that a guessed one
could be tested against.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Engine

from account_backend.database import lookup_attempts
from common.conversation import keyed_digest


@dataclass(frozen=True)
class Limits:
    per_conversation: int = 5
    per_client: int = 20
    total: int = 1000
    window_seconds: float = 600.0

    @classmethod
    def from_env(cls, prefix: str = "LOOKUP", defaults: Optional[Limits] = None) -> Limits:
        """<prefix>_LIMIT_PER_CONVERSATION, _LIMIT_PER_CLIENT, _LIMIT_TOTAL, _WINDOW_SECONDS."""
        defaults = defaults or cls()
        return cls(
            int(os.environ.get(f"{prefix}_LIMIT_PER_CONVERSATION", defaults.per_conversation)),
            int(os.environ.get(f"{prefix}_LIMIT_PER_CLIENT", defaults.per_client)),
            int(os.environ.get(f"{prefix}_LIMIT_TOTAL", defaults.total)),
            float(os.environ.get(f"{prefix}_WINDOW_SECONDS", defaults.window_seconds)),
        )


# A user may need a request for a second problem; a client that opened 10 in an hour is a
# script. The total keeps a flood from many addresses from filling the help desk's queue.
SUPPORT_LIMITS = Limits(per_conversation=3, per_client=10, total=200, window_seconds=3600.0)


def digest(kind: str, value: str) -> str:
    return keyed_digest(kind, value.strip().lower())


class LookupLimiter:
    """Budgets of one kind: `scope` keeps them apart from other kinds in the same table."""

    def __init__(
        self,
        engine: Engine,
        limits: Limits,
        clock: Callable[[], float] = time.time,
        scope: str = "",
    ):
        self.engine = engine
        self.limits = limits
        self.clock = clock
        self.scope = scope

    def admit(self, conversation: Optional[str], client: Optional[str]) -> Optional[float]:
        """Records the look-up and returns None, or returns the seconds until one is allowed."""
        now = self.clock()
        since = now - self.limits.window_seconds
        scope = self.scope
        budgets = [(digest(scope + "total", "all"), self.limits.total)]
        if conversation:
            budgets.append(
                (digest(scope + "conversation", conversation), self.limits.per_conversation)
            )
        if client:
            budgets.append((digest(scope + "client", client), self.limits.per_client))
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
