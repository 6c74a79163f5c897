"""Old buttons over the real servers (REST, as Slack, Teams and scripts send them): a button of
an earlier question gets "That button belongs to an earlier question" and the current question
again; it is never taken as an answer to the question asked now."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from tests.test_conversations import sender, texts

pytestmark = pytest.mark.model
STALE = "That button belongs to an earlier question; here is the current one again."
TENANT_QUESTION = "login fails with my company email, unmanaged azure ad tenant"


def button(replies: List[Dict[str, Any]], title: str) -> str:
    """The payload of the newest button titled `title` among `replies`."""
    for reply in reversed(replies):
        for found in reply.get("buttons") or []:
            if found["title"].startswith(title):
                return found["payload"]
    raise AssertionError(f"no {title!r} button in {replies}")


def test_an_old_skip_at_step_4_is_not_taken_for_still_stuck(assistant):
    user = sender()
    asked = assistant.say(user, TENANT_QUESTION)
    skip = button(asked, "Skip: show me the steps")  # the account form's question
    # typed instead of pressing Skip: a new question starts its walk-through
    replies = assistant.say(user, "how do I create a nuget account?")
    assert "Step 1 of 5" in texts(replies)
    for _ in range(3):
        replies = assistant.say(user, button(replies, "Next step"))
    assert "Step 4 of 5" in texts(replies)

    again = assistant.say(user, skip)
    said = texts(again)
    assert said.startswith(STALE)
    assert "Step 4 of 5" in said and "Sorry that didn't work" not in said
    # the step's own buttons still answer it
    moved_on = assistant.say(user, button(again, "Next step"))
    assert "Step 5 of 5" in texts(moved_on)


def test_an_old_still_stuck_at_the_support_offer_does_not_decline_it(assistant):
    user = sender()
    replies = assistant.say(user, "how do I create a nuget account?")
    stuck = button(replies, "Still stuck")
    offered = assistant.say(user, stuck)
    assert "Sorry that didn't work" in texts(offered) and "Shall I open it?" in texts(offered)

    again = assistant.say(user, stuck)  # pressed once more, e.g. from Slack's history
    said = texts(again)
    assert said.startswith(STALE) and "Shall I open it?" in said
    assert "OK, no support request" not in said
    declined = assistant.say(user, button(again, "No, thanks"))
    assert "OK, no support request" in texts(declined)


def test_an_old_button_while_the_reply_address_is_asked_is_asked_again(assistant):
    user = sender()
    offer = assistant.say(user, "I want to talk to a real person")
    yes = button(offer, "Yes, open a request")
    asked = texts(assistant.say(user, yes))
    assert "reply by email" in asked
    again = texts(assistant.say(user, yes))  # the offer's button, pressed twice
    assert again.startswith(STALE) and "reply by email" in again
    assert "NGS-" not in again
    assert "NGS-" in texts(assistant.say(user, "jane.doe@example.com"))


def test_an_old_did_you_mean_button_does_not_start_its_topic_later(assistant):
    user = sender()
    guesses = assistant.say(user, "account")  # a vague request: "did you mean"
    topic_button = guesses[-1]["buttons"][0]["payload"]
    replies = assistant.say(user, "how do I create a nuget account?")
    assert "Step 1 of 5" in texts(replies)
    again = texts(assistant.say(user, topic_button))
    assert again.startswith(STALE) and "Step 1 of 5" in again


def test_typed_answers_still_answer_the_current_question(assistant):
    user = sender()
    assistant.say(user, "how do I create a nuget account?")
    assert "Step 2 of 5" in texts(assistant.say(user, "yes"))
    # a payload without an id (an older client, a script) answers it too
    assert "Step 3 of 5" in texts(assistant.say(user, "/next_step"))
