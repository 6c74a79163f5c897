"""The tracker store Rasa runs with (endpoints.yml): SQLite in WAL mode, pool pre-ping."""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from resilient_tracker_store import ResilientSQLTrackerStore


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
    assert store.engine.pool._pre_ping
