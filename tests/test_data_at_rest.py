"""Personal data at rest, over the real servers: after a signed-in conversation in which the
user typed email addresses and opened a support request, the stores hold no identity token and
no full address (the tracker store's rows and the backend's tables, read directly), while the
conversation worked as before; and the backend's stored digests are keyed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest

from account_backend import identity, rate_limit
from actions.playbooks import playbooks
from common.conversation import client_key, conversation_key
from tests.helpers import finding_says
from tests.test_conversations import ASKS, payloads, texts
from tools.servers import IDENTITY_SECRET, start_assistant, start_backend, stop

pytestmark = pytest.mark.model

TOPIC = "change_microsoft_account"
TYPED = ["account2@outlook.com", "account1@outlook.com", "jöhn.doe@exämple.de"]
CONTACT = "reply.here@example.org"  # given for the support request's reply: kept there only


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Backend and assistant whose databases the tests read: (assistant, directory)."""
    directory = tmp_path_factory.mktemp("at-rest")
    backend, backend_process = start_backend(directory)
    assistant, processes = start_assistant(directory, backend)
    yield assistant, directory
    stop([*processes, backend_process])


@pytest.fixture(scope="module")
def conversation(stack):
    """A signed-in conversation: the account check with a typed address, more addresses in
    free text, a choice after the check, and a support request. (sender, token, replies)."""
    assistant, _ = stack
    user = f"at-rest-{uuid.uuid4().hex}"
    token = identity.sign("MyNuGetAccount1", IDENTITY_SECRET)
    me = {"identity_token": token}

    def say(text: str) -> List[dict]:
        return assistant.say(user, text, metadata=me)

    asked = say(ASKS[TOPIC])
    checked = say("account2@outlook.com")
    chose = say(payloads(checked[-1])[0])
    say("my login email is account1@outlook.com, or maybe jöhn.doe@exämple.de")
    say("talk to a person please")
    say("yes")
    opened = say(f"please write to {CONTACT}")
    return user, token, {"asked": asked, "checked": checked, "chose": chose, "opened": opened}


def rows(database: Path, query: str) -> Iterator[str]:
    """Every value of every row the query returns, as text (JSON decoded and re-encoded
    without escapes, so "jöhn" is found however the store escaped it)."""
    with sqlite3.connect(database) as connection:
        for row in connection.execute(query):
            for value in row:
                text = str(value)
                yield text
                try:
                    yield json.dumps(json.loads(text), ensure_ascii=False)
                except ValueError:
                    pass


def test_the_conversation_works_with_a_verified_identity(conversation):
    _, _, replies = conversation
    assert playbooks()[TOPIC].ask in texts(replies["asked"])
    said = texts(replies["checked"])
    masked = finding_says(TOPIC, "linked_elsewhere", target_masked="a***2@outlook.com")
    assert masked in said and "account2@outlook.com" not in said
    assert texts(replies["chose"])  # the turn after the check goes on from its choices
    assert "NGS-" in texts(replies["opened"])


def test_no_identity_token_is_stored(stack, conversation):
    _, directory = stack
    user, token, _ = conversation
    stored = list(rows(directory / "tracker.db", "SELECT * FROM events"))
    assert any(user in value for value in stored)  # the conversation is there
    payload, signature = token.split(".")
    for value in stored:
        assert payload not in value and signature not in value
        assert "identity_token" not in value
    for value in rows(directory / "accounts.db", "SELECT * FROM support_requests"):
        assert payload not in value and signature not in value


def test_no_typed_address_is_stored(stack, conversation):
    _, directory = stack
    stored = list(rows(directory / "tracker.db", "SELECT * FROM events"))
    requests = "SELECT * FROM support_requests"
    stored += rows(directory / "accounts.db", requests.replace("*", "reference, transcript"))
    for value in stored:
        for address in [*TYPED, CONTACT]:
            assert address not in value, address
        assert "jöhn.doe" not in value and "account2@" not in value
    assert any("a***2@outlook.com" in value for value in stored)  # masked, not dropped


def test_the_reply_address_is_kept_with_the_request_only(stack, conversation):
    _, directory = stack
    query = "SELECT contact_email FROM support_requests"
    assert CONTACT in list(rows(directory / "accounts.db", query))


def test_no_log_holds_the_token_or_a_typed_address(stack, conversation):
    assistant, directory = stack
    _, token, _ = conversation
    for log in [*assistant.logs, directory / "account-backend.log"]:
        text = log.read_text(encoding="utf-8", errors="replace")
        assert token.split(".")[1] not in text, log.name
        for address in TYPED:
            assert address not in text, (log.name, address)


def test_the_backend_keeps_keyed_digests_only(stack, conversation):
    _, directory = stack
    user, _, _ = conversation
    database = directory / "accounts.db"
    plain = hashlib.sha256(user.encode()).hexdigest()[:32]
    requests = set(rows(database, "SELECT conversation FROM support_requests"))
    bindings = set(rows(database, "SELECT conversation FROM identity_bindings"))
    assert conversation_key(user) in requests & bindings
    assert plain not in requests | bindings
    attempts = set(rows(database, "SELECT key FROM lookup_attempts"))
    signed_in = rate_limit.digest("client", client_key("MyNuGetAccount1"))
    assert signed_in in attempts  # the signed-in user's budget, under the server's key
    unkeyed = hashlib.sha256(b"user:mynugetaccount1").hexdigest()[:32]
    assert hashlib.sha256(f"client:{unkeyed}".encode()).hexdigest() not in attempts
