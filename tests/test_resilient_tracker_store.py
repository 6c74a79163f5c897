"""The tracker store Rasa runs with (endpoints.yml): SQLite in WAL mode with pooled
connections, pre-ping on PostgreSQL, and the count of stored events taken from retrieval."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from resilient_tracker_store import ResilientSQLTrackerStore, _engine_kwargs


def test_sqlite_runs_in_wal_mode_and_keeps_conversations(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = ResilientSQLTrackerStore(Domain.empty(), host=url)
    tracker = DialogueStateTracker("someone", slots=[])
    tracker.update(UserUttered("forgot my password"))
    asyncio.run(store.save(tracker))

    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    again = ResilientSQLTrackerStore(Domain.empty(), host=url)
    kept = asyncio.run(again.retrieve("someone"))
    assert kept.latest_message.text == "forgot my password"
    assert isinstance(store.engine.pool, sa.pool.QueuePool)  # not a connection per session


def test_postgresql_connections_are_checked_before_use():
    kwargs = _engine_kwargs(sa.engine.make_url("postgresql://u:p@localhost/db"))
    assert kwargs["pool_pre_ping"] is True


def _stored(store: ResilientSQLTrackerStore, sender: str) -> list:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        return [row[0] for row in rows]


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text))
    tracker.update(BotUttered("answer to " + text))
    tracker.update(ActionExecuted("action_listen"))


def test_turns_saved_after_retrieval_are_stored_once_each(tmp_path):
    store = ResilientSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    tracker = DialogueStateTracker("someone", slots=[])
    _turn(tracker, "one")
    asyncio.run(store.save(tracker))
    for text in ("two", "three", "four"):
        tracker = asyncio.run(store.retrieve("someone"))
        _turn(tracker, text)
        asyncio.run(store.save(tracker))
    assert _stored(store, "someone") == ["user", "bot", "action"] * 4
    kept = asyncio.run(store.retrieve("someone"))
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == [
        "one",
        "two",
        "three",
        "four",
    ]


def test_a_tracker_not_retrieved_here_asks_the_database(tmp_path):
    """A second save, or a tracker object this store did not load: counted in the database."""
    store = ResilientSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    first = DialogueStateTracker("someone", slots=[])
    _turn(first, "one")
    asyncio.run(store.save(first))

    retrieved = asyncio.run(store.retrieve("someone"))
    _turn(retrieved, "two")
    asyncio.run(store.save(retrieved))
    asyncio.run(store.save(retrieved))  # nothing new: the database says all 6 are stored
    assert len(_stored(store, "someone")) == 6

    asyncio.run(store.retrieve("someone"))  # remembers 6 for the object it returned ...
    replica = ResilientSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    elsewhere = asyncio.run(replica.retrieve("someone"))
    _turn(elsewhere, "three")
    asyncio.run(replica.save(elsewhere))  # 9 stored now
    rebuilt = DialogueStateTracker.from_events("someone", list(elsewhere.events), [])
    _turn(rebuilt, "four")
    asyncio.run(store.save(rebuilt))  # ... not for this one: 3 new events, not 6
    assert _stored(store, "someone") == ["user", "bot", "action"] * 4


def test_retrievals_without_a_save_are_forgotten_beyond_a_bound(tmp_path, monkeypatch):
    monkeypatch.setattr("resilient_tracker_store.MAX_REMEMBERED", 3)
    store = ResilientSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    for index in range(6):
        tracker = DialogueStateTracker(f"user-{index}", slots=[])
        _turn(tracker, "hi")
        asyncio.run(store.save(tracker))
        asyncio.run(store.retrieve(f"user-{index}"))
    assert list(store._stored_counts) == ["user-3", "user-4", "user-5"]
