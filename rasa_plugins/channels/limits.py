"""Size limits on what users send, in one place for the four channels (REST, socket.io, Slack,
Teams).

- Request bodies: Sanic reads up to REQUEST_MAX_SIZE bytes of a body into memory, 100 MB by
  default. Every channel's blueprint sets it to `request_max_bytes()` (256 KiB unless
  SANIC_REQUEST_MAX_SIZE says otherwise) when the server starts, so the bound holds however
  Rasa is started, without a variable in every deployment; a larger body gets a 413 before
  anything reads it.
- Message text: a text longer than MAX_MESSAGE_CHARS is not passed on to Rasa at all. The
  channel answers that it was too long, naming the limit, so nothing of it is stored. The
  NLU reads at most 1,000 characters anyway, the beginning and the end of a longer text
  (rasa_plugins/nlu/text_sanitizer.py).
- Metadata: more than MAX_METADATA_BYTES of JSON is dropped before Rasa stores it (Rasa keeps
  a message's metadata in several events), with a log line that gives only its size; the
  channel's own `client_key` (clients.py) is kept, so big metadata cannot shed the budget.
- Sender ids a client chooses (REST): required, at most MAX_SENDER_CHARS, printable. Every
  event of the conversation stores it, and one the database cannot encode (a lone surrogate)
  made each save fail; "default" is the conversation Rasa files sender-less messages under;
  and none that starts like the widget's server-issued session ids (socket_sessions.py).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.shared.constants import DEFAULT_SENDER_ID
from sanic import Blueprint, Sanic

from common.conversation import CLIENT_FIELD
from common.logs import log_event
from rasa_plugins.channels.socket_sessions import WIDGET_PREFIX

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4_000
MAX_METADATA_BYTES = 4_096  # of the metadata as JSON
MAX_SENDER_CHARS = 128  # a REST sender id; it is stored with every event of the conversation
# Big enough for a message at the limit written entirely in JSON escapes (4,000 emoji as
# \ud83d\udd25: 48,000 bytes) with its metadata, and for the longest input of the bad-input
# corpus (tests/bad_inputs.py) as Python's json module encodes it (20,000 emoji: 240 KB).
DEFAULT_REQUEST_MAX_BYTES = 256 * 1024

TOO_LONG = (
    f"That message is too long for me: I can read up to {MAX_MESSAGE_CHARS:,} characters. "
    "Please send a shorter one, for example the error message and what you were trying to do."
)

Handler = Callable[[UserMessage], Awaitable[Any]]


def sender_problem(sender: Optional[str]) -> Optional[str]:
    """Why `sender` cannot key a conversation, or None when it can."""
    if sender is None or not sender.strip():
        return "'sender' is required: an id of your choosing that keys the conversation"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if not sender.isprintable():  # control, format, private-use characters, lone surrogates
        return "'sender' must be printable text"
    if sender == DEFAULT_SENDER_ID:
        return f"'sender' must not be {DEFAULT_SENDER_ID!r}: that conversation is Rasa's shared one"
    if sender.startswith(WIDGET_PREFIX):
        return (
            f"'sender' must not start with {WIDGET_PREFIX!r}: those are the widget's conversations"
        )
    return None


def request_max_bytes(environ: Dict[str, str] = os.environ) -> int:
    """SANIC_REQUEST_MAX_SIZE (Sanic's own variable) when set, else the default."""
    return int(environ.get("SANIC_REQUEST_MAX_SIZE") or DEFAULT_REQUEST_MAX_BYTES)


def limit_request_bodies(blueprint: Blueprint) -> Blueprint:
    """Sets the server's body limit when a server with this blueprint starts."""

    @blueprint.listener("before_server_start")
    async def set_request_max_size(app: Sanic, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = request_max_bytes()

    return blueprint


def metadata_size(metadata: Any) -> int:
    """Bytes of `metadata` as Rasa stores it (JSON, non-ASCII escaped)."""
    try:
        return len(json.dumps(metadata, default=str))
    except (TypeError, ValueError, RecursionError):
        return MAX_METADATA_BYTES + 1  # cannot be stored as it is: treated as too big


def bounded_metadata(metadata: Any, channel: str) -> Optional[Dict[str, Any]]:
    """`metadata` when it is small enough, else None (and a log line with its size only)."""
    if not metadata:
        return metadata
    size = metadata_size(metadata)
    if size <= MAX_METADATA_BYTES:
        return metadata
    log_event(log, "metadata_dropped", logging.WARNING, channel=channel, size=size)
    client = metadata.get(CLIENT_FIELD) if isinstance(metadata, dict) else None
    return {CLIENT_FIELD: client} if client else None  # the channel's own: kept


def is_too_long(text: Optional[str]) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


def checked(on_new_message: Handler, channel: str) -> Handler:
    """`on_new_message` with the limits applied: a too long text is answered here and not
    passed on; oversized metadata is dropped."""

    async def handle(message: UserMessage) -> Any:
        if is_too_long(message.text):
            log_event(log, "message_too_long", channel=channel, characters=len(message.text))
            await message.output_channel.send_text_message(message.sender_id, TOO_LONG)
            return None
        message.metadata = bounded_metadata(message.metadata, channel)
        return await on_new_message(message)

    return handle
