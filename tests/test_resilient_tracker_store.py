"""The tracker store Rasa runs with (endpoints.yml): SQLite in WAL mode with pooled
connections, pre-ping on PostgreSQL, the count of stored events taken from retrieval, and
trackers kept between turns only while the database still holds what they were built from."""

from __future__ import annotations

import asyncio
import json
import logging

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.tracker_store import KeptTrackers, ResilientSQLTrackerStore, _engine_kwargs


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


def test_turns_saved_after_retrieval_are_stored_once_each(db_url):
    store = ResilientSQLTrackerStore(Domain.empty(), host=db_url)
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


def test_a_tracker_not_retrieved_here_asks_the_database(db_url):
    """A second save, or a tracker object this store did not load: counted in the database."""
    store = ResilientSQLTrackerStore(Domain.empty(), host=db_url)
    first = DialogueStateTracker("someone", slots=[])
    _turn(first, "one")
    asyncio.run(store.save(first))

    retrieved = asyncio.run(store.retrieve("someone"))
    _turn(retrieved, "two")
    asyncio.run(store.save(retrieved))
    asyncio.run(store.save(retrieved))  # nothing new: the database says all 6 are stored
    assert len(_stored(store, "someone")) == 6

    asyncio.run(store.retrieve("someone"))  # remembers 6 for the object it returned ...
    replica = ResilientSQLTrackerStore(Domain.empty(), host=db_url)
    elsewhere = asyncio.run(replica.retrieve("someone"))
    _turn(elsewhere, "three")
    asyncio.run(replica.save(elsewhere))  # 9 stored now
    rebuilt = DialogueStateTracker.from_events("someone", list(elsewhere.events), [])
    _turn(rebuilt, "four")
    asyncio.run(store.save(rebuilt))  # ... not for this one: 3 new events, not 6
    assert _stored(store, "someone") == ["user", "bot", "action"] * 4


def test_retrievals_without_a_save_are_forgotten_beyond_a_bound(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "3")
    store = ResilientSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 't.db'}")
    for index in range(6):
        tracker = DialogueStateTracker(f"user-{index}", slots=[])
        _turn(tracker, "hi")
        asyncio.run(store.save(tracker))
        asyncio.run(store.retrieve(f"user-{index}"))
    kept = [f"user-{index}" for index in range(6) if store.kept.get(f"user-{index}")]
    assert kept == ["user-3", "user-4", "user-5"]


# --- trackers kept between turns ------------------------------------------------------------


def _store(db_url: str) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(Domain.empty(), host=db_url)


def _user_texts(tracker: DialogueStateTracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def _started(store: ResilientSQLTrackerStore) -> DialogueStateTracker:
    tracker = DialogueStateTracker("someone", slots=[])
    _turn(tracker, "one")
    asyncio.run(store.save(tracker))
    return tracker


def test_an_unchanged_conversation_reuses_its_tracker(db_url):
    store = _store(db_url)
    saved = _started(store)
    again = asyncio.run(store.retrieve("someone"))
    assert again is saved
    _turn(again, "two")
    asyncio.run(store.save(again))
    assert asyncio.run(store.retrieve("someone")) is again
    assert _stored(store, "someone") == ["user", "bot", "action"] * 2


def test_another_replicas_turn_is_read_from_the_database(db_url):
    store, replica = _store(db_url), _store(db_url)
    saved = _started(store)
    theirs = asyncio.run(replica.retrieve("someone"))
    _turn(theirs, "two, on the other replica")
    asyncio.run(replica.save(theirs))

    ours = asyncio.run(store.retrieve("someone"))
    assert ours is not saved
    assert _user_texts(ours) == ["one", "two, on the other replica"]
    _turn(ours, "three")
    asyncio.run(store.save(ours))
    assert _user_texts(asyncio.run(replica.retrieve("someone"))) == [
        "one",
        "two, on the other replica",
        "three",
    ]


def test_a_turn_that_failed_before_its_save_is_not_remembered(db_url):
    store = _store(db_url)
    saved = _started(store)
    _turn(saved, "lost: the turn failed before its save")
    again = asyncio.run(store.retrieve("someone"))
    assert _user_texts(again) == ["one"]


def test_a_purged_conversation_is_gone_here_too(db_url):
    store = _store(db_url)
    _started(store)
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'someone'"))
    assert asyncio.run(store.retrieve("someone")) is None


def test_a_new_session_is_read_from_the_database(db_url):
    store = _store(db_url)
    saved = _started(store)
    saved.update(ActionExecuted("action_session_start"))
    saved.update(SessionStarted())
    _turn(saved, "hello again")
    asyncio.run(store.save(saved))
    latest = asyncio.run(store.retrieve("someone"))
    assert latest is not saved
    assert _user_texts(latest) == ["hello again"]


def test_no_tracker_is_kept_when_the_cache_is_off(db_url, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")
    store = _store(db_url)
    saved = _started(store)
    assert asyncio.run(store.retrieve("someone")) is not saved


def test_only_the_most_recent_conversations_are_kept():
    kept = KeptTrackers(size=2)
    for name in ("a", "b", "c"):
        kept.keep(DialogueStateTracker(name, slots=[]), size=1)
    assert [kept.get(name) is not None for name in ("a", "b", "c")] == [False, True, True]


def test_sessions_are_read_as_rasas_own_store_reads_them(db_url):
    store = _store(db_url)
    tracker = DialogueStateTracker("someone", slots=[])
    for session in ("first", "second", "third"):
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        _turn(tracker, f"{session} session")
    asyncio.run(store.save(tracker))
    rasas = SQLTrackerStore(Domain.empty(), host=db_url)
    store.kept.forget("someone")

    for read in ("retrieve", "retrieve_full_tracker"):
        ours = asyncio.run(getattr(store, read)("someone"))
        theirs = asyncio.run(getattr(rasas, read)("someone"))
        assert list(ours.events) == list(theirs.events)
    assert _user_texts(asyncio.run(store.retrieve("someone"))) == ["third session"]
    assert asyncio.run(store.retrieve("nobody")) is None


# --- kept trackers bounded by bytes ---------------------------------------------------------


def test_kept_trackers_are_bounded_by_bytes_oldest_first():
    kept = KeptTrackers(size=10, max_bytes=100)
    for name in ("a", "b", "c"):
        kept.keep(DialogueStateTracker(name, slots=[]), size=40)
    assert [kept.get(n) is not None for n in "abc"] == [False, True, True]
    assert kept.total == 80
    kept.keep(DialogueStateTracker("b", slots=[]), size=10)  # b again, smaller, now newest
    assert kept.total == 50
    kept.keep(DialogueStateTracker("d", slots=[]), size=60)  # c (oldest) leaves, b stays
    assert [kept.get(n) is not None for n in "abcd"] == [False, True, False, True]
    assert kept.total == 70


def test_a_tracker_bigger_than_the_budget_is_not_kept():
    kept = KeptTrackers(size=10, max_bytes=100)
    kept.keep(DialogueStateTracker("small", slots=[]), size=30)
    kept.keep(DialogueStateTracker("big", slots=[]), size=101)
    assert kept.get("big") is None and kept.get("small") is not None
    kept.keep(DialogueStateTracker("small", slots=[]), size=101)  # grew past the budget
    assert kept.get("small") is None and kept.total == 0


def _stored_bytes(store: ResilientSQLTrackerStore, sender: str) -> int:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}
        )
        return sum(len(row[0]) for row in rows)


