"""The conversation state machine, without Rasa."""

from __future__ import annotations

import pytest

from actions import engine
from actions.engine import (
    CHOICE,
    DID_YOU_MEAN,
    FEEDBACK,
    HANDOFF_CONFIRM,
    NEXT,
    OUTCOME,
    RESOLVED,
    STEP,
    STUCK,
    STUCK_CHOICE,
    WORKED,
    State,
)
from actions.playbooks import playbooks
from tests.helpers import ACCOUNT_TOPICS


def texts(turn) -> str:
    return "\n".join(m.text or m.response for m in turn.messages)


def walk_to_end(state: State, max_turns: int = 30):
    """Presses "Next step" (or the first option) until the walk-through ends."""
    seen = []
    for _ in range(max_turns):
        if state.awaiting == OUTCOME:
            turn = engine.affirm(state)
        elif state.awaiting == STEP:
            turn = engine.next_step(state)
        elif state.awaiting == CHOICE:
            turn = engine.choose(state, "1")
        else:
            return state, seen
        seen.append(turn)
        state = turn.state
    raise AssertionError("walk-through did not end")


@pytest.mark.parametrize("topic", ACCOUNT_TOPICS)
def test_every_topic_starts_and_can_be_walked_to_its_end(topic):
    turn = engine.start(State(), topic)
    assert turn.state.topic == topic
    assert turn.messages, "a topic must say something"
    assert turn.state.awaiting in (STEP, OUTCOME, CHOICE, HANDOFF_CONFIRM)
    final, turns = walk_to_end(turn.state)
    assert final.awaiting in (None, FEEDBACK, HANDOFF_CONFIRM)


def test_steps_are_shown_one_at_a_time_with_buttons():
    turn = engine.start(State(), "recover_password_login")
    path = playbooks()["recover_password_login"].paths["main"]
    first = turn.messages[-1]
    assert first.text.startswith(f"Step 1 of {len(path.steps)}: ")
    assert first.buttons == (NEXT, WORKED, STUCK)
    second = engine.next_step(turn.state)
    assert second.messages[0].text.startswith(f"Step 2 of {len(path.steps)}: ")
    assert second.state.step == 2


def main_path(topic: str):
    return playbooks()[topic].paths["main"]


def test_last_step_asks_did_that_work():
    steps = len(main_path("create_account").steps)
    state = State(topic="create_account", path="main", step=steps - 1, awaiting=STEP)
    turn = engine.next_step(state)
    assert turn.messages[0].text.endswith("Did that work?")
    assert turn.messages[0].buttons == (WORKED, STUCK)
    assert turn.state.awaiting == OUTCOME


def test_yes_at_a_step_moves_on_and_yes_to_did_that_work_ends():
    state = engine.start(State(), "create_account").state
    assert engine.affirm(state).state.step == 2
    steps = len(main_path("create_account").steps)
    last = State(topic="create_account", path="main", step=steps, awaiting=OUTCOME)
    done = engine.affirm(last)
    assert main_path("create_account").done in texts(done)
    assert done.messages[-1].response == "utter_ask_feedback"
    assert done.state.awaiting == FEEDBACK and done.outcome == RESOLVED


def test_that_worked_button_ends_even_mid_way():
    state = engine.start(State(), "recover_password_login").state
    turn = engine.affirm(state, outcome="worked")
    assert main_path("recover_password_login").done in texts(turn)
    assert turn.state.awaiting == FEEDBACK and turn.outcome == RESOLVED


def test_still_stuck_without_step_help_or_choices_offers_a_support_request():
    path = main_path("recover_password_login")
    assert path.steps[0].stuck is None and not path.choices
    state = engine.start(State(), "recover_password_login").state
    turn = engine.deny(state)
    assert [m.response for m in turn.messages] == [
        "utter_sorry_stuck",
        "utter_offer_support_request",
    ]
    assert turn.state.awaiting == HANDOFF_CONFIRM


def test_yes_to_the_offer_asks_where_to_reply_and_no_declines():
    offered = engine.handoff_requested(State(topic="delete_account"))
    assert offered.state.awaiting == HANDOFF_CONFIRM
    accepted = engine.affirm(offered.state)
    # the contact form asks for the reply address, then the request is opened
    assert accepted.followup == engine.CONTACT_FORM and accepted.state.awaiting is None
    declined = engine.deny(offered.state)
    assert declined.followup is None
    assert declined.messages[0].response == "utter_no_request"


def test_stuck_on_the_change_step_points_to_the_linked_elsewhere_topic():
    steps = len(main_path("change_microsoft_account").steps)
    state = State(topic="change_microsoft_account", path="main", step=steps, awaiting=OUTCOME)
    turn = engine.deny(state)
    assert turn.state.awaiting == STUCK_CHOICE
    moved = engine.choose(turn.state, "1")
    assert moved.state.topic == "microsoft_account_linked_elsewhere"
    assert moved.state.step == 1


