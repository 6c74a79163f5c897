"""The database the analytics tables live in: the tracker store's (TRACKER_DB_URL), so they
follow the conversations: SQLite var/tracker.db by default, PostgreSQL in the cluster."""

from __future__ import annotations

import os
from typing import Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_URL = "sqlite:///var/tracker.db"  # as rasa_plugins/tracker_store.py


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("TRACKER_DB_URL") or DEFAULT_URL


def connect(url: Optional[str] = None) -> Engine:
    url = url or database_url()
    options = {"pool_pre_ping": True} if not url.startswith("sqlite") else {}
    return sa.create_engine(url, future=True, **options)
