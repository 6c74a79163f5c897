"""Property-based fuzzing (hypothesis) of the account parser, the form validator, the account
backend's API and the REST endpoint: arbitrary input never raises, never gets a 5xx."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from unittest import mock
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import diagnosis
from actions.account_check import SLOT, ValidateAccountForm
from actions.backend_client import BackendClient
from actions.playbooks import account_topics
from common import identifiers
from tests.log_watch import LogWatch, server_logs
from tests.test_conversations import sender

KINDS = {"email", "username", "domain", "skip"}
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # the same examples every run: no example database in the work tree
    derandomize=True,
)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


# Demo accounts (account_backend/seed.py), so some look-ups find an account.
DEMO_ACCOUNTS = ["LegacyDev", "ContosoBuild", "SoleOwnerDev", "account1@outlook.com"]
# Text that looks like what users type at the account question, and plain noise.
identifier_like = st.one_of(
    st.from_regex(identifiers.USERNAME, fullmatch=True),
    st.from_regex(identifiers.EMAIL, fullmatch=True),
    st.from_regex(identifiers.DOMAIN, fullmatch=True),
    st.sampled_from(sorted(diagnosis.SKIP_WORDS)),
    st.sampled_from(DEMO_ACCOUNTS),
)
padded = st.builds(
    lambda pad, core: pad + core + pad, st.text(" .,;!?\"'<>()[]\t\n"), identifier_like
)
# Text that can travel in a URL (no lone surrogates) ...
utf8_text = st.one_of(
    st.text(st.characters(codec="utf-8")),
    st.text(st.characters(codec="utf-8"), min_size=250, max_size=2_000),
    identifier_like,
    padded,
)
# ... and any text at all (JSON escapes lone surrogates as \\udXXX).
any_text = st.one_of(
    utf8_text,
    st.text(st.characters(), max_size=400),
    st.text(st.characters(), min_size=250, max_size=2_000),
)


# (a) the parser
@fuzz(1_500)
@given(any_text)
def test_parse_identifier_never_raises(text):
    found = diagnosis.parse_identifier(text)
    if found is None:
        return
    assert isinstance(found, diagnosis.Identifier)
    assert found.kind in KINDS
    if found.kind == "skip":
        assert found.value == ""
        return
    assert len(found.value) <= identifiers.MAX_EMAIL
    pattern = {"email": identifiers.EMAIL, "username": identifiers.USERNAME}.get(
        found.kind, identifiers.DOMAIN
    )
    assert re.match(pattern, found.value), found


@fuzz(300)
@given(st.from_regex(identifiers.USERNAME, fullmatch=True))
def test_every_valid_username_is_usable(username):
    assert diagnosis.parse_identifier(username) is not None


# (b) the form validator
intents = st.one_of(
    st.none(),
    st.sampled_from(
        [*account_topics(), "human_handoff", "deny", "goodbye", "out_of_scope", "inform"]
        + ["affirm", "nlu_fallback", "vague_request", "greet"]
    ),
    st.text(max_size=40),
)
confidences = st.one_of(st.none(), st.floats(0, 1), st.integers(0, 1))
entity_values = st.one_of(any_text, st.integers(), st.none())
entities = st.lists(
    st.fixed_dictionaries(
        {
            "entity": st.sampled_from(["email", "username", "choice", "outcome"]),
            "value": entity_values,
        }
    ),
    max_size=3,
)
attempts = st.one_of(st.none(), st.floats(0, 10), st.integers(0, 10))
RESULT = re.compile(r"^(email|username|domain|topic):.+$|^skip:$|^handoff$")


@fuzz(400)
@given(text=any_text, intent=intents, confidence=confidences, found=entities, tries=attempts)
def test_the_validator_always_answers_with_the_slot(text, intent, confidence, found, tries):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": found,
    }
    events = [{"event": "user", "text": text, "metadata": {}}]
    slots = {"identifier_attempts": tries}
    trk = Tracker(uuid.uuid4().hex, slots, message, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    calls = mock.AsyncMock(side_effect=AssertionError("the validator called the backend"))
    with mock.patch.object(BackendClient, "_call", calls):
        result = asyncio.run(
            ValidateAccountForm().validate_account_identifier(text, dispatcher, trk, {})
        )
    calls.assert_not_called()
    assert isinstance(result, dict) and SLOT in result
    value = result[SLOT]
    assert value is None or RESULT.match(value), value
    if value is None:
        assert [m.get("response") for m in dispatcher.messages] == ["utter_invalid_identifier"]
        assert isinstance(result["identifier_attempts"], float)
    else:
        assert dispatcher.messages == []


# (c) the account backend over HTTP, with the right token
ALLOWED = {200, 201, 401, 404, 422, 429}
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=20,
)
transcript_lines = st.fixed_dictionaries(
    {"from": st.one_of(st.sampled_from(["user", "bot"]), st.text(max_size=10)), "text": any_text}
)
support_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"transcript": st.lists(transcript_lines, max_size=5)},
        optional={
            "topic": st.one_of(st.none(), st.sampled_from(account_topics()), st.text()),
            "channel": st.one_of(st.none(), st.sampled_from(["rest", "slack"]), st.text()),
        },
    ),
)
email_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"email": st.one_of(any_text, json_values)}),
)
conversations = st.one_of(
    st.none(), st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=200)
)


def headers(backend, conversation=None):
    found = {"Authorization": f"Bearer {backend.token}", "Content-Type": "application/json"}
    if conversation is not None:
        found["X-Conversation-Id"] = conversation
    return found


def check_status(response: requests.Response, what: str, allowed=ALLOWED) -> None:
    assert (
        response.status_code in allowed
    ), f"{what}: HTTP {response.status_code}: {response.text[:300]!r}"
    if response.status_code >= 400:
        body = response.json()
        # The API's own refusals carry "error". The framework answers two cases itself with
        # {"detail": ...}: a path that matches no route (an empty username, one with "/"),
        # 404, and a body that is not UTF-8, 400.
        framework = response.status_code in (400, 404) and "detail" in body
        assert "error" in body or framework, body


@pytest.fixture(scope="module")
def api(backend):
    """A client for the backend; after the module, the backend is up and its log clean."""
    watch = LogWatch([backend.log])
    with requests.Session() as client:
        yield backend, client
    assert requests.get(backend.url + "/health", timeout=5).status_code == 200
    assert not watch.error_lines(), "\n".join(watch.error_lines()[:40])


def test_backend_account_by_arbitrary_username(api):
    backend, client = api

    @fuzz(250)
    @given(username=utf8_text, conversation=conversations)
    def one(username, conversation):
        url = f"{backend.url}/v1/accounts/{quote(username, safe='')}"
        response = client.get(url, headers=headers(backend, conversation), allow_redirects=False)
        check_status(response, f"GET /v1/accounts/{username!r}")

    one()


def test_backend_lookups_with_arbitrary_json(api):
    backend, client = api

    @fuzz(200)
    @given(
        path=st.sampled_from(["/v1/accounts/lookup", "/v1/microsoft-logins/lookup"]),
        body=email_bodies,
        conversation=conversations,
    )
    def one(path, body, conversation):
        response = client.post(
            backend.url + path, data=json.dumps(body), headers=headers(backend, conversation)
        )
        check_status(response, f"POST {path} {body!r:.200}")

    one()


def test_backend_support_requests_with_arbitrary_json(api):
    backend, client = api

    @fuzz(200)
    @given(body=support_bodies, conversation=conversations)
    def one(body, conversation):
        response = client.post(
            backend.url + "/v1/support-requests",
            data=json.dumps(body),
            headers=headers(backend, conversation),
        )
        check_status(response, f"POST /v1/support-requests {body!r:.200}")
        if response.status_code == 201:
            reference = response.json()["reference"]
            assert re.match(r"^NGS-[0-9A-F]{8}$", reference), reference

    one()


def test_backend_posts_of_arbitrary_bytes(api):
    backend, client = api

    @fuzz(100)
    @given(
        path=st.sampled_from(
            ["/v1/accounts/lookup", "/v1/support-requests", "/v1/identity/verify"]
        ),
        body=st.binary(max_size=2_000),
    )
    def one(path, body):
        response = client.post(backend.url + path, data=body, headers=headers(backend))
        check_status(response, f"POST {path} {body!r:.200}", ALLOWED | {400})

    one()


# (d) the REST endpoint with arbitrary messages
@pytest.mark.model
def test_the_rest_endpoint_answers_arbitrary_text(assistant):
    watch = LogWatch(server_logs(assistant))
    client = requests.Session()

    @fuzz(60)
    @given(st.text())
    def one_message(text):
        body = {"sender": sender(), "message": text}
        response = client.post(f"{assistant.url}/webhooks/rest/webhook", json=body, timeout=30)
        assert response.status_code == 200, (text, response.status_code, response.text[:300])
        replies = response.json()
        assert any((r.get("text") or "").strip() for r in replies), (text, replies)

    try:
        one_message()
    finally:
        client.close()
    assert assistant.is_up()
    assert not watch.error_lines(), "\n".join(watch.error_lines()[:40])
