"""Rasa's REST channel with the request checked (same URL: /webhooks/rest/webhook).

Rasa's own channel answers 500 with a traceback when the JSON body is not an object, logs an
error (and returns nothing) when `message`, `sender` or `metadata` has the wrong type, files a
message without `sender` under one conversation shared by every such client ("default"), and
lets the client name the `input_channel` stored with the message. Here the body must be
declared JSON (else 415) and be an object with a valid sender (limits.sender_problem: required,
bounded, printable, never "default"), or the answer is a 400; both carry a JSON `error` and
nothing reaches the model. The channel is always "rest", and the metadata carries the
channel's digest of the client's address (rasa_plugins/channels/clients.py). The size limits
of rasa_plugins/channels/limits.py apply to bodies, message text and metadata.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_plugins.channels.clients import with_client
from rasa_plugins.channels.limits import (
    Handler,
    checked,
    limit_request_bodies,
    sender_problem,
)

# Rasa's built-in intents a typed "/..." would trigger without a reply: sent on as plain text.
SILENT_COMMANDS = {"/session_start"}


class BadBody(SanicException):
    status_code = 400
    quiet = True  # a client error: no traceback in the server log


class NotJson(BadBody):
    status_code = 415


def is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def body(request: Request) -> Dict[str, Any]:
    if not is_json(request.headers.get("content-type", "")):
        raise NotJson("the body must be JSON, sent as Content-Type: application/json")
    try:
        data = request.json
    except InvalidUsage:
        raise BadBody("the body is not valid JSON") from None
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


def sender_field(data: Dict[str, Any]) -> str:
    sender = text_field(data, "sender")
    problem = sender_problem(sender)
    if problem:
        raise BadBody(problem)
    return sender


def user_text(text: Optional[str]) -> str:
    text = text or ""
    return text.lstrip("/") if text.strip().lower() in SILENT_COMMANDS else text


async def refused(_request: Request, error: BadBody) -> HTTPResponse:
    return response.json({"error": str(error)}, status=error.status_code)


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(checked(on_new_message, self.name()))
        blueprint.exception(BadBody)(refused)
        return limit_request_bodies(blueprint)

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return sender_field(body(req))

    def _extract_message(self, req: Request) -> str:
        return user_text(text_field(body(req), "message"))

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # the client's `input_channel` would be stored as where it came from

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        metadata = body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadBody("'metadata' must be an object")
        return with_client(metadata, request)
