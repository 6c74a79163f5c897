"""The feedback actions (actions/feedback.py) and the outcome markers, on rasa-sdk's Tracker."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import engine, questions
from actions.actions import ActionAffirm
from actions.engine import FEEDBACK, FEEDBACK_FORM, State
from actions.feedback import (
    MAX_COMMENT,
    ActionAskFeedbackComment,
    ActionFeedback,
    ActionFeedbackNoted,
    ValidateFeedbackForm,
)
from actions.out_of_scope import ActionOutOfScope

ASKED = State(topic="create_account", path="main", step=5, awaiting=FEEDBACK)
SLOTS = {"topic": "create_account", "playbook_path": "main", "playbook_step": 5.0}


def tracker(
    intent: str,
    slots: Dict[str, Any],
    text: str = "typed in full",
    entities: Optional[List[Dict[str, Any]]] = None,
    confidence: float = 0.9,
    channel: str = "rest",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    events = [{"event": "user", "text": text, "input_channel": channel}]
    return Tracker("user-1", slots, message, events, False, None, {}, "action_listen")


def pressed(helpful: str, question: Optional[str]) -> List[Dict[str, Any]]:
    """The entities of a feedback button as Rasa parses its payload."""
    entities = [{"entity": "helpful", "value": helpful}]
    return entities + ([{"entity": "question", "value": question}] if question else [])


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def slots_of(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_feedback_buttons_name_their_question():
    entities = [{"entity": "outcome", "value": "worked"}]
    trk = tracker("affirm", {**SLOTS, "awaiting": "outcome"}, entities=entities)
    messages, events = run(ActionAffirm(), trk)
    asked = questions.question_of(ASKED)
    buttons = messages[-1]["buttons"]
    assert [b["title"] for b in buttons] == ["👍 Yes, it helped", "👎 No"]
    assert [json.loads(b["payload"][len("/feedback") :]) for b in buttons] == [
        {"helpful": "yes", "question": asked},
        {"helpful": "no", "question": asked},
    ]
    assert slots_of(events) == {"awaiting": "feedback", "conversation_outcome": "resolved"}


def test_a_thumbs_up_gets_thanks():
    trk = tracker("feedback", {**SLOTS, "awaiting": FEEDBACK}, "/feedback", pressed("yes", None))
    messages, events = run(ActionFeedback(), trk)
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"]
    assert slots_of(events) == {"awaiting": None, "conversation_feedback": "up"}


def test_a_thumbs_down_starts_the_feedback_form():
    question = questions.question_of(ASKED)
    trk = tracker("feedback", {**SLOTS, "awaiting": FEEDBACK}, "/feedback", pressed("no", question))
    messages, events = run(ActionFeedback(), trk)
    assert messages == []
    assert {"event": "followup", "name": FEEDBACK_FORM, "timestamp": None} in events
    assert slots_of(events)["conversation_feedback"] == "down"


def test_an_old_feedback_button_is_stale():
    question = questions.question_of(ASKED)
    later = {**SLOTS, "awaiting": "step", "playbook_step": 2.0}
    messages, events = run(
        ActionFeedback(), tracker("feedback", later, "/x", pressed("no", question))
    )
    assert messages[0]["response"] == "utter_stale_button"
    assert messages[1]["text"].startswith("Step 2 of")
    assert "conversation_feedback" not in slots_of(events)  # an old thumbs down counts not
    assert events == []  # nothing answered, no form


def test_the_comment_question_has_a_skip_button_naming_it():
    messages, _ = run(ActionAskFeedbackComment(), tracker("deny", SLOTS))
    (button,) = messages[0]["buttons"]
    assert messages[0]["response"] == "utter_ask_feedback_comment"
    assert button["title"] == "Skip"
    asked = questions.form_question(FEEDBACK_FORM, "create_account")
    assert button["payload"] == questions.tagged("/deny", asked)
    terminal, _ = run(ActionAskFeedbackComment(), tracker("deny", SLOTS, channel="cmdline"))
    assert terminal[0].get("buttons") in (None, [])


def validate(trk: Tracker, value: Any):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateFeedbackForm().validate_feedback_comment(value, dispatcher, trk, {})
    )
    return result, dispatcher.messages


def test_a_comment_is_kept_and_a_long_one_is_cut():
    text = "The page has no Create button any more."
    assert validate(tracker("nlu_fallback", SLOTS, text), text) == ({"feedback_comment": text}, [])
    long = "word " * 300
    (result, _) = validate(tracker("nlu_fallback", SLOTS, long), long)
    assert len(result["feedback_comment"]) <= MAX_COMMENT
    assert long.startswith(result["feedback_comment"])


def test_the_form_sets_the_comment_once_and_already_cut():
    """The validation action takes the comment from the text itself: the slot is never set to
    the whole of a long text (a from_text mapping would set it before the cut)."""
    domain = {
        "forms": {FEEDBACK_FORM: {"required_slots": ["feedback_comment"]}},
        "slots": {"feedback_comment": {"type": "text", "mappings": [{"type": "custom"}]}},
    }
    long = "The page looks different. " * 40
    trk = tracker("nlu_fallback", {**SLOTS, "requested_slot": "feedback_comment"}, long)
    events = asyncio.run(ValidateFeedbackForm().run(CollectingDispatcher(), trk, domain))
    (comment,) = [e["value"] for e in events if e.get("name") == "feedback_comment"]
    assert len(comment) <= MAX_COMMENT and long.startswith(comment)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("/deny", "deny"),
        ("no", "deny"),
        ("no thanks", "deny"),
        ("Skip!", "out_of_scope"),
        ("cancel", "delete_account"),  # was kept as the comment "cancel"
        ("what?", "out_of_scope"),
        ("go back", "out_of_scope"),
        ("ok", "affirm"),
    ],
)
def test_skip_ends_the_form_without_a_comment(text, intent):
    asked = questions.form_question(FEEDBACK_FORM, "create_account")
    entities = [{"entity": "question", "value": asked}] if text.startswith("/") else []
    result, said = validate(tracker(intent, SLOTS, text, entities), text)
    assert result == {"feedback_comment": None, "requested_slot": None} and said == []


def test_a_long_no_is_a_comment():
    text = "no, step 3 is not on the page any more"
    result, _ = validate(tracker("deny", SLOTS, text), text)
    assert result == {"feedback_comment": text}


def test_a_clear_new_question_ends_the_form_and_is_answered():
    text = "how do I delete my nuget account?"
    trk = tracker("delete_account", SLOTS, text, confidence=0.99)
    assert validate(trk, text)[0] == {"feedback_comment": None, "requested_slot": None}
    messages, events = run(ActionFeedbackNoted(), trk)
    assert slots_of(events)["topic"] == "delete_account"
    assert "utter_feedback_noted" not in [m.get("response") for m in messages]


def test_a_comment_about_the_same_topic_or_unsure_stays_a_comment():
    for intent, confidence in (("create_account", 0.99), ("delete_account", 0.9)):
        text = "the account page looks different"
        result, _ = validate(tracker(intent, SLOTS, text, confidence=confidence), text)
        assert result == {"feedback_comment": text}


def test_an_old_button_at_the_comment_prompt_is_asked_again():
    old = [{"entity": "question", "value": questions.question_of(ASKED)}]
    result, said = validate(tracker("feedback", SLOTS, "/feedback", old), "/feedback")
    assert result == {"feedback_comment": None}  # the form asks again
    assert said[0]["response"] == "utter_stale_button"


def test_after_the_form_thanks_and_a_person_is_offered_and_the_comment_emptied():
    slots = {**SLOTS, "feedback_comment": "It was unclear."}
    messages, events = run(ActionFeedbackNoted(), tracker("nlu_fallback", slots, "It was unclear."))
    assert [m["response"] for m in messages] == [
        "utter_feedback_noted",
        "utter_offer_support_request",
    ]
    assert slots_of(events) == {"awaiting": "handoff_confirm", "feedback_comment": None}


def test_out_of_scope_marks_the_conversation_refused():
    text = "what's the weather in Seattle?"
    _, events = run(ActionOutOfScope(), tracker("out_of_scope", {}, text))
    assert slots_of(events) == {"awaiting": "handoff_confirm", "conversation_outcome": "refused"}


def test_engine_outcome_names_are_the_contracts():
    assert (engine.RESOLVED, engine.ESCALATED, engine.REFUSED) == (
        "resolved",
        "escalated",
        "refused",
    )
