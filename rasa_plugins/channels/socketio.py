"""Rasa's socket.io channel for the help-site widget, with these fixes.

- Session persistence: the stock `session_request` handler calls python-socketio's
  `enter_room` without awaiting it, which is a coroutine in python-socketio 5.x, so the
  socket never joins the session's room and the bot's replies reach nobody. Here it is awaited.
- Sessions are the server's (socket_sessions.py): a socket gets a new session id with a
  proof, or the session whose proof it presents, never one it merely names. The socket
  leaves its previous session's room, and its messages go to its own session; a message
  naming another session is dropped.
- Input from the browser is checked: a message must be text, metadata must be a JSON
  object; anything else is dropped with a log line instead of an exception in the handler.
- Origins: Rasa turns python-engineio's origin check off, so any web page could open a
  websocket to the assistant (browsers do not apply CORS to websockets). With CORS_ORIGINS
  set (space- or comma-separated, the same list `rasa run --cors` gets in scripts/run.sh),
  a connection from another origin is refused with 400. CORS headers stay Sanic's job.
- The metadata carries the channel's digest of the browser's address (clients.py).
- Sizes: rasa_plugins/channels/limits.py's limits on bodies (engine.io's own buffer limit as
  well, which also bounds websocket frames), message text and metadata.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from common.logs import log_event
from rasa_plugins.channels.clients import with_client
from rasa_plugins.channels.limits import checked, limit_request_bodies, request_max_bytes
from rasa_plugins.channels.socket_sessions import SECRET_VARIABLE, granted, session_key

log = logging.getLogger(__name__)


def allowed_origins(value: Optional[str]) -> List[str]:
    """The origins in a CORS_ORIGINS value; "*" or nothing means no check."""
    origins = [o.rstrip("/") for o in re.split(r"[\s,]+", value or "") if o]
    return [] if "*" in origins else origins


def metadata_from(data: Dict[str, Any], key: str) -> Dict[str, Any]:
    metadata = data.get(key) or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    return metadata if isinstance(metadata, dict) else {}


async def bound_session(sio: AsyncServer, sid: str, namespace: Optional[str]) -> Optional[str]:
    """The session this socket was given (None before its session_request)."""
    return (await sio.get_session(sid, namespace=namespace)).get("session_id")


async def bind(sio: AsyncServer, sid: str, session_id: str, namespace: Optional[str]) -> None:
    """Moves the socket into `session_id`'s room, out of the one it had."""
    previous = await bound_session(sio, sid, namespace)
    if previous and previous != session_id:
        await sio.leave_room(sid, previous, namespace=namespace)
    await sio.enter_room(sid, session_id, namespace=namespace)
    await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)


class WidgetSocketIOInput(SocketIOInput):
    """`socketio` in credentials.yml, same settings as Rasa's own channel."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = limit_request_bodies(super().blueprint(on_new_message))
        on_new_message = checked(on_new_message, self.name())
        sio = self.sio
        sio.eio.max_http_buffer_size = request_max_bytes()
        origins = allowed_origins(os.environ.get("CORS_ORIGINS"))
        if origins:
            sio.eio.cors_allowed_origins = origins
            sio.eio._cors_headers = lambda environ: []  # Sanic's --cors sends the headers
        else:
            log_event(log, "socketio_any_origin", logging.WARNING, hint="set CORS_ORIGINS")
        key = session_key()
        if not os.environ.get(SECRET_VARIABLE):
            log_event(log, "socketio_session_key_per_process", hint=f"set {SECRET_VARIABLE}")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            session_id, proof = granted(data, key)
            if isinstance(data, dict) and data.get("session_id") not in (None, session_id):
                log_event(log, "socketio_session_not_proven")  # a new session instead
            if self.session_persistence:
                await bind(sio, sid, session_id, self.namespace)
            confirm = {"session_id": session_id, "session_proof": proof}
            await sio.emit("session_confirm", confirm, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                log_event(log, "socketio_message_dropped", reason="not a text message")
                return
            sender = sid
            if self.session_persistence:
                sender = await bound_session(sio, sid, self.namespace)
                if not sender:
                    log_event(log, "socketio_message_dropped", reason="no session yet")
                    return
                if data.get("session_id") not in (None, sender):
                    log_event(log, "socketio_message_dropped", reason="not this socket's session")
                    return
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            message = UserMessage(
                data.get("message", ""),
                SocketIOOutput(sio, self.bot_message_evt),
                sender,
                input_channel=self.name(),
                metadata=with_client(
                    metadata_from(data, self.metadata_key), environ.get("sanic.request")
                ),
            )
            await on_new_message(message)

        return blueprint