def test_each_kept_tracker_counts_at_its_stored_json_and_the_store_keeps_the_budget(
    db_url, monkeypatch
):
    monkeypatch.setenv("TRACKER_CACHE_BYTES", "10000")  # two conversations of ~4,000
    store = _store(db_url)
    for name in ("first", "second"):
        tracker = DialogueStateTracker(name, slots=[])
        _turn(tracker, "hi")
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve(name))
        _turn(tracker, "x" * 1000)
        asyncio.run(store.save(tracker))
    for name in ("first", "second"):
        assert store.kept.get(name).size == _stored_bytes(store, name)
    assert store.kept.total == _stored_bytes(store, "first") + _stored_bytes(store, "second")

    third = DialogueStateTracker("third", slots=[])
    _turn(third, "y" * 1000)  # with the others, past 10,000 bytes: the oldest leaves
    asyncio.run(store.save(third))
    assert [store.kept.get(n) is not None for n in ("first", "second", "third")] == [
        False,
        True,
        True,
    ]
    huge = DialogueStateTracker("huge", slots=[])
    _turn(huge, "z" * 4000)  # stored three times (text, parse data, the bot's echo): 12,000
    asyncio.run(store.save(huge))
    assert store.kept.get("huge") is None  # bigger than the whole budget
    assert store.kept.total <= 10000
    assert _user_texts(asyncio.run(store.retrieve("huge"))) == ["z" * 4000]  # from the database


def test_a_tracker_saved_without_retrieval_is_measured_whole(db_url):
    store = _store(db_url)
    first = DialogueStateTracker("someone", slots=[])
    _turn(first, "one")
    asyncio.run(store.save(first))
    rebuilt = DialogueStateTracker.from_events("someone", list(first.events), [])
    _turn(rebuilt, "two")
    asyncio.run(store.save(rebuilt))  # not the kept object: its first turn is measured too
    assert store.kept.get("someone").size == _stored_bytes(store, "someone")


def _failsafe(url: str) -> FailSafeTrackerStore:
    """The store as Rasa runs it: Agent wraps every tracker store in a FailSafeTrackerStore."""
    return FailSafeTrackerStore(ResilientSQLTrackerStore(Domain.empty(), host=url))


def _saved_in_memory(store: FailSafeTrackerStore) -> int:
    fallback = store._fallback_tracker_store  # Rasa's in-memory store, created on a failure
    return len(fallback.store) if fallback is not None else 0


def _conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    _turn(tracker, "my email is account1@outlook.com")
    return tracker


def test_a_sender_the_database_cannot_store_is_kept_nowhere_and_logged_without_it(tmp_path, caplog):
    # A lone surrogate cannot be encoded for the database: every save of such a conversation
    # failed, and Rasa kept the tracker in a memory store it never reads or empties.
    store = _failsafe(f"sqlite:///{tmp_path / 'tracker.db'}")
    with caplog.at_level(logging.INFO):
        for number in range(20):
            asyncio.run(store.save(_conversation(f"user-{number}-\udcff")))
    assert _saved_in_memory(store) == 0
    assert store._tracker_store.kept.total == 0
    lines = [json.loads(r.getMessage()) for r in caplog.records if "tracker_save" in r.getMessage()]
    assert len(lines) == 20 and lines[0]["event"] == "tracker_save_failed"
    assert "user-" not in caplog.text and "outlook" not in caplog.text


def test_a_database_that_refuses_saves_does_not_fill_memory(tmp_path):
    store = _failsafe(f"sqlite:///{tmp_path / 'tracker.db'}")
    asyncio.run(store.save(_conversation("before")))
    with store._tracker_store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE events")  # every later save fails
    for number in range(20):
        asyncio.run(store.save(_conversation(f"during-{number}")))
    assert _saved_in_memory(store) == 0
    assert store._tracker_store.kept.get("during-0") is None
