"""The analytics tables, kept beside Rasa's `events` table in the tracker database.

They are derived from the events (team_console/refresh.py) and hold no sender id in clear:
a conversation is named by a keyed digest of its sender id and the time its session started
(common/conversation.py), so only someone holding DIGEST_SECRET can find a sender's rows (the
purge does, retention/). Texts are the stored events' texts, whose addresses the tracker store
has masked (rasa_plugins/at_rest.py), cut to `MAX_TEXT` characters.
"""

from __future__ import annotations

import weakref

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    exc,
)
from sqlalchemy.engine import Engine

MAX_TEXT = 500  # characters of a kept user text or comment
metadata = MetaData()

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py SQLEvent), never created here: the
# columns refresh.py reads and the purge (retention/stores.py) deletes by.
events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", String),
)

# One row per conversation (a Rasa session with at least one user message).
conversations = Table(
    "analytics_conversations",
    metadata,
    Column("id", String(64), primary_key=True),  # sender digest + ":" + session start
    Column("sender_key", String(32), nullable=False, index=True),
    Column("started", Float, nullable=False, index=True),
    Column("last_active", Float, nullable=False),
    Column("channel", String(32)),
    Column("user_messages", Integer, nullable=False),
    Column("topic", String(64)),  # the first account topic recognised
    # resolved | escalated | refused | in_progress | unconfirmed | no_topic; in_progress
    # becomes "abandoned" or "open" when figures are read (how long it has been idle)
    Column("state", String(16), nullable=False),
    Column("left_topic", String(64)),  # where the last walk-through stood
    Column("left_path", String(64)),
    Column("left_step", Integer),
    Column("stuck_topic", String(64)),  # the last step the user said "Still stuck" at
    Column("stuck_path", String(64)),
    Column("stuck_step", Integer),
    Column("feedback", String(8)),  # up | down
    Column("feedback_comment", String(MAX_TEXT)),
)

# The furthest step each conversation reached on each walk-through path: the funnels.
steps = Table(
    "analytics_steps",
    metadata,
    Column("conversation", String(64), nullable=False, index=True),
    Column("sender_key", String(32), nullable=False, index=True),
    Column("started", Float, nullable=False, index=True),
    Column("topic", String(64), nullable=False),
    Column("path", String(64), nullable=False),
    Column("furthest", Integer, nullable=False),
    UniqueConstraint("conversation", "topic", "path", name="uq_analytics_steps"),
)

# Messages the assistant was unsure about, for a person to label.
review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False, unique=True),  # the user event in `events`
    Column("conversation", String(64), nullable=False),
    Column("sender_key", String(32), nullable=False, index=True),
    Column("created", Float, nullable=False, index=True),
    Column("text", String(MAX_TEXT), nullable=False),
    Column("predicted", String(64)),
    Column("confidence", Float),
    Column("reason", String(32), nullable=False),
    Column(
        "status", String(16), nullable=False, default="open"
    ),  # open|topic|out_of_scope|discarded
    Column("assigned", String(64)),  # the topic (or out_of_scope) a reviewer gave
    Column("reviewed", Float),
    Column("written", Boolean, nullable=False, default=False),  # in the training data file
)

# How far the events have been read: the last event id refresh() has seen.
progress = Table(
    "analytics_progress",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("last_event", Integer, nullable=False),
)

PURGED = (conversations, steps, review_items)  # what retention deletes by age and sender


_created: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines whose tables are made


def create_tables(engine: Engine, attempts: int = 3) -> None:
    """Creates the tables that are missing, once per engine: every read and write calls this,
    and create_all asks the database about each table (a page load made it do so twice). Two
    processes may try at once (the page and `make report`): the one that loses the race finds
    them made on its next attempt."""
    if engine in _created:
        return
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            _created.add(engine)
            return
        except (exc.IntegrityError, exc.OperationalError, exc.ProgrammingError):
            if attempt == attempts - 1:
                raise
