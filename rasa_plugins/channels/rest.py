"""Rasa's REST channel with the request body checked (same URL: /webhooks/rest/webhook).

Rasa's own channel answers 500 with a traceback when the JSON body is not an object, and
logs an error (and returns nothing) when `message`, `sender` or `metadata` has the wrong
type. Here such requests get a 400 with a JSON `error` and nothing reaches the model. The
size limits of rasa_plugins/channels/limits.py apply: bodies, message text, metadata, and a
sender id of at most MAX_SENDER_CHARS (it is stored with every event of the conversation).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import SanicException
from sanic.request import Request

from rasa_plugins.channels.limits import (
    MAX_SENDER_CHARS,
    Handler,
    checked,
    limit_request_bodies,
)

# Rasa's built-in intents a typed "/..." would trigger without a reply: sent on as plain text.
SILENT_COMMANDS = {"/session_start"}


class BadBody(SanicException):
    status_code = 400
    quiet = True  # a client error: no traceback in the server log


def body(request: Request) -> Dict[str, Any]:
    data = request.json  # invalid JSON: Sanic's own 400
    if not isinstance(data, dict):
        raise BadBody("the body must be a JSON object")
    return data


def text_field(data: Dict[str, Any], key: str) -> Optional[str]:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if key == "sender" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadBody(f"'{key}' must be a string")


def sender_field(data: Dict[str, Any]) -> Optional[str]:
    sender = text_field(data, "sender")
    if sender is not None and len(sender) > MAX_SENDER_CHARS:
        raise BadBody(f"'sender' must be at most {MAX_SENDER_CHARS} characters")
    return sender


def user_text(text: Optional[str]) -> str:
    text = text or ""
    return text.lstrip("/") if text.strip().lower() in SILENT_COMMANDS else text


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return limit_request_bodies(super().blueprint(checked(on_new_message, self.name())))

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return sender_field(body(req))

    def _extract_message(self, req: Request) -> str:
        return user_text(text_field(body(req), "message"))

    def _extract_input_channel(self, req: Request) -> str:
        return text_field(body(req), "input_channel") or self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        metadata = body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadBody("'metadata' must be an object")
        return metadata
