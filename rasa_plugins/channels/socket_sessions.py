"""Server-issued socket.io sessions, and the proof that lets a reload keep one.

Rasa's channel took whatever session id a client named and put the socket in that session's
room: a second socket that knew the id received the first one's replies and could speak in
its conversation (a `/restart`, say). Here the server issues every session id together with
a proof, an HMAC of the id under SOCKET_SESSION_SECRET. The widget keeps both in its tab
(sessionStorage) and presents them again after a reload; a socket joins the session whose
proof verifies, anything else gets a new session. Its messages then go to that session only
(socketio.py). Without SOCKET_SESSION_SECRET the key is random per process, so a reload that
reaches another replica, or a restarted one, starts a new conversation.

Issued ids start with WIDGET_PREFIX, which the REST channel refuses as a sender
(limits.sender_problem): conversations are keyed by sender id alone, so a REST client that
knew a widget session id could otherwise speak in that conversation and read its replies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import uuid
from typing import Any, Mapping, Optional, Tuple

SECRET_VARIABLE = "SOCKET_SESSION_SECRET"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
WIDGET_PREFIX = "widget-"


def session_key(environ: Mapping[str, str] = os.environ) -> bytes:
    value = environ.get(SECRET_VARIABLE)
    return value.encode() if value else os.urandom(32)


def proof_of(session_id: str, key: bytes) -> str:
    message = f"socketio-session:{session_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def proven(session_id: Any, proof: Any, key: bytes) -> bool:
    """Whether `proof` is this server's proof of `session_id` (constant time)."""
    if not (isinstance(session_id, str) and SESSION_ID.match(session_id)):
        return False
    if not isinstance(proof, str):
        return False
    # bytes: compare_digest refuses non-ASCII str, and the client chose this one
    return hmac.compare_digest(proof.encode(), proof_of(session_id, key).encode())


def claimed(data: Any, field: str) -> Optional[Any]:
    return data.get(field) if isinstance(data, dict) else None


def granted(data: Any, key: bytes) -> Tuple[str, str]:
    """(session id, proof) a session_request gets: the session it proves, else a new one."""
    session_id, proof = claimed(data, "session_id"), claimed(data, "session_proof")
    if proven(session_id, proof, key):
        return session_id, proof
    fresh = WIDGET_PREFIX + uuid.uuid4().hex
    return fresh, proof_of(fresh, key)
