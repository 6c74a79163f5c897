""" "Did this help?" and the outcome markers over REST against the real servers and the
trained model; the markers are read from the tracker store's rows, as the team's figures
read them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, List

import pytest

from actions.engine import THUMBS_DOWN, THUMBS_UP
from actions.feedback import MAX_COMMENT
from actions.playbooks import playbooks
from tests.test_conversation_fixes import first_asks
from tests.test_conversations import options, payloads, sender, texts
from tests.test_stale_buttons import STALE, button

pytestmark = pytest.mark.model

ASKED = "Did this help?"
COMMENT_PROMPT = "What was missing or wrong?"
NOTED = "Since this didn't solve your problem"
OFFER = "Shall I open it?"


def slot_values(assistant, user: str, slot: str) -> List[Any]:
    """Every value the stored events set `slot` to in `user`'s conversation, in order."""
    database = Path(assistant.logs[0]).parent / "tracker.db"
    query = "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id"
    with sqlite3.connect(database) as connection:
        rows = [json.loads(data) for (data,) in connection.execute(query, (user,))]
    return [row["value"] for row in rows if row["name"] == slot]


def user_events(assistant, user: str) -> List[Dict[str, Any]]:
    database = Path(assistant.logs[0]).parent / "tracker.db"
    query = "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id"
    with sqlite3.connect(database) as connection:
        return [json.loads(data) for (data,) in connection.execute(query, (user,))]


def intent_of(event: Dict[str, Any]) -> str:
    return event["parse_data"]["intent"]["name"]


def entity(event: Dict[str, Any], name: str) -> Any:
    found = [e["value"] for e in event["parse_data"]["entities"] if e["entity"] == name]
    return found[0] if found else None


def it_worked(assistant, user: str) -> List[Dict[str, Any]]:
    """Starts a walk-through and presses "That worked" at step 1: "Did this help?"."""
    started = assistant.say(user, "how do I create a nuget account?")
    done = assistant.say(user, button(started, "That worked"))
    assert playbooks()["create_account"].paths["main"].done in texts(done)
    return done


def test_that_worked_asks_did_this_help_and_a_thumbs_up_gets_thanks(assistant):
    user = sender()
    done = it_worked(assistant, user)
    assert ASKED in (done[-1].get("text") or "")
    assert [b["title"] for b in done[-1]["buttons"]] == [THUMBS_UP[0], THUMBS_DOWN[0]]
    assert options(done[-1]) == [THUMBS_UP[1], THUMBS_DOWN[1]]
    thanked = assistant.say(user, button(done, "👍"))
    assert "Thanks for telling me" in texts(thanked)
    assert "anything else" in texts(thanked)
    # the thumbs down of the question answered already belongs to an earlier question
    again = texts(assistant.say(user, button(done, "👎")))
    assert again.startswith(STALE) and COMMENT_PROMPT not in again
    assert slot_values(assistant, user, "conversation_outcome") == ["resolved"]
    assert slot_values(assistant, user, "conversation_feedback") == ["up"]  # not the stale one
    stored = [e for e in user_events(assistant, user) if intent_of(e) == "feedback"]
    assert [entity(e, "helpful") for e in stored] == ["yes", "no"]  # the stale one too


def test_a_thumbs_down_with_a_comment_then_a_support_request(assistant):
    user = sender()
    done = it_worked(assistant, user)
    asked = assistant.say(user, button(done, "👎"))
    assert COMMENT_PROMPT in texts(asked)
    assert [b["title"] for b in asked[-1]["buttons"]] == ["Skip"]
    comment = "I wrote to jane.doe@example.com about it and the page looks different. " + "x" * 600
    # a long comment with an address, which the classifier takes for no topic of its own
    noted = assistant.say(user, comment)
    said = texts(noted)
    assert NOTED in said and OFFER in said
    assert "Yes, open a request" in [b["title"] for b in noted[-1]["buttons"]]
    stored = [v for v in slot_values(assistant, user, "feedback_comment") if v]
    assert len(stored) == 1 and len(stored[0]) <= MAX_COMMENT
    assert stored[0].startswith("I wrote to j***e@example.com about it")  # masked at rest
    assert "jane.doe@example.com" not in json.dumps(user_events(assistant, user))
    assert "reply by email" in texts(assistant.say(user, button(noted, "Yes, open a request")))
    opened = texts(assistant.say(user, "/deny"))  # no address
    assert "NGS-" in opened
    assert slot_values(assistant, user, "conversation_outcome") == ["resolved", "escalated"]
    # the next thumbs down asks for a comment again (the slot was emptied after this one)
    done = it_worked(assistant, user)
    assert COMMENT_PROMPT in texts(assistant.say(user, button(done, "👎")))
    assert slot_values(assistant, user, "conversation_outcome")[-1] == "resolved"


def test_a_thumbs_down_with_skip_and_a_typed_no_to_did_this_help(assistant):
    user = sender()
    question, fact = first_asks("manage_api_keys", 1)[0]
    answered = assistant.say(user, question)
    assert fact.says in texts(answered)
    asked = assistant.say(user, button(answered, "No, that's all"))
    assert ASKED in texts(asked)
    prompt = assistant.say(user, "no")  # typed: a thumbs down
    assert COMMENT_PROMPT in texts(prompt)
    skipped = texts(assistant.say(user, button(prompt, "Skip")))
    assert NOTED in skipped and OFFER in skipped
    assert not [v for v in slot_values(assistant, user, "feedback_comment") if v]
    assert slot_values(assistant, user, "conversation_outcome") == []  # not confirmed


def test_a_new_question_at_the_comment_prompt_starts_that_topic(assistant):
    user = sender()
    done = it_worked(assistant, user)
    assert COMMENT_PROMPT in texts(assistant.say(user, button(done, "👎")))
    moved = assistant.say(user, "how do I delete my nuget account?")
    said = texts(moved)
    assert NOTED not in said and COMMENT_PROMPT not in said
    book = playbooks()["delete_account"]
    assert "walk you through it" in said or (book.paths["main"].intro or "Step 1") in said
    assert not [v for v in slot_values(assistant, user, "feedback_comment") if v]
    assert slot_values(assistant, user, "topic")[-1] == "delete_account"
    assert payloads(moved[-1])  # the new topic's own buttons


def test_out_of_scope_is_marked_refused_and_a_later_milestone_overrides_it(assistant):
    user = sender()
    assert "outside what I can help with" in texts(
        assistant.say(user, "what's the weather like in Seattle tomorrow?")
    )
    it_worked(assistant, user)
    assert slot_values(assistant, user, "conversation_outcome") == ["refused", "resolved"]
