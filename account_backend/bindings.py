"""One identity token, one conversation.

A host page signs a token when it renders, before the widget has a session (the socket.io
channel issues those), so a token cannot name its conversation. The backend binds it to the
first conversation that presents it instead: the same token from any other conversation (a
copy from a log, a stored message's metadata or another page) is refused until it expires.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from account_backend.database import identity_bindings
from common.conversation import keyed_digest


def digest(token: str) -> str:
    return keyed_digest("identity-token", token)


def _bound_to(connection: Connection, key: str) -> Optional[str]:
    column = identity_bindings.c
    return connection.execute(select(column.conversation).where(column.token == key)).scalar()


def bind(engine: Engine, token: str, conversation: str, until: float, now: float) -> bool:
    """Whether `token` speaks for `conversation`: bound to it now or before, not elsewhere.

    `until`: when the binding may go (no token verified now is valid after it)."""
    key = digest(token)
    try:
        with engine.begin() as connection:
            connection.execute(delete(identity_bindings).where(identity_bindings.c.until < now))
            bound = _bound_to(connection, key)
            if bound is None:
                row = {"token": key, "conversation": conversation, "until": until}
                connection.execute(insert(identity_bindings).values(**row))
                return True
    except IntegrityError:  # a concurrent first use bound it a moment ago
        with engine.connect() as connection:
            bound = _bound_to(connection, key)
    return bound == conversation
