"""Specific answers, "that worked" in any wording, wrong guesses and "still stuck" help."""

from __future__ import annotations

from dataclasses import replace

import pytest

from actions import engine
from actions.engine import (
    CHOICE,
    DID_YOU_MEAN,
    FEEDBACK,
    HANDOFF_CONFIRM,
    OFFER_WALKTHROUGH,
    RESOLVED,
    START_WALKTHROUGH,
    STEP,
    STUCK_CHOICE,
    State,
)
from actions.knowledge import knowledge
from actions.playbooks import playbooks


def texts(turn) -> str:
    return "\n".join(m.text or m.response for m in turn.messages)


def a_multi_step_topic() -> str:
    return next(t for t, b in playbooks().items() if len(b.paths["main"].steps) >= 3)


@pytest.mark.parametrize(
    "said",
    ["thanks, that worked!", "yes it works now", "fixed it", "All good now, cheers", "solved"],
)
def test_that_worked_in_any_wording_ends_the_walk_through_at_any_step(said):
    topic = a_multi_step_topic()
    first = engine.start(State(), topic).state
    assert first.awaiting == STEP and first.step == 1
    steps = len(playbooks()[topic].paths["main"].steps)
    for number in range(1, steps + 1):
        at = replace(first, step=number)
        for turn in (engine.affirm(at, None, said), engine.thanks(at, said)):
            assert turn.state.awaiting == FEEDBACK and turn.outcome == RESOLVED, number
            assert turn.messages[-1].response == "utter_ask_feedback"
            assert f"Step {number + 1}" not in texts(turn)


@pytest.mark.parametrize("said", ["yes", "ok next", "it didn't work", "still not working"])
def test_a_plain_yes_or_a_failure_does_not_count_as_worked(said):
    assert not engine.said_it_worked(said)


def test_a_plain_thanks_keeps_the_place_in_the_walk_through():
    first = engine.start(State(), a_multi_step_topic()).state
    turn = engine.thanks(first, "thanks")
    assert turn.state == first
    assert turn.messages[0].response == "utter_thanks"


def test_a_specific_answer_cites_its_source_then_offers_the_walk_through():
    known = knowledge()
    fact = known.topics["delete_account"].facts["packages_not_deleted"]
    turn = engine.answer_fact(State(), "delete_account", fact.says, known.source_url(fact))
    assert fact.says in turn.messages[0].text
    assert "https://learn.microsoft.com/nuget/" in turn.messages[0].text
    assert turn.state.awaiting == OFFER_WALKTHROUGH
    accepted = engine.affirm(turn.state)
    assert accepted.followup == START_WALKTHROUGH and accepted.state.topic == "delete_account"
    declined = engine.deny(turn.state)  # "No, that's all"
    assert declined.state.awaiting == FEEDBACK and declined.outcome is None
    assert declined.messages[0].response == "utter_ask_feedback"


def test_an_undocumented_question_is_answered_honestly_with_a_support_offer():
    turn = engine.answer_unknown(State(), "delete_account")
    assert turn.messages[0].response == "utter_not_in_docs"
    assert turn.state.awaiting == HANDOFF_CONFIRM
    assert engine.affirm(turn.state).followup == engine.CONTACT_FORM


def test_a_wrong_guess_shows_the_likely_alternatives():
    started = engine.start(State(), "delete_account").state
    guessed = engine.State(**{**started.__dict__, "suggestions": ("manage_package_owners",)})
    turn = engine.wrong_topic(guessed)
    assert turn.state.awaiting == DID_YOU_MEAN
    assert ("/manage_package_owners") in [p for _, p in turn.messages[0].buttons]
    assert engine.affirm(turn.state).state.topic == "manage_package_owners"


def test_a_wrong_guess_without_alternatives_asks_to_rephrase():
    turn = engine.wrong_topic(engine.start(State(), "delete_account").state)
    assert turn.messages[0].response == "utter_ask_rephrase"
    assert turn.state.awaiting is None


def test_still_stuck_shows_the_remedies_or_choices_before_support_on_every_step():
    """Every step of every path: its own help (with its choices), else the path's choices; a
    support request comes first only where neither has any."""
    offered_choices = 0
    for topic, book in playbooks().items():
        for name, path in book.paths.items():
            for number, step in enumerate(path.steps, start=1):
                state = State(topic=topic, path=name, step=number, awaiting=STEP)
                turn = engine.stuck(state)
                help_ = step.stuck or path.stuck
                where = f"{topic}/{name} step {number}"
                if help_:
                    assert turn.messages[0].text.startswith(help_.text), where
                if help_ and help_.choices:
                    assert turn.state.awaiting == STUCK_CHOICE, where
                elif path.choices:
                    assert turn.state.awaiting == CHOICE, where
                else:
                    assert turn.state.awaiting == HANDOFF_CONFIRM, where
                offered_choices += turn.state.awaiting in (CHOICE, STUCK_CHOICE)
    assert offered_choices >= 20


def test_a_locked_account_goes_to_support_in_any_topic():
    state = State(topic="create_account")
    turn = engine.apply_finding(state, engine.LOCKED, {})
    assert turn.messages[0].response == "utter_account_locked"
    assert turn.state.awaiting == HANDOFF_CONFIRM
