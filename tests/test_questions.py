"""Stale buttons, without the servers: every button names the question it answers, and a
button of an earlier question gets a note and the current question again, never an answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import engine, questions
from actions.account_check import SKIP_BUTTON, ActionAskAccountIdentifier, ValidateAccountForm
from actions.actions import ActionAffirm, ActionDeny, ActionNextStep
from actions.contact import ActionAskContactAddress, ValidateContactForm
from actions.engine import (
    CHOICE,
    DID_YOU_MEAN,
    HANDOFF_CONFIRM,
    OFFER_WALKTHROUGH,
    OUTCOME,
    STEP,
    STUCK_CHOICE,
    State,
)
from actions.playbooks import playbooks

WALKING = State(topic="create_account", path="main", step=2, awaiting=STEP)


@pytest.mark.parametrize(
    "payload",
    ["/next_step", "/deny", '/affirm{"outcome": "worked"}', '/choose_path{"choice": "2"}'],
)
def test_a_tagged_payload_keeps_what_it_says(payload):
    tagged = questions.tagged(payload, "3f2a9c1e")
    assert tagged != payload and '"question": "3f2a9c1e"' in tagged
    assert questions.plain(tagged) == payload
    assert questions.tagged(payload, None) == payload  # no question: nothing to name
    assert questions.tagged("typed text", "3f2a9c1e") == "typed text"


def test_each_question_has_its_own_id_and_the_same_question_the_same():
    states = [
        WALKING,
        State(topic="create_account", path="main", step=3, awaiting=STEP),
        State(topic="create_account", path="main", step=2, awaiting=HANDOFF_CONFIRM),
        State(topic="delete_account", path="main", step=2, awaiting=STEP),
        State(awaiting=DID_YOU_MEAN, suggestions=("create_account", "delete_account")),
        State(awaiting=DID_YOU_MEAN, suggestions=("change_username", "delete_account")),
    ]
    ids = [questions.question_of(s) for s in states]
    assert len(set(ids)) == len(ids)
    assert questions.question_of(State(**WALKING.__dict__)) == ids[0]
    assert questions.question_of(State()) is None  # nothing asked
    account = questions.form_question(engine.ACCOUNT_FORM, "unmanaged_aad_tenant")
    contact = questions.form_question(engine.CONTACT_FORM, "unmanaged_aad_tenant")
    assert len({account, contact, *ids}) == len(ids) + 2


def test_only_an_id_of_another_question_is_stale():
    assert questions.is_stale("a", "b") and questions.is_stale("a", None)
    assert not questions.is_stale("a", "a")
    assert not questions.is_stale(None, "b")  # typed text answers the current question


def messages_of(turn) -> list:
    return [m.response or m.text for m in turn.messages]


@pytest.mark.parametrize(
    "state, asked",
    [
        (WALKING, "Step 2 of"),
        (State(topic="create_account", path="main", step=1, awaiting=HANDOFF_CONFIRM), None),
        (State(awaiting=DID_YOU_MEAN, suggestions=("delete_account",)), None),
        (State(topic="delete_account", awaiting=OFFER_WALKTHROUGH), "walk you through it"),
        (State(), None),
    ],
)
def test_a_stale_button_gets_a_note_and_the_current_question(state, asked):
    turn = engine.stale_button(state)
    assert turn.state == state  # nothing answered, nothing moved
    assert turn.messages[0].response == "utter_stale_button"
    again = engine.current_question(state)
    assert turn.messages[1:] == again
    if asked:
        assert asked in (again[0].text or "")
    expected = {
        HANDOFF_CONFIRM: "utter_offer_support_request",
        DID_YOU_MEAN: "utter_did_you_mean",
        None: "utter_how_can_i_help",
    }
    if state.awaiting in expected:
        assert again[0].response == expected[state.awaiting]


def test_the_current_choices_are_asked_again_with_their_words():
    path = playbooks()["unmanaged_aad_tenant"].paths["main"]
    choosing = State(topic="unmanaged_aad_tenant", path="main", step=2, awaiting=CHOICE)
    (again,) = engine.current_question(choosing)
    assert again.text == (path.choices_text or "What next?")
    assert len(again.buttons) == len(path.choices)


def test_stuck_choices_and_the_last_step_are_asked_again():
    steps = len(playbooks()["change_microsoft_account"].paths["main"].steps)
    last = State(topic="change_microsoft_account", path="main", step=steps, awaiting=OUTCOME)
    assert "Did that work?" in engine.current_question(last)[0].text
    stuck = engine.deny(last).state
    assert stuck.awaiting == STUCK_CHOICE
    assert engine.current_question(stuck)[0].buttons == engine.deny(last).messages[0].buttons


# ---- the actions, on rasa-sdk's Tracker ----


def tracker(
    intent: str, slots: Dict[str, Any], question: Optional[str], text: str = "/x"
) -> Tracker:
    entities = [{"entity": "question", "value": question}] if question else []
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    return Tracker("user-1", slots, message, [], False, None, {}, "action_listen")


def slots_of(state: State) -> Dict[str, Any]:
    return {
        "topic": state.topic,
        "playbook_path": state.path,
        "playbook_step": float(state.step),
        "awaiting": state.awaiting,
        "suggestions": list(state.suggestions),
    }


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, [e for e in events if e["event"] == "slot"]


def test_the_buttons_a_turn_sends_name_the_question_it_asks():
    messages, _ = run(ActionNextStep(), tracker("next_step", slots_of(WALKING), None))
    asked = questions.question_of(State(**{**WALKING.__dict__, "step": 3}))
    payloads = [b["payload"] for b in messages[-1]["buttons"]]
    assert payloads and all(f'"question": "{asked}"' in p for p in payloads)


def test_an_old_skip_at_a_step_is_not_taken_for_still_stuck():
    skip = questions.form_question(engine.ACCOUNT_FORM, "unmanaged_aad_tenant")
    messages, slots = run(ActionDeny(), tracker("deny", slots_of(WALKING), skip))
    assert messages[0]["response"] == "utter_stale_button"
    assert messages[1]["text"].startswith("Step 2 of")
    assert "utter_sorry_stuck" not in [m.get("response") for m in messages]
    assert slots == []  # the walk-through keeps its place


def test_an_old_still_stuck_at_the_support_offer_does_not_decline_it():
    offered = engine.offer_support_request(WALKING).state
    old_stuck = questions.question_of(WALKING)
    messages, slots = run(ActionDeny(), tracker("deny", slots_of(offered), old_stuck))
    assert [m.get("response") for m in messages] == [
        "utter_stale_button",
        "utter_offer_support_request",
    ]
    assert slots == []
    # the offer's own "No, thanks" still declines it
    current = questions.question_of(offered)
    messages, _ = run(ActionDeny(), tracker("deny", slots_of(offered), current))
    assert messages[0]["response"] == "utter_no_request"


def test_the_current_questions_button_and_typed_text_are_answers():
    current = questions.question_of(WALKING)
    for question in (current, None):
        messages, slots = run(ActionAffirm(), tracker("affirm", slots_of(WALKING), question))
        assert messages[0]["text"].startswith("Step 3 of")


FORMS = [
    (ActionAskAccountIdentifier, ValidateAccountForm, "account_identifier", engine.ACCOUNT_FORM),
    (ActionAskContactAddress, ValidateContactForm, "contact_address", engine.CONTACT_FORM),
]


@pytest.mark.parametrize("ask, validate, slot, form", FORMS)
def test_a_forms_button_names_its_question_and_a_stale_one_is_asked_again(
    ask, validate, slot, form
):
    slots = {"topic": "unmanaged_aad_tenant", "requested_slot": slot}
    asked, _ = run(ask(), tracker("deny", slots, None))
    question = questions.form_question(form, "unmanaged_aad_tenant")
    (button,) = asked[0]["buttons"]
    payload = button["payload"]
    assert json.loads(payload[payload.index("{") :]) == {"question": question}
    trk = tracker("deny", slots, questions.question_of(WALKING), text="/deny")
    dispatcher = CollectingDispatcher()
    check = getattr(validate(), f"validate_{slot}")
    result = asyncio.run(check(None, dispatcher, trk, {}))
    assert result == {slot: None}  # not answered: the form asks again
    assert dispatcher.messages[0]["response"] == "utter_stale_button"


def test_the_skip_button_is_still_a_way_out_of_the_account_form():
    assert questions.plain(SKIP_BUTTON["payload"]) == "/deny"
