"""Brings the analytics tables up to date with Rasa's `events` table, incrementally.

Each call reads the senders with events newer than the last event it saw (and, as a margin
for transactions that commit out of id order on PostgreSQL, those active in the last few
minutes), re-derives those senders' sessions from all their events (outcomes.py), and
replaces their rows: deriving again is idempotent, so overlap costs time, never accuracy.
Review items are inserted once per user event and never overwritten (a reviewer's decision
stays). The page and the report command call it before they read.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from common.conversation import conversation_key
from common.masking import mask_text
from team_console.outcomes import Summary, sessions, summarize
from team_console.tables import (
    MAX_TEXT,
    conversations,
    create_tables,
    events,
    progress,
    review_items,
    steps,
)

MARGIN_SECONDS = 300
SENDERS_PER_BATCH = 200
PROGRESS_NAME = "events"


def storable(value: Optional[str]) -> Optional[str]:
    """`value` as a database can store it: a lone surrogate (valid in JSON, "\\udcff", so in
    a stored event) becomes "?" instead of failing the whole refresh."""
    if value is None:
        return None
    return str(value).encode("utf-8", "replace").decode("utf-8")


def kept_text(text: Optional[str]) -> Optional[str]:
    """A text as the analytics tables keep it: addresses masked (again: older rows may predate
    the tracker store's masking), at most MAX_TEXT characters, storable."""
    if text is None:
        return None
    return storable(mask_text(str(text))[:MAX_TEXT])


def refresh(engine: Engine, now: Optional[float] = None) -> int:
    """Updates the tables from the events; returns how many conversations were derived."""
    create_tables(engine)
    if not sa.inspect(engine).has_table(events.name):
        return 0  # Rasa has stored nothing yet
    now = time.time() if now is None else now
    with engine.connect() as connection:
        last = _last_seen(connection)
        newest = connection.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
        senders = _touched(connection, last, now - MARGIN_SECONDS)
    derived = 0
    for start in range(0, len(senders), SENDERS_PER_BATCH):
        derived += _derive_batch(engine, senders[start : start + SENDERS_PER_BATCH])
    with engine.begin() as connection:
        _save_progress(connection, max(newest, last))
    return derived


def _derive_batch(engine: Engine, senders: Sequence[str], attempts: int = 3) -> int:
    """Derives a batch in one transaction. Another refresh (the page and `make report` at
    once) may insert the same rows first: the batch is then derived again, and finds them."""
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                return sum(_derive_sender(connection, sender) for sender in senders)
        except sa.exc.IntegrityError:
            if attempt == attempts - 1:
                raise
    return 0


def _last_seen(connection: Connection) -> int:
    query = sa.select(progress.c.last_event).where(progress.c.name == PROGRESS_NAME)
    return connection.execute(query).scalar() or 0


def _save_progress(connection: Connection, last: int) -> None:
    connection.execute(sa.delete(progress).where(progress.c.name == PROGRESS_NAME))
    connection.execute(sa.insert(progress).values(name=PROGRESS_NAME, last_event=last))


def _touched(connection: Connection, last: int, since: float) -> List[str]:
    query = (
        sa.select(events.c.sender_id)
        .where(sa.or_(events.c.id > last, events.c.timestamp >= since))
        .distinct()
    )
    return sorted(row[0] for row in connection.execute(query))


def _rows(connection: Connection, sender: str) -> List[Tuple[int, Dict[str, Any]]]:
    query = (
        sa.select(events.c.id, events.c.data)
        .where(events.c.sender_id == sender)
        .order_by(events.c.id)
    )
    rows = []
    for event_id, data in connection.execute(query):
        try:
            rows.append((int(event_id), json.loads(data)))
        except (TypeError, ValueError):
            continue  # a row that is not JSON is skipped, not fatal
    return rows


def _derive_sender(connection: Connection, sender: str) -> int:
    sender_key = conversation_key(sender)
    derived = 0
    for session in sessions(_rows(connection, sender)):
        summary = summarize(session)
        if summary is None:
            continue
        conversation = f"{sender_key}:{summary.started:.3f}"
        _replace(connection, conversation, sender_key, summary)
        _add_candidates(connection, conversation, sender_key, summary, session)
        derived += 1
    return derived


def _replace(connection: Connection, conversation: str, sender_key: str, s: Summary) -> None:
    connection.execute(sa.delete(conversations).where(conversations.c.id == conversation))
    connection.execute(sa.delete(steps).where(steps.c.conversation == conversation))
    connection.execute(
        sa.insert(conversations).values(
            id=conversation,
            sender_key=sender_key,
            started=s.started,
            last_active=s.last_active,
            channel=storable((s.channel or "")[:32] or None),
            user_messages=s.user_messages,
            topic=s.topic,
            state=s.state,
            left_topic=s.left[0],
            left_path=s.left[1],
            left_step=s.left[2],
            stuck_topic=s.stuck[0],
            stuck_path=s.stuck[1],
            stuck_step=s.stuck[2],
            feedback=s.feedback,
            feedback_comment=kept_text(s.comment),
        )
    )
    rows = [
        dict(
            conversation=conversation,
            sender_key=sender_key,
            started=s.started,
            topic=t,
            path=p,
            furthest=n,
        )
        for (t, p), n in sorted(s.furthest.items())
    ]
    if rows:
        connection.execute(sa.insert(steps), rows)


def _add_candidates(
    connection: Connection,
    conversation: str,
    sender_key: str,
    summary: Summary,
    session: Sequence[Tuple[int, Dict[str, Any]]],
) -> None:
    if not summary.candidates:
        return
    ids = [c.event_id for c in summary.candidates]
    have = set(_existing(connection, ids))
    stamps = {event_id: event.get("timestamp") for event_id, event in session}
    rows = [
        dict(
            event_id=c.event_id,
            conversation=conversation,
            sender_key=sender_key,
            created=float(stamps.get(c.event_id) or summary.started),
            text=kept_text(c.text),
            predicted=storable(c.predicted),
            confidence=c.confidence,
            reason=c.reason,
            status="open",
            written=False,
        )
        for c in summary.candidates
        if c.event_id not in have
    ]
    if rows:
        connection.execute(sa.insert(review_items), rows)


def _existing(connection: Connection, ids: Iterable[int]) -> List[int]:
    query = sa.select(review_items.c.event_id).where(review_items.c.event_id.in_(list(ids)))
    return [row[0] for row in connection.execute(query)]
