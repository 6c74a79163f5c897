"""Rasa's SQL tracker store, with connections checked before use, SQLite in WAL mode and
one query fewer per turn.

Rasa creates its engine without `pool_pre_ping`, so after PostgreSQL restarts every pooled
connection is dead, and Rasa's fail-safe wrapper answers the next turn from an empty
in-memory tracker: the user's conversation seems forgotten. Checking a connection before
handing it out (one `SELECT 1` round trip) makes a restart invisible once the database is
back. On SQLite (the embedded default) the journal is a write-ahead log with
`synchronous=NORMAL`: a turn's commit no longer waits for a disk flush (a power cut may lose
the last turns, a crash of the process loses nothing), and readers do not block the writer.
SQLAlchemy 1.4 opens a new SQLite connection for every session by default; here they are
pooled (the profile in docs/benchmarks.md found 7% of a turn in connecting and closing).

Its queries are Rasa's (the latest session starts at the last `session_started` event) as
Core statements built once: reading takes only the events' data column, saving inserts a
turn's events in one statement, without an ORM query to build or object per event.

Rebuilding the tracker from its events every turn was the largest part of the store's cost
(the profile in docs/benchmarks.md). The last `TRACKER_CACHE_SIZE` conversations' trackers
(default 200) are kept in memory after each save or load, and a turn uses the kept one only
if the database still holds exactly what it was built from: the same number of events in
the latest session and the same latest timestamp (one aggregate query). Another replica's
turn, a purge, a new session or a turn that failed before its save all change that, and the
tracker is read from the database as before.

Saving a turn, Rasa first counts the events already stored for the conversation's latest
session. When the tracker being saved is the kept one, that count is already known: the
events it was retrieved (or last saved) with, and the lock store keeps other replicas off
the conversation in between. Any other tracker object is counted in the database as Rasa
does. Used by endpoints.yml (`tracker_store.type`).
"""

from __future__ import annotations

import itertools
import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, NamedTuple, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker


class Marks(NamedTuple):
    """What identifies a conversation's stored latest session: event count, last timestamp."""

    count: int
    last: Optional[float]


def marks_of(tracker: DialogueStateTracker) -> Marks:
    stamps = [event.timestamp for event in tracker.events]
    return Marks(len(stamps), max(stamps) if stamps else None)


class KeptTrackers:
    """The trackers of the most recently used conversations, with what they were built from."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[str, Tuple[DialogueStateTracker, Marks]] = OrderedDict()

    def keep(self, tracker: DialogueStateTracker) -> None:
        if self.size <= 0:
            return
        self._kept[tracker.sender_id] = (tracker, marks_of(tracker))
        self._kept.move_to_end(tracker.sender_id)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def get(self, sender_id: str) -> Optional[Tuple[DialogueStateTracker, Marks]]:
        return self._kept.get(sender_id)

    def stored_count(self, tracker: DialogueStateTracker) -> Optional[int]:
        """How many of this very tracker object's events are stored, if it is the kept one."""
        kept = self._kept.get(tracker.sender_id)
        return kept[1].count if kept is not None and kept[0] is tracker else None

    def forget(self, sender_id: str) -> None:
        self._kept.pop(sender_id, None)


DEFAULT_URL = "sqlite:///var/tracker.db"  # the embedded default, relative to the project root


def database_url(configured: Optional[str], environ: Mapping[str, str] = os.environ) -> str:
    """endpoints.yml's `url`, else TRACKER_DB_URL, else the embedded default: so a plain
    `rasa run` or `rasa shell` from the project root starts with nothing set."""
    url = configured or environ.get("TRACKER_DB_URL") or DEFAULT_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return url


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, host: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, host=database_url(host), **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.kept = KeptTrackers(int(os.environ.get("TRACKER_CACHE_SIZE", "200")))
        self._sql = statements(self.SQLEvent.__table__)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return self._load(sender_id, self._sql.every)
        tracker = self._kept_if_current(sender_id) or self._load(sender_id, self._sql.latest)
        if tracker is not None:
            self.kept.keep(tracker)
        return tracker

    def _kept_if_current(self, sender_id: str) -> Optional[DialogueStateTracker]:
        kept = self.kept.get(sender_id)
        if kept is None:
            return None
        tracker, marks = kept
        with self.engine.connect() as connection:
            stored = Marks(*connection.execute(self._sql.marks, {"sender": sender_id}).one())
        if stored == marks == marks_of(tracker):
            return tracker
        self.kept.forget(sender_id)
        return None

    def _load(self, sender_id: str, query: Any) -> Optional[DialogueStateTracker]:
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender": sender_id}).all()
        if not self.domain or not rows:
            return None
        events = [json.loads(data) for (data,) in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save: the events not stored yet, in one multi-row insert."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            rows = [_row(tracker.sender_id, e) for e in self._new_events(connection, tracker)]
            if rows:
                connection.execute(self._sql.insert, rows)
        self.kept.keep(tracker)

    def _new_events(self, connection: Any, tracker: DialogueStateTracker) -> Iterator:
        """As Rasa: the tracker's events after as many as the latest session has stored."""
        count = self.kept.stored_count(tracker)
        if count is None:
            count = connection.execute(self._sql.marks, {"sender": tracker.sender_id}).one()[0]
        return itertools.islice(tracker.events, count, len(tracker.events))


class Statements(NamedTuple):
    marks: Any  # count and latest timestamp of the latest session's events
    latest: Any  # the latest session's event data, in order
    every: Any  # all of a conversation's event data, in order
    insert: Any


def statements(table: sa.Table) -> Statements:
    """Rasa's queries (SQLTrackerStore._event_query) as Core statements, built once: the
    latest session starts at the last `session_started` event, or is everything."""
    sender = sa.bindparam("sender")
    session_start = (
        sa.select(sa.func.max(table.c.timestamp))
        .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    latest = sa.and_(
        table.c.sender_id == sender,
        sa.or_(session_start.is_(None), table.c.timestamp >= session_start),
    )
    return Statements(
        marks=sa.select(sa.func.count(table.c.id), sa.func.max(table.c.timestamp)).where(latest),
        latest=sa.select(table.c.data).where(latest).order_by(table.c.id),
        every=sa.select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id),
        insert=table.insert(),
    )


def _row(sender_id: str, event: Event) -> Dict[str, Any]:
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _engine_kwargs(url: Any) -> Dict[str, Any]:
    if url.get_backend_name() != "sqlite":
        return {"pool_pre_ping": True, **create_engine_kwargs(url)}
    # One connection per session in turn, all in the event loop's thread; the pool's own
    # thread check is off because the pool, not the thread, owns the connection.
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
