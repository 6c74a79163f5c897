"""Purging conversations (Rasa's real SQL tracker store) and support requests, by sender and
by age, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from account_backend import queries
from account_backend.database import connect as connect_backend
from account_backend.database import lookup_attempts, support_requests
from common.conversation import conversation_key
from retention.__main__ import main
from retention.stores import (
    Selection,
    connect,
    purge_analytics,
    purge_backend,
    purge_conversations,
)
from team_console.refresh import refresh
from team_console.tables import conversations as analytics
from team_console.tables import review_items

DAY = 86_400
NOW = time.time()


def _conversation(store: SQLTrackerStore, sender: str, age_days: float) -> None:
    at = NOW - age_days * DAY
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    intent = {"name": "out_of_scope", "confidence": 0.9}  # a review item too
    tracker.update(UserUttered("what's the weather", intent=intent, timestamp=at + 1))
    asyncio.run(store.save(tracker))


def _senders(store: SQLTrackerStore) -> set:
    async def having_events() -> set:
        senders = set()
        for sender in await store.keys():
            tracker = await store.retrieve(sender)
            if tracker and tracker.events:
                senders.add(sender)
        return senders

    return asyncio.run(having_events())


@pytest.fixture
def tracker_store(db_url):
    store = SQLTrackerStore(Domain.empty(), host=db_url)
    _conversation(store, "old-user", age_days=40)
    _conversation(store, "recent-user", age_days=1)
    _conversation(store, "leaving-user", age_days=2)
    return store


def test_conversations_older_than_the_limit_go(tracker_store, db_url):
    purged = purge_conversations(connect(db_url), Selection(before=NOW - 30 * DAY))
    assert purged == 2
    assert _senders(tracker_store) == {"recent-user", "leaving-user"}


def test_one_senders_conversation_goes_on_request(tracker_store, db_url):
    purged = purge_conversations(connect(db_url), Selection(sender_id="leaving-user"))
    assert purged == 2
    assert _senders(tracker_store) == {"old-user", "recent-user"}


def test_a_selection_needs_a_sender_or_an_age():
    with pytest.raises(ValueError):
        Selection()


def _request(engine, conversation, age_days) -> str:
    with engine.begin() as connection:
        reference = queries.create_support_request(
            connection, "delete_account", "rest", [{"from": "user", "text": "hi"}], conversation
        )
        connection.execute(
            support_requests.update()
            .where(support_requests.c.reference == reference)
            .values(created=NOW - age_days * DAY)
        )
    return reference


def test_support_requests_go_by_sender_and_by_age(db_url):
    engine = connect_backend(db_url)
    mine = _request(engine, conversation_key("leaving-user"), age_days=1)
    old = _request(engine, conversation_key("someone"), age_days=40)
    kept = _request(engine, conversation_key("someone-else"), age_days=1)
    with engine.begin() as connection:
        connection.execute(lookup_attempts.insert(), [{"key": "k" * 64, "at": NOW - 40 * DAY}])

    counts = purge_backend(engine, Selection(sender_id="leaving-user", before=NOW - 30 * DAY))

    assert counts == {"support_requests": 2, "lookup_attempts": 1}
    with engine.connect() as connection:
        left = set(connection.execute(select(support_requests.c.reference)).scalars())
    assert left == {kept} and mine not in left and old not in left


def test_the_command_purges_both_stores_and_prints_counts_only(
    tracker_store, db_url, tmp_path, capsys
):
    account_db = f"sqlite:///{tmp_path / 'accounts.db'}"
    _request(connect_backend(account_db), conversation_key("leaving-user"), age_days=1)
    code = main(["--sender", "leaving-user", "--tracker-db", db_url, "--account-db", account_db])
    output = capsys.readouterr().out
    assert code == 0
    assert json.loads(output) == {
        "purged": {
            "conversation_events": 2,
            "analytics_conversations": 0,
            "analytics_steps": 0,
            "review_items": 0,
            "support_requests": 1,
            "lookup_attempts": 0,
        }
    }
    assert "leaving-user" not in output


def test_the_team_consoles_rows_go_by_age_and_by_sender(tracker_store, db_url):
    engine = connect(db_url)
    assert refresh(engine) == 3
    counts = purge_analytics(engine, Selection(sender_id="leaving-user", before=NOW - 30 * DAY))
    assert counts == {"analytics_conversations": 2, "analytics_steps": 0, "review_items": 2}
    with engine.connect() as connection:
        left = connection.execute(select(analytics.c.sender_key)).scalars().all()
        items = connection.execute(select(review_items.c.sender_key)).scalars().all()
    assert left == items == [conversation_key("recent-user")]


def test_the_command_refuses_to_guess(capsys):
    with pytest.raises(SystemExit):
        main(["--tracker-db", "sqlite://"])
    with pytest.raises(SystemExit):
        main(["--older-than-days", "-1", "--tracker-db", "sqlite://"])


def test_an_old_backend_database_gets_the_new_column(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE support_requests (reference VARCHAR(16) PRIMARY KEY, topic VARCHAR(64),"
            " channel VARCHAR(32), transcript TEXT NOT NULL, created FLOAT NOT NULL)"
        )
    engine = connect_backend(f"sqlite:///{path}")
    assert _request(engine, "abc", age_days=0).startswith("NGS-")
