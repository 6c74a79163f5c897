"""The REST channel over the real servers: who the sender is, which channel a message came
from and what a body must be are decided by the channel, and refusals are clear JSON errors
that leave nothing in the logs or the tracker store."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest
import requests

from tests.log_watch import LogWatch, server_logs
from tests.test_conversations import sender, texts
from tests.test_long_messages import stored_events

pytestmark = pytest.mark.model


def post(assistant, body: bytes, content_type: str = "application/json") -> requests.Response:
    return requests.post(
        assistant.url + "/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )


def error_of(response: requests.Response) -> str:
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    return response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"message": "forgot my password"},
        {"sender": None, "message": "forgot my password"},
        {"sender": "", "message": "forgot my password"},
        {"sender": "default", "message": "forgot my password"},
    ],
    ids=["missing", "null", "empty", "default"],
)
def test_no_sender_is_a_400_never_the_shared_default_conversation(assistant, body):
    watch = LogWatch(server_logs(assistant))
    response = post(assistant, json.dumps(body).encode())
    assert response.status_code == 400
    assert "'sender'" in error_of(response)
    assert stored_events(assistant, "default") == []
    assert watch.error_lines() == []


@pytest.mark.parametrize("lone", ["\udcff", "\ud800", "abc\udfff"])
def test_a_lone_surrogate_in_the_sender_is_a_400_and_nothing_is_logged(assistant, lone):
    watch = LogWatch(server_logs(assistant))
    body = json.dumps({"sender": lone, "message": "forgot my password"})  # as \\udcff
    response = post(assistant, body.encode())
    assert response.status_code == 400
    assert "'sender'" in error_of(response)
    assert watch.error_lines() == []


def test_a_lone_surrogate_in_the_message_is_answered(assistant):
    watch = LogWatch(server_logs(assistant))
    user = sender()
    body = json.dumps({"sender": user, "message": "forgot my \udcff password"}).encode()
    response = post(assistant, body)
    assert response.status_code == 200 and texts(response.json()).strip()
    assert stored_events(assistant, user)
    assert watch.error_lines() == []


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_declared_json_is_a_415(assistant, content_type):
    user = sender()
    body = json.dumps({"sender": user, "message": "forgot my password"}).encode()
    response = post(assistant, body, content_type)
    assert response.status_code == 415
    assert "application/json" in error_of(response)
    assert stored_events(assistant, user) == []


def test_the_client_cannot_choose_the_input_channel(assistant):
    user = sender()
    body: Dict[str, Any] = {"sender": user, "message": "hello", "input_channel": "slack"}
    response = post(assistant, json.dumps(body).encode())
    assert response.status_code == 200
    events = stored_events(assistant, user)
    assert {e.get("input_channel") for e in events if e["event"] == "user"} == {"rest"}
