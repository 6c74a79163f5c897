"""Deleting conversations and support requests by sender or by age, on SQLite or PostgreSQL.

Rasa's SQLTrackerStore keeps one row per event in `events` (sender_id, timestamp), and beside
it the team console's analytics and review queue (keyed digests of the sender); the account
backend keeps support requests with the conversation's digest (see
common/conversation.py) and look-up attempts (digests only, see
account_backend/rate_limit.py). Each function returns how many rows went.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from sqlalchemy import Table, create_engine, delete
from sqlalchemy.engine import Engine

from account_backend.database import lookup_attempts, support_requests
from account_backend.rate_limit import forget_attempts
from common.conversation import conversation_key
from team_console.tables import conversations as analytics_conversations
from team_console.tables import (
    events,  # Rasa's table, as the analytics read it
    review_items,
)
from team_console.tables import steps as analytics_steps


@dataclass(frozen=True)
class Selection:
    """What to delete: one sender's data, data older than `before` (epoch seconds), or both
    (either matches). At least one must be given: nothing is never "everything"."""

    sender_id: Optional[str] = None
    before: Optional[float] = None

    def __post_init__(self) -> None:
        if self.sender_id is None and self.before is None:
            raise ValueError("give a sender id, an age, or both")


def _where(selection: Selection, sender_column, time_column, sender_value):
    from sqlalchemy import or_

    conditions = []
    if selection.sender_id is not None:
        conditions.append(sender_column == sender_value)
    if selection.before is not None:
        conditions.append(time_column < selection.before)
    return or_(*conditions)


def _has(engine: Engine, table: Table) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table(table.name)


def _delete(engine: Engine, table: Table, condition) -> int:
    if not _has(engine, table):
        return 0
    with engine.begin() as connection:
        return int(connection.execute(delete(table).where(condition)).rowcount or 0)


def purge_conversations(engine: Engine, selection: Selection) -> int:
    condition = _where(selection, events.c.sender_id, events.c.timestamp, selection.sender_id)
    return _delete(engine, events, condition)


def _sender_key(selection: Selection) -> Optional[str]:
    """The keyed digest the stores hold for the selected sender (common/conversation.py)."""
    return conversation_key(selection.sender_id) if selection.sender_id is not None else None


def purge_analytics(engine: Engine, selection: Selection) -> Dict[str, int]:
    """The team console's rows (team_console/tables.py): by the conversation's start, or the
    review item's time, and by the sender's keyed digest (they never hold the sender id)."""
    key = _sender_key(selection)
    counts = {}
    for name, table, time_column in (
        ("analytics_conversations", analytics_conversations, analytics_conversations.c.started),
        ("analytics_steps", analytics_steps, analytics_steps.c.started),
        ("review_items", review_items, review_items.c.created),
    ):
        condition = _where(selection, table.c.sender_key, time_column, key)
        counts[name] = _delete(engine, table, condition)
    return counts


def purge_backend(engine: Engine, selection: Selection) -> Dict[str, int]:
    key = _sender_key(selection)
    requests = _delete(
        engine,
        support_requests,
        _where(selection, support_requests.c.conversation, support_requests.c.created, key),
    )
    attempts = 0
    if selection.before is not None and _has(engine, lookup_attempts):
        attempts = forget_attempts(engine, selection.before)  # no sender id, only an age
    return {"support_requests": requests, "lookup_attempts": attempts}


def connect(url: str) -> Engine:
    return create_engine(url, future=True)
