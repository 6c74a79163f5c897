"""What Slack sends, checked and read without Rasa: request signatures, repeated deliveries,
and where an event or a button click should be answered."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

MAX_REQUEST_AGE = 5 * 60  # seconds; Slack's advice against replayed requests


def signature_problem(
    secret: str,
    timestamp: Optional[str],
    body: bytes,
    signature: Optional[str],
    now: Optional[float] = None,
) -> Optional[str]:
    """Why a request fails Slack's v0 signature, or None when it passes.

    The signature is the HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. A
    request more than five minutes from our clock is refused even when correctly signed, so a
    captured request cannot be replayed later ("stale" also shows a skewed server clock).
    """
    if not (secret and timestamp and signature):
        return "missing"
    try:
        sent = int(timestamp)
    except ValueError:
        return "missing"
    if abs((time.time() if now is None else now) - sent) > MAX_REQUEST_AGE:
        return "stale"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "mismatch"


class RecentDeliveries:
    """The keys of recently handled events, to answer each event once.

    Slack retries an event up to three times within about five minutes when it saw no 2xx
    in time; an hour of memory covers that. Memory is per process: with several Rasa
    replicas, route a workspace to one replica or accept a rare duplicate.
    """

    def __init__(
        self, ttl: float = 3600, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.max_size, self.clock = ttl, max_size, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, keys: Iterable[str]) -> bool:
        """True when none of `keys` was seen; records them all either way.

        No await between the check and the record, so concurrent deliveries cannot both pass.
        """
        now = self.clock()
        self._forget_before(now - self.ttl)
        keys = [key for key in keys if key]
        fresh = not any(key in self._seen for key in keys)
        for key in keys:
            self._seen[key] = now
            self._seen.move_to_end(key)
        while len(self._seen) > self.max_size:
            self._seen.popitem(last=False)
        return fresh

    def _forget_before(self, cutoff: float) -> None:
        while self._seen and next(iter(self._seen.values())) < cutoff:
            self._seen.popitem(last=False)


def delivery_keys(body: Mapping[str, Any]) -> List[str]:
    """What makes two deliveries the same: the event id (a retry repeats it), and the message
    itself, since one message can arrive as both a `message` and an `app_mention` event."""
    event = body.get("event") or {}
    keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
    if event.get("channel") and event.get("ts"):
        keys.append(f"message:{event['channel']}:{event['ts']}")
    return keys


def parse_json(raw: Any) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def event_metadata(body: Mapping[str, Any]) -> Dict[str, Any]:
    """Where to answer an Events API message, and the bot's own user ids (to drop mentions)."""
    event = body.get("event") or {}
    users = list(body.get("authed_users") or [])
    if not users and body.get("authorizations"):
        users = [body["authorizations"][0].get("user_id")]
    return {
        "out_channel": event.get("channel"),
        "thread_id": event.get("thread_ts", event.get("ts")),
        "users": users,
    }


def action_metadata(payload: Mapping[str, Any]) -> Dict[str, Any]:
    """Where to answer a button click: the conversation of the message that held the button."""
    message = payload.get("message") or {}
    user = (payload.get("user") or {}).get("id")
    return {
        "out_channel": (payload.get("channel") or {}).get("id"),
        "thread_id": message.get("thread_ts", message.get("ts")),
        "users": [user] if user else [],
    }
