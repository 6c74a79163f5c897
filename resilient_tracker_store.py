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

Retrieving reads only the events' data column and saving inserts all of a turn's events in
one statement: the same rows as Rasa's ORM code, without an ORM object per event. Saving a
turn, Rasa first counts the events already stored for the conversation's latest
session. That count is the number of events loaded when the tracker was retrieved in the
same turn (the lock store keeps other replicas off the conversation in between), so it is
remembered at retrieval and used once, for the save of that same tracker object; any other
save asks the database as before. Used by endpoints.yml (`tracker_store.type`).
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from typing import Any, Dict, Iterator, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

# Retrievals not followed by a save (errors, read-only uses) must not grow memory for ever.
MAX_REMEMBERED = 10_000


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # sender id -> (id of the retrieved tracker, events stored in its latest session)
        self._stored_counts: OrderedDict[str, Tuple[int, int]] = OrderedDict()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        # Rasa's query, reading only the data column (no ORM object per event).
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not self.domain or not rows:
            return None
        events = [json.loads(data) for (data,) in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._remember(sender_id, id(tracker), len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, as one multi-row insert instead of an ORM object per event."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [_row(tracker.sender_id, e) for e in self._additional_events(session, tracker)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    def _remember(self, sender_id: str, tracker_id: int, count: int) -> None:
        self._stored_counts[sender_id] = (tracker_id, count)
        self._stored_counts.move_to_end(sender_id)
        while len(self._stored_counts) > MAX_REMEMBERED:
            self._stored_counts.popitem(last=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        remembered = self._stored_counts.pop(tracker.sender_id, None)
        if remembered is None or remembered[0] != id(tracker):
            return super()._additional_events(session, tracker)
        count = remembered[1]
        return itertools.islice(tracker.events, count, len(tracker.events))


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