def test_linked_elsewhere_offers_the_ways_out_as_choices():
    state = engine.start(State(), "microsoft_account_linked_elsewhere").state
    while state.awaiting == STEP:
        state = engine.next_step(state).state
    assert state.awaiting == CHOICE
    targets = [c.goto for c in main_path("microsoft_account_linked_elsewhere").choices]
    keep_both = targets.index("microsoft_account_linked_elsewhere/keep_both") + 1
    chosen = engine.choose(state, str(keep_both))
    assert chosen.state.path == "keep_both"
    assert "third Microsoft account" in texts(chosen)


def test_delete_the_other_account_continues_with_the_deletion_steps():
    path = playbooks()["microsoft_account_linked_elsewhere"].paths["delete_other"]
    state = State(
        topic="microsoft_account_linked_elsewhere",
        path="delete_other",
        step=len(path.steps),
        awaiting=STEP,
    )
    turn = engine.next_step(state)
    assert turn.state.topic == "delete_account"


def test_transform_goes_through_manage_organizations():
    turn = engine.start(State(), "transform_to_organization")
    assert "Manage Organizations" in texts(turn) or "Manage Organizations" in " ".join(
        s.text for s in main_path("transform_to_organization").steps
    )


def test_change_username_is_a_request_to_support_from_the_accounts_address():
    state = engine.start(State(), "change_username").state
    final, _ = walk_to_end(state)
    said = " ".join(s.text for s in main_path("change_username").steps)
    assert "support@nuget.org" in said


def test_unknown_choice_reshows_the_options():
    state = engine.start(State(), "unmanaged_aad_tenant").state
    while state.awaiting == STEP:
        state = engine.next_step(state).state
    again = engine.choose(state, "7")
    assert again.state == state
    assert len(again.messages[0].buttons) == len(main_path("unmanaged_aad_tenant").choices)
    assert engine.choose(State(), "1").messages[0].response == "utter_no_options"


def test_next_at_did_that_work_asks_it_again_and_resolves_nothing():
    steps = len(main_path("create_account").steps)
    state = State(topic="create_account", path="main", step=steps, awaiting=OUTCOME)
    turn = engine.next_step(state)
    assert turn.state == state and turn.outcome is None
    assert turn.messages[0].text.endswith("Did that work?")


def test_next_step_outside_a_walk_through_says_so():
    assert engine.next_step(State()).messages[0].response == "utter_no_active_steps"


RANKING = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "greet", "confidence": 0.3},
    {"name": "delete_account", "confidence": 0.2},
    {"name": "change_username", "confidence": 0.1},
    {"name": "create_account", "confidence": 0.05},
]


def test_fallback_first_offers_the_two_likeliest_topics_then_gives_up():
    first = engine.fallback(State(), RANKING)
    assert first.state.awaiting == DID_YOU_MEAN
    assert [b[1] for b in first.messages[0].buttons] == [
        "/delete_account",
        "/change_username",
        "/deny",
    ]
    second = engine.fallback(first.state, RANKING)
    assert second.messages[0].response == "utter_cannot_help"
    assert second.state.awaiting == HANDOFF_CONFIRM
    assert second.state.fallbacks == 0


def test_yes_to_did_you_mean_starts_the_first_guess_and_no_asks_to_rephrase():
    asked = engine.fallback(State(), RANKING).state
    assert engine.affirm(asked).state.topic == "delete_account"
    assert engine.deny(asked).messages[0].response == "utter_ask_rephrase"


def test_understood_topic_resets_the_fallback_count():
    asked = engine.fallback(State(), RANKING).state
    assert engine.start(asked, "create_account").state.fallbacks == 0


def test_yes_and_no_out_of_context():
    assert engine.affirm(State()).messages[0].response == "utter_how_can_i_help"
    assert engine.deny(State()).messages[0].response == "utter_nothing_else"


@pytest.mark.parametrize("word, index", [("1", 1), ("second", 2), ("Two", 2), ("3rd", 3)])
def test_choice_words(word, index):
    state = engine.start(State(), "unmanaged_aad_tenant").state
    while state.awaiting == STEP:
        state = engine.next_step(state).state
    assert state.awaiting == CHOICE
    if index <= 2:
        expected = ["admin_takeover", "no_takeover"][index - 1]
        assert engine.choose(state, word).state.path == expected
    else:
        assert engine.choose(state, word).state.path == "main"


def test_the_email_topic_asks_whether_to_confirm_or_change_before_any_step():
    """ "I need to confirm my email" and "change my email" are one topic: its steps for
    changing the address used to come first, whatever was asked."""
    turn = engine.start(State(), "confirm_or_change_email")
    assert turn.state.awaiting == CHOICE
    titles = [title for title, _ in turn.messages[-1].buttons]
    assert titles[:2] == ["1. Confirm my address", "2. Change the address"]
    confirm = engine.choose(turn.state, "1")
    assert confirm.state.path == "confirm" and "confirmed" in texts(confirm)
    assert engine.choose(turn.state, "2").state.path == "change"
