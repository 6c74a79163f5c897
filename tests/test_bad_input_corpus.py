"""The bad-input corpus (tests/bad_inputs.py) and malformed request bodies over REST against the
real servers: every input gets a reply or a clean 4xx, never a 5xx or an error in the logs,
and the assistant still answers afterwards."""

from __future__ import annotations

import time
from typing import Dict, List

import pytest
import requests

from actions.playbooks import playbooks
from tests.bad_inputs import CORPUS, raw_bodies
from tests.log_watch import LogWatch, server_logs
from tests.test_conversations import ASKS, sender, texts

pytestmark = pytest.mark.model

TIMEOUT = 30
# Error lines in the logs, by the input that was being handled when they were written.
ERRORS_BY_INPUT: Dict[str, List[str]] = {}
OBSERVED_RAW: Dict[str, str] = {}


@pytest.fixture(scope="module")
def watch(assistant):
    """Marks the logs before this module's first request; test_still_up... reads the rest."""
    return LogWatch(server_logs(assistant))


@pytest.fixture(scope="module")
def session():
    with requests.Session() as client:
        yield client


def post(client: requests.Session, url: str, user: str, text: str) -> requests.Response:
    body = {"sender": user, "message": text}
    return client.post(f"{url}/webhooks/rest/webhook", json=body, timeout=TIMEOUT)


def label(category: str, text: str) -> str:
    return f"{category} {text[:60]!r}{'...' if len(text) > 60 else ''} (len {len(text)})"


def check_reply(response: requests.Response) -> List[str]:
    """What is wrong with the answer to one message (empty when nothing is)."""
    if response.status_code != 200:
        return [f"HTTP {response.status_code}: {response.text[:200]!r}"]
    replies = response.json()
    problems = []
    if not any((r.get("text") or "").strip() for r in replies):
        problems.append(f"no reply with text: {replies!r:.200}")
    if "<script" in texts(replies).lower():
        problems.append("a reply contains <script")
    return problems


def send_all(client, assistant, items, first=None) -> List[str]:
    """Posts each (category, text) as a new conversation (after `first`, when given) and
    returns the problems found, errors in the logs included, attributed to the input."""
    problems = []
    attribution = LogWatch(server_logs(assistant))
    for category, text in items:
        user = sender()
        if first:
            opened = post(client, assistant.url, user, first)
            assert opened.status_code == 200, opened.text[:200]
        attribution.mark()
        response = post(client, assistant.url, user, text)
        where = label(category, text)
        problems += [f"{where}: {p}" for p in check_reply(response)]
        if attribution.grown():
            errors = attribution.error_lines()
            if errors:
                ERRORS_BY_INPUT[where] = errors
                problems.append(f"{where}: errors in the logs: {errors[:3]}")
    return problems


def test_every_corpus_input_gets_a_reply(assistant, watch, session):
    started = time.monotonic()
    problems = send_all(session, assistant, CORPUS)
    elapsed = time.monotonic() - started
    print(f"\n{len(CORPUS)} corpus inputs in {elapsed:.1f} s")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# While the account form is open, the same inputs go to the form's validator.
IN_FORM = [
    (category, text)
    for index, (category, text) in enumerate(CORPUS)
    if category in ("long_emails_usernames", "sql_injection", "unicode_emails", "lone_surrogates")
    or index % 7 == 0
]


def test_corpus_inputs_as_the_answer_to_the_account_question(assistant, watch, session):
    started = time.monotonic()
    problems = send_all(session, assistant, IN_FORM, first=ASKS["recover_password_login"])
    elapsed = time.monotonic() - started
    print(f"\n{len(IN_FORM)} inputs inside the account form in {elapsed:.1f} s")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "content_type, body", [b[1:] for b in raw_bodies()], ids=[b[0] for b in raw_bodies()]
)
def test_malformed_bodies_get_no_server_error(assistant, watch, session, content_type, body):
    attribution = LogWatch(server_logs(assistant))
    response = session.post(
        f"{assistant.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
        timeout=TIMEOUT,
    )
    name = f"raw body {body[:40]!r} ({len(body)} bytes, {content_type})"
    OBSERVED_RAW[name] = f"{response.status_code} {response.text[:120]!r}"
    print(f"\n{name}: HTTP {OBSERVED_RAW[name]}")
    errors = attribution.error_lines()
    if errors:
        ERRORS_BY_INPUT[name] = errors
    assert (
        response.status_code < 500
    ), f"{name}: HTTP {response.status_code}: {response.text!r:.300}"


def test_a_ten_megabyte_body_is_a_clean_413(assistant, watch, session):
    (body,) = [body for name, _, body in raw_bodies() if name == "ten_megabytes"]
    attribution = LogWatch(server_logs(assistant))
    response = session.post(
        f"{assistant.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 413, response.text[:200]
    assert attribution.error_lines() == []


def test_still_up_and_no_errors_in_the_logs(assistant, watch, session):
    user = sender()
    replies = post(session, assistant.url, user, ASKS["unmanaged_aad_tenant"])
    assert replies.status_code == 200
    assert playbooks()["unmanaged_aad_tenant"].ask in texts(replies.json())
    assert assistant.is_up()
    assert requests.get(assistant.backend.url + "/health", timeout=5).status_code == 200
    errors = watch.error_lines()
    attributed = "\n".join(
        f"{where}:\n  " + "\n  ".join(lines[:5]) for where, lines in ERRORS_BY_INPUT.items()
    )
    assert not errors, (
        f"{len(errors)} error lines in the logs during this module:\n"
        + "\n".join(errors[:40])
        + f"\nby input:\n{attributed}"
    )
