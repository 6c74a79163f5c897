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
tracker is read from the database as before. The kept trackers are bounded by bytes as well:
each is counted at the summed length of its events' stored JSON (known when it is loaded or
saved; the objects in memory take a few times that), the oldest leave first when the total
passes `TRACKER_CACHE_BYTES` (default 32 MiB), and a tracker bigger than that is not kept.

Saving a turn, Rasa first counts the events already stored for the conversation's latest
session. When the tracker being saved is the kept one, that count is already known: the
events it was retrieved (or last saved) with, and the lock store keeps other replicas off
the conversation in between. Any other tracker object is counted in the database as Rasa
does. Used by endpoints.yml (`tracker_store.type`).

Before a turn's events are stored they are cleaned in place (at_rest.py): identity tokens
dropped, email addresses masked, in the events and in the slots. The event broker, when one
is configured, gets them cleaned as well.

A save the database refuses (it is down, or a sender id it cannot encode) is logged as
`tracker_save_failed` with the error's type only and dropped. Rasa's FailSafeTrackerStore would
otherwise put the tracker into an in-memory store that nothing ever reads or empties: memory
grew with every failed turn and its error line carried the SQL parameters (the user's text).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from common.logs import log_event
from rasa_plugins.at_rest import clean_event, clean_turn

log = logging.getLogger(__name__)
DEFAULT_CACHE_SIZE = 200  # conversations
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024


class Marks(NamedTuple):
    """What identifies a conversation's stored latest session: event count, last timestamp."""

    count: int
    last: Optional[float]


def marks_of(tracker: DialogueStateTracker) -> Marks:
    stamps = [event.timestamp for event in tracker.events]
    return Marks(len(stamps), max(stamps) if stamps else None)


class Kept(NamedTuple):
    tracker: DialogueStateTracker
    marks: Marks
    size: int  # bytes of its events' stored JSON


class KeptTrackers:
    """The trackers of the most recently used conversations, with what they were built from,
    at most `size` of them and `max_bytes` of their events' JSON together."""

    def __init__(self, size: int, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.total = 0
        self._kept: OrderedDict[str, Kept] = OrderedDict()

    def keep(self, tracker: DialogueStateTracker, size: int) -> None:
        self.forget(tracker.sender_id)
        if self.size <= 0 or size > self.max_bytes:
            return
        self._kept[tracker.sender_id] = Kept(tracker, marks_of(tracker), size)
        self.total += size
        while len(self._kept) > self.size or self.total > self.max_bytes:
            self.total -= self._kept.popitem(last=False)[1].size

    def get(self, sender_id: str) -> Optional[Kept]:
        return self._kept.get(sender_id)

    def _this(self, tracker: DialogueStateTracker) -> Optional[Kept]:
        kept = self._kept.get(tracker.sender_id)
        return kept if kept is not None and kept.tracker is tracker else None

    def stored_count(self, tracker: DialogueStateTracker) -> Optional[int]:
        """How many of this very tracker object's events are stored, if it is the kept one."""
        kept = self._this(tracker)
        return kept.marks.count if kept else None

    def stored_size(self, tracker: DialogueStateTracker) -> Optional[int]:
        """Bytes of this very tracker object's stored events, if it is the kept one."""
        kept = self._this(tracker)
        return kept.size if kept else None

    def forget(self, sender_id: str) -> None:
        kept = self._kept.pop(sender_id, None)
        if kept is not None:
            self.total -= kept.size


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
        self.kept = KeptTrackers(
            int(os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_CACHE_SIZE)),
            int(os.environ.get("TRACKER_CACHE_BYTES", DEFAULT_CACHE_BYTES)),
        )
        self._sql = statements(self.SQLEvent.__table__)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return self._load(sender_id, self._sql.every)[0]
        kept = self._kept_if_current(sender_id)
        tracker, size = (
            (kept.tracker, kept.size) if kept else self._load(sender_id, self._sql.latest)
        )
        if tracker is not None:
            self.kept.keep(tracker, size)
        return tracker

    def _kept_if_current(self, sender_id: str) -> Optional[Kept]:
        kept = self.kept.get(sender_id)
        if kept is None:
            return None
        with self.engine.connect() as connection:
            stored = Marks(*connection.execute(self._sql.marks, {"sender": sender_id}).one())
        if stored == kept.marks == marks_of(kept.tracker):
            return kept
        self.kept.forget(sender_id)
        return None

    def _load(self, sender_id: str, query: Any) -> Tuple[Optional[DialogueStateTracker], int]:
        """The tracker from the query's rows, and the bytes of their JSON."""
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender": sender_id}).all()
        if not self.domain or not rows:
            return None, 0
        events = [json.loads(data) for (data,) in rows]
        size = sum(len(data) for (data,) in rows)
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), size

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save: the events not stored yet, in one multi-row insert."""
        await self.stream_events(tracker)
        try:
            self._insert_new_events(tracker)
        except Exception as error:  # all Rasa's wrapper would catch, to keep it from memory
            self.kept.forget(tracker.sender_id)
            log_event(log, "tracker_save_failed", logging.ERROR, error=type(error).__name__)

    def _insert_new_events(self, tracker: DialogueStateTracker) -> None:
        stored = self.kept.stored_size(tracker)
        with self.engine.begin() as connection:
            count = self._stored_count(connection, tracker)
            new = list(itertools.islice(tracker.events, count, None))
            clean_turn(tracker, new)  # no token, no full address at rest
            rows = [_row(tracker.sender_id, e) for e in new]
            if rows:
                connection.execute(self._sql.insert, rows)
        if self.kept.size > 0:
            if stored is None:  # not the kept object: its stored events were not measured here
                stored = sum(_json_size(e) for e in itertools.islice(tracker.events, count))
            self.kept.keep(tracker, stored + sum(len(row["data"]) for row in rows))

    async def _stream_new_events(
        self, event_broker: Any, new_events: List[Event], sender_id: str
    ) -> None:
        """Rasa's streaming to an event broker, of the events cleaned as they are stored."""
        for event in new_events:
            clean_event(event)
        await super()._stream_new_events(event_broker, new_events, sender_id)

    def _stored_count(self, connection: Any, tracker: DialogueStateTracker) -> int:
        """As Rasa: how many of the tracker's events the latest session has stored."""
        count = self.kept.stored_count(tracker)
        if count is None:
            count = connection.execute(self._sql.marks, {"sender": tracker.sender_id}).one()[0]
        return count


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


def _json_size(event: Event) -> int:
    return len(json.dumps(event.as_dict()))


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
