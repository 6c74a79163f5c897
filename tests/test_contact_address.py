"""A support request says how the team replies: with the user's consent it takes an address
for the reply, keeps it only with the request, and shows it masked everywhere else."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import (
    CANCELLED,
    GIVEN,
    NEW_QUESTION,
    NONE,
    ActionAskContactAddress,
    ActionOpenSupportRequest,
    ValidateContactForm,
)
from actions.support_requests import contact_address_in
from tests.test_conversations import sender, texts

ADDRESS = "jane.doe@example.com"
MASKED = "j***e@example.com"


@pytest.mark.parametrize(
    "typed, found",
    [
        (ADDRESS, ADDRESS),
        (f"please reply to <{ADDRESS}>, thanks", ADDRESS),
        ("first.last+nuget@mail.dept.example.co.uk", "first.last+nuget@mail.dept.example.co.uk"),
        ("yes please", None),
        ("jane at example dot com", None),
        ("@example.com", None),
        ("", None),
        (
            "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            "jane@example.com",
        ),  # full-width, as some keyboards type it
    ],
)
def test_the_address_is_found_in_what_the_user_typed(typed, found):
    assert contact_address_in(typed) == found


def validate(text: str, intent: str, attempts: Optional[float] = None):
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    slots: Dict[str, Any] = {"contact_attempts": attempts, "requested_slot": "contact_address"}
    trk = Tracker("user-1", slots, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    checked = ValidateContactForm().validate_contact_address(text, dispatcher, trk, {})
    result = asyncio.run(checked)
    return result, [m.get("response") for m in dispatcher.messages]


def test_an_address_is_taken_and_the_slot_never_holds_it():
    result, said = validate(f"reply to {ADDRESS}", "inform")
    assert result == {"contact_address": GIVEN, "contact_attempts": None} and said == []


@pytest.mark.parametrize(
    "text, intent", [("/deny", "deny"), ("no thanks", "deny"), ("bye", "goodbye")]
)
def test_no_is_a_request_without_an_address(text, intent):
    assert validate(text, intent)[0] == {"contact_address": NONE, "contact_attempts": None}


def test_something_else_is_asked_again_once_then_the_request_goes_without_an_address():
    result, said = validate("yes", "affirm")
    assert result == {"contact_address": None, "contact_attempts": 1.0}
    assert said == ["utter_invalid_contact_address"]
    result, said = validate("yes!", "affirm", attempts=1.0)
    assert result == {"contact_address": NONE, "contact_attempts": None} and said == []


@pytest.mark.parametrize(
    "typo", ["jane@@example.com", "jane@example", "jane at example dot com", "j [at] x [dot] org"]
)
def test_a_mistyped_address_is_asked_again_even_when_it_reads_as_out_of_scope(typo):
    result, said = validate(typo, "out_of_scope")
    assert result == {"contact_address": None, "contact_attempts": 1.0}
    assert said == ["utter_invalid_contact_address"]


def test_a_second_typo_is_asked_about_once_more_then_the_request_goes_without():
    result, said = validate("jane at example dot com", "out_of_scope", attempts=1.0)
    assert result == {"contact_address": None, "contact_attempts": 2.0}
    assert said == ["utter_invalid_contact_address"]
    result, said = validate("jane@@example.com", "inform", attempts=2.0)
    assert result == {"contact_address": NONE, "contact_attempts": None} and said == []


@pytest.mark.parametrize("text", ["cancel", "stop", "go back", "never mind"])
def test_cancel_at_the_address_prompt_opens_no_request(text):
    result, said = validate(text, "delete_account")
    assert result == {"contact_address": CANCELLED, "contact_attempts": None} and said == []
    dispatcher = CollectingDispatcher()
    slots = {"contact_address": CANCELLED}
    trk = Tracker("user-1", slots, {"text": text}, [], False, None, {}, "action_listen")
    events = asyncio.run(ActionOpenSupportRequest().run(dispatcher, trk, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_request"]
    assert events == [
        {"event": "slot", "name": "contact_address", "value": None, "timestamp": None}
    ]


def test_the_no_address_buttons_words_typed_open_it_without_one():
    result, _ = validate("open it without an address", "out_of_scope")
    assert result == {"contact_address": NONE, "contact_attempts": None}


def test_a_clear_new_question_leaves_the_question_for_its_topic():
    message = {"text": "how do I delete my account", "entities": []}
    message["intent"] = {"name": "delete_account", "confidence": 0.99}
    message["intent_ranking"] = [message["intent"]]
    slots = {"requested_slot": "contact_address", "topic": "push_forbidden_api_key"}
    trk = Tracker("user-1", slots, message, [], False, None, {}, "action_listen")
    checked = ValidateContactForm().validate_contact_address(message["text"], None, trk, {})
    assert asyncio.run(checked) == {"contact_address": NEW_QUESTION, "contact_attempts": None}
    dispatcher = CollectingDispatcher()
    trk.slots["contact_address"] = NEW_QUESTION
    events = asyncio.run(ActionOpenSupportRequest().run(dispatcher, trk, {}))
    assert {"event": "slot", "name": "topic", "value": "delete_account", "timestamp": None} in (
        events
    )
    assert not any(e.get("name") == "conversation_outcome" for e in events)  # no request


# ---- over the real servers (REST) ----


def payload_of(reply: Dict[str, Any], title: str) -> str:
    return next(b["payload"] for b in reply["buttons"] if b["title"].startswith(title))


def ask_for_a_person(assistant, user: str) -> Dict[str, Any]:
    offer = assistant.say(user, "I want to talk to a real person")
    assert "Shall I open it?" in texts(offer)
    asked = assistant.say(user, payload_of(offer[-1], "Yes, open a request"))
    return asked[-1]


def reference_in(text: str) -> str:
    return re.search(r"NGS-[0-9A-F]{8}", text).group(0)


@pytest.mark.model
def test_the_team_replies_to_the_address_given_with_consent(assistant):
    user = sender()
    assistant.say(user, "my login email is account1@outlook.com")
    asked = ask_for_a_person(assistant, user)
    # the question asks whether to give one, and says where it is kept
    assert "Would you like the nuget.org team to reply by email?" in asked["text"]
    assert "kept only with this support request" in asked["text"]
    assert [b["title"] for b in asked["buttons"]] == ["Open it without an address"]

    opened = texts(assistant.say(user, f"please reply to {ADDRESS}"))
    assert f"replies by email to {MASKED}" in opened and ADDRESS not in opened
    assert "I can't tell you how soon: no reply time is promised" in opened
    record = assistant.backend.get(f"/v1/support-requests/{reference_in(opened)}").json()
    assert record["contact_email"] == ADDRESS  # the one place it is kept
    transcript = json.dumps(record["transcript"])
    assert MASKED in transcript and ADDRESS not in transcript
    assert "a***1@outlook.com" in transcript

    # no log line of any server carries it
    for log in [*assistant.logs, assistant.backend.log]:
        assert ADDRESS not in log.read_text(encoding="utf-8", errors="replace"), log.name


@pytest.mark.model
def test_without_an_address_the_reply_says_where_to_quote_the_reference(assistant):
    user = sender()
    asked = ask_for_a_person(assistant, user)
    opened = texts(assistant.say(user, payload_of(asked, "Open it without an address")))
    assert "Without an address the team has no way to reply to you" in opened
    assert "support@nuget.org" in opened and "https://www.nuget.org/policies/Contact" in opened
    record = assistant.backend.get(f"/v1/support-requests/{reference_in(opened)}").json()
    assert record["contact_email"] is None


@pytest.mark.model
def test_an_answer_that_is_not_an_address_is_asked_again(assistant):
    user = sender()
    ask_for_a_person(assistant, user)
    again = texts(assistant.say(user, "sure"))
    assert "doesn't look like an email address" in again
    assert "Would you like the nuget.org team to reply by email?" in again
    opened = texts(assistant.say(user, ADDRESS))
    assert f"replies by email to {MASKED}" in opened


def test_the_terminal_gets_no_button_so_an_address_can_be_typed():
    message = {"text": "yes", "intent": {"name": "affirm"}, "entities": []}
    events = [{"event": "user", "text": "yes", "input_channel": "cmdline"}]
    trk = Tracker("user-1", {}, message, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskContactAddress().run(dispatcher, trk, {}))
    assert dispatcher.messages[0]["response"] == "utter_ask_contact_address"
    assert not dispatcher.messages[0]["buttons"]
