"""Rasa's SQL tracker store, with connections checked before use and SQLite in WAL mode.

Rasa creates its engine without `pool_pre_ping`, so after PostgreSQL restarts every pooled
connection is dead, and Rasa's fail-safe wrapper answers the next turn from an empty
in-memory tracker: the user's conversation seems forgotten. Checking a connection before
handing it out (one `SELECT 1` round trip) makes a restart invisible once the database is
back. On SQLite (the embedded default) the journal is a write-ahead log with
`synchronous=NORMAL`: a turn's commit no longer waits for a disk flush (a power cut may lose
the last turns, a crash of the process loses nothing), and readers do not block the writer.
Used by endpoints.yml (`tracker_store.type`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
