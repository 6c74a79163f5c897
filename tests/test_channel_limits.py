"""The size limits every channel applies (rasa_plugins/channels/limits.py), without a server.
Each channel's own path through them is tested with the channel (test_rest_channel.py,
test_socketio_channel.py, test_slack_channel.py, test_teams_channel.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_plugins.channels import limits
from rasa_plugins.channels.limits import (
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    TOO_LONG,
    checked,
    request_max_bytes,
)


class Recorder:
    def __init__(self) -> None:
        self.messages: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)


def send(text: str, metadata: Any = None):
    recorder, output = Recorder(), CollectingOutputChannel()
    message = UserMessage(text, output, "someone", input_channel="test", metadata=metadata)
    asyncio.run(checked(recorder, "test")(message))
    return recorder.messages, [m["text"] for m in output.messages]


def test_a_text_over_the_limit_is_answered_and_not_passed_on(caplog):
    with caplog.at_level(logging.INFO, logger=limits.__name__):
        passed, replies = send("x" * (MAX_MESSAGE_CHARS + 1) + " account1@outlook.com")
    assert passed == [] and replies == [TOO_LONG]
    assert "4,000 characters" in TOO_LONG
    (line,) = [json.loads(r.getMessage()) for r in caplog.records]
    assert line == {"event": "message_too_long", "channel": "test", "characters": "4022"}


def test_a_text_at_the_limit_is_passed_on_whole():
    passed, replies = send("x" * MAX_MESSAGE_CHARS)
    assert replies == [] and passed[0].text == "x" * MAX_MESSAGE_CHARS


def test_metadata_over_the_limit_is_dropped_with_its_size_only_in_the_log(caplog):
    big = {"identity_token": "t", "note": "secret@example.org " + "y" * MAX_METADATA_BYTES}
    with caplog.at_level(logging.INFO, logger=limits.__name__):
        (passed,), replies = send("forgot my password", big)
    assert passed.metadata is None and passed.text == "forgot my password" and replies == []
    (record,) = caplog.records
    assert json.loads(record.getMessage())["event"] == "metadata_dropped"
    assert "secret" not in record.getMessage() and "yyy" not in record.getMessage()


def test_small_metadata_is_passed_on():
    small = {"identity_token": "t" * 1000}
    (passed,), _ = send("hi", small)
    assert passed.metadata == small


def test_metadata_measured_as_it_is_stored_with_non_ascii_escaped():
    emoji = {"note": "🔥" * (MAX_METADATA_BYTES // 12 + 1)}  # 12 bytes each as JSON
    (passed,), _ = send("hi", emoji)
    assert passed.metadata is None


def test_the_body_limit_is_256_kib_unless_sanic_is_told_otherwise():
    assert request_max_bytes({}) == 256 * 1024
    assert request_max_bytes({"SANIC_REQUEST_MAX_SIZE": "65536"}) == 65536
