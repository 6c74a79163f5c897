"""Every custom action, run through rasa-sdk's Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import questions
from actions.account_check import ActionStartPlaybook
from actions.actions import (
    ActionAffirm,
    ActionChoosePath,
    ActionDeny,
    ActionDidYouMean,
    ActionNextStep,
    ActionOfferHandoff,
    typed_answer,
)
from actions.contact import ActionOpenSupportRequest
from actions.dialogue_state import read_state
from actions.playbooks import playbooks
from tools.servers import free_port


def tracker(
    intent: str,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    text: str = "a question typed in full",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    return Tracker("user-1", slots or {}, message, events or [], False, None, {}, "action_listen")


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_start_playbook_sends_intro_and_first_step_and_records_the_topic():
    messages, slots = run(ActionStartPlaybook(), tracker("create_account"))
    assert slots == {
        "topic": "create_account",
        "playbook_path": "main",
        "playbook_step": 1.0,
        "awaiting": "step",
    }
    path = playbooks()["create_account"].paths["main"]
    assert messages[0]["text"] == path.intro
    assert messages[1]["text"].startswith(f"Step 1 of {len(path.steps)}: ")
    assert [questions.plain(b["payload"]) for b in messages[1]["buttons"]] == [
        "/next_step",
        '/affirm{"outcome": "worked"}',
        "/deny",
    ]


def test_a_topic_whose_check_asks_records_the_topic_and_hands_over_to_the_form():
    walking = {
        "topic": "create_account",
        "playbook_path": "main",
        "playbook_step": 3.0,
        "awaiting": "step",
    }
    trk = tracker("unmanaged_aad_tenant", walking)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartPlaybook().run(dispatcher, trk, {}))
    assert {"event": "followup", "name": "account_form", "timestamp": None} in events
    messages, slots = run(ActionStartPlaybook(), trk)
    assert messages == []
    assert slots == {
        "topic": "unmanaged_aad_tenant",
        "playbook_path": None,
        "playbook_step": 0.0,
        "awaiting": None,
    }


def test_start_playbook_for_a_non_topic_intent_falls_back():
    ranking = [{"name": "greet", "confidence": 0.4}, {"name": "create_account", "confidence": 0.3}]
    messages, slots = run(ActionStartPlaybook(), tracker("greet", ranking=ranking))
    assert messages[0]["response"] == "utter_did_you_mean"
    assert slots["awaiting"] == "did_you_mean"


WALKING = {"topic": "create_account", "playbook_path": "main", "playbook_step": 1.0}


def test_next_step_advances_only_the_step():
    messages, slots = run(ActionNextStep(), tracker("next_step", {**WALKING, "awaiting": "step"}))
    assert slots == {"playbook_step": 2.0}
    path = playbooks()["create_account"].paths["main"]
    assert messages[0]["text"] == f"Step 2 of {len(path.steps)}: {path.steps[1].text}"


def test_affirm_with_worked_outcome_finishes():
    entities = [{"entity": "outcome", "value": "worked"}]
    trk = tracker("affirm", {**WALKING, "awaiting": "step"}, entities=entities)
    messages, slots = run(ActionAffirm(), trk)
    assert messages[0]["text"] == playbooks()["create_account"].paths["main"].done
    assert messages[1]["response"] == "utter_ask_feedback"  # "Did this help?"
    assert slots == {"awaiting": "feedback", "conversation_outcome": "resolved"}


def test_deny_at_a_step_without_help_offers_a_support_request():
    assert playbooks()["create_account"].paths["main"].steps[0].stuck is None
    messages, slots = run(ActionDeny(), tracker("deny", {**WALKING, "awaiting": "step"}))
    assert [m["response"] for m in messages] == ["utter_sorry_stuck", "utter_offer_support_request"]
    assert slots == {"awaiting": "handoff_confirm"}


def test_choose_path_takes_the_choice_entity():
    state = {
        "topic": "unmanaged_aad_tenant",
        "playbook_path": "main",
        "playbook_step": 2.0,
        "awaiting": "choice",
    }
    entities = [{"entity": "choice", "value": "2"}]
    messages, slots = run(ActionChoosePath(), tracker("choose_path", state, entities=entities))
    chosen = playbooks()["unmanaged_aad_tenant"].paths["no_takeover"]
    assert slots["playbook_path"] == "no_takeover"
    assert (chosen.intro or chosen.steps[0].text) in messages[0]["text"]


def test_offer_handoff_asks_first():
    messages, slots = run(ActionOfferHandoff(), tracker("human_handoff"))
    assert messages[0]["response"] == "utter_offer_support_request"
    assert slots == {"awaiting": "handoff_confirm"}


def test_yes_to_the_offer_asks_for_the_reply_address_first():
    events = asyncio.run(
        ActionAffirm().run(
            CollectingDispatcher(), tracker("affirm", {"awaiting": "handoff_confirm"}), {}
        )
    )
    assert {"event": "followup", "name": "contact_form", "timestamp": None} in events


def test_the_request_stores_a_masked_transcript_and_the_given_address(backend_settings):
    events = [
        {"event": "user", "text": "my email is account1@outlook.com and I cannot sign in"},
        {"event": "bot", "text": "Step 1 of 6: Go to the login page"},
        {"event": "slot", "name": "topic", "value": "recover_password_login"},
        {"event": "user", "text": "reply to jane.doe@example.com please"},
    ]
    slots = {"topic": "recover_password_login", "contact_address": "given"}
    trk = tracker("inform", slots, events=events, text="reply to jane.doe@example.com please")
    messages, changed = run(ActionOpenSupportRequest(), trk)
    assert messages[0]["response"] == "utter_support_request_opened"
    assert messages[0]["address"] == "j***e@example.com"
    reference = messages[0]["reference"]
    stored = backend_settings.get(f"/v1/support-requests/{reference}").json()
    assert stored["topic"] == "recover_password_login"
    assert stored["contact_email"] == "jane.doe@example.com"  # the one place it is kept
    assert stored["transcript"][0] == {
        "from": "user",
        "text": "my email is a***1@outlook.com and I cannot sign in",
    }
    transcript = json.dumps(stored["transcript"])
    assert "account1@outlook.com" not in transcript and "jane.doe@example.com" not in transcript
    assert "j***e@example.com" in transcript
    assert changed == {"contact_address": None, "conversation_outcome": "escalated"}


def test_without_an_address_the_request_says_where_to_quote_the_reference(backend_settings):
    slots = {"topic": "delete_account", "contact_address": "none"}
    messages, _ = run(ActionOpenSupportRequest(), tracker("deny", slots, text="/deny"))
    assert messages[0]["response"] == "utter_support_request_opened_no_address"
    stored = backend_settings.get(f"/v1/support-requests/{messages[0]['reference']}").json()
    assert stored["contact_email"] is None


def test_a_backend_that_is_down_gets_an_apology_and_the_conversation_goes_on(monkeypatch):
    monkeypatch.setenv("ACCOUNT_BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    messages, changed = run(
        ActionOpenSupportRequest(), tracker("deny", {"contact_address": "none"})
    )
    assert messages[0]["response"] == "utter_support_request_failed"
    assert changed == {"contact_address": None}  # no reference: not escalated


@pytest.mark.parametrize("count, response", [(0, "utter_did_you_mean"), (1, "utter_cannot_help")])
def test_did_you_mean_is_two_stage(count, response):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "change_username", "confidence": 0.4},
        {"name": "create_account", "confidence": 0.3},
    ]
    trk = tracker("nlu_fallback", {"fallback_count": float(count)}, ranking=ranking)
    messages, _ = run(ActionDidYouMean(), trk)
    assert messages[0]["response"] == response


PASTE_STEP = {
    "topic": "account_locked_or_signin_error",
    "playbook_path": "main",
    "playbook_step": 1.0,
    "awaiting": "step",
}


@pytest.mark.parametrize(
    "text, intent, noted",
    [
        ("Account disabled", "recover_without_microsoft_account", True),  # a pasted error
        ("403", "push_forbidden_api_key", True),
        (
            "login fails with my company email because of an unmanaged tenant",
            "unmanaged_aad_tenant",
            False,
        ),
        ("how do I delete my account?", "delete_account", False),
    ],
)
def test_a_step_asking_for_a_text_keeps_short_pastes_and_lets_new_problems_go(text, intent, noted):
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    message["intent_ranking"] = [message["intent"]]
    trk = Tracker("user-1", PASTE_STEP, message, [], False, None, {}, "action_listen")
    turn = typed_answer(read_state(trk), trk)
    assert (turn is not None and turn.messages[0].response == "utter_reply_noted") == noted
