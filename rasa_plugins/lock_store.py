"""A Redis lock store whose lock is one atomic Redis operation (SET NX with an expiry).

Rasa's RedisLockStore hands out tickets by reading the conversation's lock from Redis,
adding a ticket and writing it back: two replicas taking a ticket at the same moment can
both get the first one and work on one conversation at once. tests/test_cluster.py caught
it: two messages sent at once to two replicas were both answered "step 2". redis-py's Lock
is a single SET NX PX; it is polled here without blocking the event loop. Used by the
cluster profile (endpoints.yml, LOCK_STORE_TYPE=rasa_plugins.lock_store.AtomicRedisLockStore).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator

import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.005


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = endpoint_config.kwargs
        self.red = redis.StrictRedis(
            host=endpoint_config.url or "localhost",
            port=int(settings.get("port") or 6379),
            db=int(settings.get("db") or 1),
        )
        self.prefix = f"{settings.get('key_prefix') or 'lock'}:"

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = 60, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[Any]:
        lock = self.red.lock(self.prefix + conversation_id, timeout=lock_lifetime)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lock_lifetime
        while not lock.acquire(blocking=False):
            if loop.time() > deadline:
                raise LockError(f"could not lock conversation within {lock_lifetime} s")
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield lock
        finally:
            with contextlib.suppress(redis.exceptions.LockError):  # expired meanwhile
                lock.release()

    # The ticket interface of Rasa's LockStore is not used with this lock.
    def get_lock(self, conversation_id: str) -> None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        return None

    def save_lock(self, lock: Any) -> None:
        return None
