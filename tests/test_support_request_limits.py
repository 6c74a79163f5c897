"""Support requests: their creation is limited per conversation, per client and in total
(account_backend/rate_limit.py), the user is told plainly when one is refused, and a
transcript is stored as plain text (common/plain_text.py)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from typing import Dict, Optional

import pytest
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionOpenSupportRequest
from tests.test_conversations import sender, texts
from tests.test_long_messages import stored_events
from tools.servers import backend_env, start_backend, stop

STRICT = {
    "SUPPORT_LIMIT_PER_CONVERSATION": "2",
    "SUPPORT_LIMIT_PER_CLIENT": "3",
    "SUPPORT_LIMIT_TOTAL": "6",
}
TRANSCRIPT = [{"from": "user", "text": "I cannot sign in"}]


@pytest.fixture
def strict_backend(tmp_path):
    """A backend of its own: the total budget is spent by each test."""
    backend, process = start_backend(tmp_path, limits=STRICT)
    yield backend
    stop([process])


def create(
    backend, conversation: str, client: Optional[str] = None, transcript=None
) -> requests.Response:
    headers: Dict[str, str] = {
        "Authorization": f"Bearer {backend.token}",
        "X-Conversation-Id": conversation,
    }
    if client:
        headers["X-Client-Id"] = client
    body = {"topic": "change_username", "channel": "rest", "transcript": transcript or TRANSCRIPT}
    return requests.post(
        backend.url + "/v1/support-requests", json=body, headers=headers, timeout=10
    )


def stored_count(backend) -> int:
    from sqlalchemy import create_engine, func, select

    from account_backend.database import support_requests

    engine = create_engine(f"sqlite:///{backend.log.parent / 'accounts.db'}")
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(support_requests)).scalar()


def test_one_conversation_gets_its_budget_then_a_clear_429(strict_backend):
    conversation = uuid.uuid4().hex
    codes = [create(strict_backend, conversation).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    refused = create(strict_backend, conversation)
    assert refused.json() == {"error": "too many support requests; try again later"}
    assert int(refused.headers["Retry-After"]) >= 1
    assert stored_count(strict_backend) == 2  # refused requests are not stored
    assert create(strict_backend, uuid.uuid4().hex).status_code == 201  # others still can


def test_one_client_across_new_conversations_is_stopped(strict_backend):
    client = uuid.uuid4().hex
    codes = [create(strict_backend, uuid.uuid4().hex, client).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert create(strict_backend, uuid.uuid4().hex, uuid.uuid4().hex).status_code == 201


def test_everyone_together_has_a_budget(strict_backend):
    codes = [
        create(strict_backend, uuid.uuid4().hex, uuid.uuid4().hex).status_code for _ in range(7)
    ]
    assert codes == [201] * 6 + [429]


def test_support_budgets_are_separate_from_look_up_budgets(strict_backend):
    conversation = uuid.uuid4().hex
    for _ in range(2):
        assert create(strict_backend, conversation).status_code == 201
    looked_up = requests.post(
        strict_backend.url + "/v1/accounts/lookup",
        json={"email": "account1@outlook.com"},
        headers={
            "Authorization": f"Bearer {strict_backend.token}",
            "X-Conversation-Id": conversation,
        },
        timeout=10,
    )
    assert looked_up.status_code == 200


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("<script>alert(1)</script>", "\u2039script\u203aalert(1)\u2039/script\u203a"),
        ('<img src=x onerror="alert(1)">', '\u2039img src=x onerror="alert(1)"\u203a'),
        ("<b>forgot</b> my password", "\u2039b\u203aforgot\u2039/b\u203a my password"),
        ("a < b > c & d", "a \u2039 b \u203a c & d"),
        ("line one\nline\ttwo", "line one\nline\ttwo"),
        ("bell\x07 and\x00 escape \x1b[31m", "bell and escape [31m"),
        ("\u202edrowssap\u202c reversed", "drowssap reversed"),
        ("lone \udcff surrogate", "lone \ufffd surrogate"),
        ("plain: é 用户 🔑 👨‍👩‍👧", "plain: é 用户 🔑 👨‍👩‍👧"),
    ],
)
def test_a_transcript_is_stored_as_plain_text_with_markup_shown_as_text(backend, typed, stored):
    transcript = [{"from": "user", "text": typed}, {"from": "bot", "text": "<i>noted</i>"}]
    created = create(backend, uuid.uuid4().hex, transcript=transcript)
    assert created.status_code == 201, created.text
    record = backend.get(f"/v1/support-requests/{created.json()['reference']}").json()
    assert record["transcript"] == [
        {"from": "user", "text": stored},
        {"from": "bot", "text": "\u2039i\u203anoted\u2039/i\u203a"},
    ]


def _affirm(sender: str, metadata: Optional[dict] = None) -> list:
    """Yes to a support request, and no reply address: the request is opened."""
    message = {"text": "no", "intent": {"name": "deny"}, "metadata": metadata or {}}
    tracker = Tracker(
        sender, {"contact_address": "none"}, message, [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOpenSupportRequest().run(dispatcher, tracker, {}))
    return [m.get("response") for m in dispatcher.messages]


def test_a_refused_request_is_explained_to_the_user(strict_backend, monkeypatch):
    for key, value in backend_env(strict_backend).items():
        monkeypatch.setenv(key, value)
    answers = [_affirm("same-conversation") for _ in range(3)]
    opened = ["utter_support_request_opened_no_address"]
    assert answers == [opened] * 2 + [["utter_support_request_limited"]]


def test_the_channels_client_key_is_the_budget_of_new_conversations(strict_backend, monkeypatch):
    for key, value in backend_env(strict_backend).items():
        monkeypatch.setenv(key, value)
    client = {"client_key": uuid.uuid4().hex}
    answers = [_affirm(f"conversation-{n}", client)[0] for n in range(4)]
    assert answers[:3] == ["utter_support_request_opened_no_address"] * 3
    assert answers[3] == "utter_support_request_limited"
    assert _affirm("someone-else", {"client_key": uuid.uuid4().hex}) == [
        "utter_support_request_opened_no_address"
    ]


# Over the real servers (REST): the channel's client key, the refusal as the user sees it, and
# a transcript with markup.


def _open_request(assistant, user: str) -> str:
    assert "support request" in texts(assistant.say(user, "talk to a person"))
    assert "reply by email" in texts(assistant.say(user, "yes"))
    return texts(assistant.say(user, "no"))  # no reply address


@pytest.mark.model
def test_a_fourth_request_in_one_conversation_is_refused_plainly(assistant):
    user = sender()
    for _ in range(3):
        assert "NGS-" in _open_request(assistant, user)
    refused = _open_request(assistant, user)
    assert "too many have been opened" in refused and "Contact support" in refused
    assert "NGS-" not in refused


@pytest.mark.model
def test_the_channel_sets_the_client_key_and_the_client_cannot(assistant):
    user, forged = sender(), "f" * 32
    assistant.say(user, "hello", metadata={"client_key": forged})
    assistant.say(user, "hello again", metadata={"client_key": forged, "note": "y" * 10_000})
    users = [e for e in stored_events(assistant, user) if e["event"] == "user"]
    keys = [(e.get("metadata") or {}).get("client_key") for e in users]
    assert len(keys) == 2 and keys[0] == keys[1] != forged
    assert re.fullmatch(r"[0-9a-f]{32}", keys[0])
    assert "yyyyyyyyyy" not in json.dumps(users)  # oversized metadata still dropped


@pytest.mark.model
def test_markup_a_user_typed_reaches_the_help_desk_as_text(assistant):
    user = sender()
    assistant.say(user, "<img src=x onerror=alert(1)> I cannot sign in")
    reference = re.search(r"NGS-[0-9A-F]{8}", _open_request(assistant, user)).group(0)
    record = assistant.backend.get(f"/v1/support-requests/{reference}").json()
    lines = [line["text"] for line in record["transcript"]]
    assert "\u2039img src=x onerror=alert(1)\u203a I cannot sign in" in lines
    assert not any("<" in line or ">" in line for line in lines)
