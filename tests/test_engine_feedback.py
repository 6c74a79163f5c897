""" "Did this help?" and the outcome markers, in the engine without Rasa."""

from __future__ import annotations

import pytest

from actions import engine, questions
from actions.engine import (
    FEEDBACK,
    FEEDBACK_FORM,
    HANDOFF_CONFIRM,
    OFFER_WALKTHROUGH,
    OUTCOME,
    REFUSED,
    RESOLVED,
    STEP,
    THUMBS_DOWN,
    THUMBS_UP,
    State,
)
from actions.out_of_scope import out_of_scope
from actions.playbooks import playbooks

LAST = State(topic="create_account", path="main", step=5, awaiting=OUTCOME)
ASKED = State(topic="create_account", path="main", step=5, awaiting=FEEDBACK)


def responses(turn) -> list:
    return [m.response or m.text for m in turn.messages]


def test_that_worked_gives_the_done_text_then_did_this_help_and_marks_it_resolved():
    turn = engine.affirm(LAST, "worked")
    done = playbooks()["create_account"].paths["main"].done
    assert responses(turn) == [done, "utter_ask_feedback"]
    assert turn.messages[-1].buttons == (THUMBS_UP, THUMBS_DOWN)
    assert turn.state == ASKED and turn.outcome == RESOLVED


def test_that_worked_on_a_path_without_closing_words_gets_a_short_close():
    bare = [(t, n) for t, p in playbooks().items() for n, path in p.paths.items() if not path.done]
    assert bare, "every path has closing words: this test has nothing to check"
    topic, path = bare[0]
    turn = engine.affirm(State(topic=topic, path=path, step=1, awaiting=OUTCOME), "worked")
    assert responses(turn) == ["utter_glad_it_worked", "utter_ask_feedback"]
    assert turn.outcome == RESOLVED


def test_the_buttons_are_a_thumbs_up_and_a_thumbs_down_with_the_contracts_payloads():
    assert THUMBS_UP[0].startswith("👍") and THUMBS_DOWN[0].startswith("👎")
    assert THUMBS_UP[1] == '/feedback{"helpful": "yes"}'
    assert THUMBS_DOWN[1] == '/feedback{"helpful": "no"}'


def test_every_way_of_saying_it_worked_is_resolved():
    at_step = State(**{**LAST.__dict__, "awaiting": STEP})
    said = (engine.thanks(at_step, "thanks, it worked!"), engine.affirm(at_step, None, "fixed it"))
    for turn in (engine.affirm(LAST), *said):
        assert turn.outcome == RESOLVED and turn.state.awaiting == FEEDBACK


def test_no_thats_all_after_a_specific_answer_asks_did_this_help_without_an_outcome():
    answered = State(topic="delete_account", awaiting=OFFER_WALKTHROUGH)
    turn = engine.deny(answered)
    assert responses(turn) == ["utter_ask_feedback"]
    assert turn.state == State(topic="delete_account", awaiting=FEEDBACK)
    assert turn.outcome is None  # an answer the user did not confirm


def test_a_thumbs_up_gets_thanks_and_anything_else():
    turn = engine.feedback(ASKED, "yes")
    assert responses(turn) == ["utter_feedback_thanks"]
    assert turn.state.awaiting is None and turn.state.topic == "create_account"
    assert turn.followup is None and turn.outcome is None


def test_a_plain_thanks_at_did_this_help_closes_the_question_without_a_rating():
    turn = engine.thanks(ASKED, "thanks!")
    assert responses(turn) == ["utter_thanks"]
    assert turn.state.awaiting is None and turn.state.topic == "create_account"
    assert turn.feedback is None and turn.followup is None


@pytest.mark.parametrize(
    "typed, rating",
    [
        ("that helped, thanks", "up"),
        ("thanks, very useful", "up"),
        ("thanks anyway, but it didn't help", "down"),
        ("thanks but not helpful", "down"),
    ],
)
def test_a_thanks_that_rates_the_answer_at_did_this_help_counts_as_that_rating(typed, rating):
    turn = engine.thanks(ASKED, typed)
    assert turn.feedback == rating and turn.state.awaiting is None


def test_a_thanks_elsewhere_is_not_a_rating():
    at_step = State(**{**LAST.__dict__, "awaiting": STEP})
    turn = engine.thanks(at_step, "that helped, thanks")
    assert turn.feedback is None and turn.state == at_step


def test_a_thumbs_down_asks_for_a_comment_then_offers_a_person():
    turn = engine.feedback(ASKED, "no")
    assert turn.messages == () and turn.followup == FEEDBACK_FORM
    assert turn.state.awaiting is None
    noted = engine.feedback_noted(turn.state)
    assert responses(noted) == ["utter_feedback_noted", "utter_offer_support_request"]
    assert noted.state.awaiting == HANDOFF_CONFIRM and noted.state.topic == "create_account"


@pytest.mark.parametrize(
    "typed, helpful",
    [
        ("that was helpful", "yes"),
        ("great answer", "yes"),
        ("not helpful", "no"),
        ("unhelpful", "no"),
        ("the answer was useless", "no"),
        ("the steps didn't match the site", "no"),
    ],
)
def test_typed_feedback_without_a_button_is_read_from_its_words(typed, helpful):
    assert engine.helpful_in(typed) == helpful
    turn = engine.feedback(ASKED, None, typed)
    assert (turn.followup == FEEDBACK_FORM) == (helpful == "no")


def test_a_typed_yes_or_no_answers_did_this_help():
    assert engine.affirm(ASKED).messages[0].response == "utter_feedback_thanks"
    assert engine.deny(ASKED).followup == FEEDBACK_FORM


def test_the_feedback_question_has_its_own_id_and_is_asked_again_for_a_stale_button():
    ids = {questions.question_of(s) for s in (ASKED, LAST, State(awaiting=FEEDBACK))}
    assert len(ids) == 3
    (again,) = engine.current_question(ASKED)
    assert again.response == "utter_ask_feedback" and again.buttons == (THUMBS_UP, THUMBS_DOWN)
    stale = engine.stale_button(ASKED)
    assert responses(stale) == ["utter_stale_button", "utter_ask_feedback"]
    assert stale.state == ASKED


def test_out_of_scope_is_refused_and_a_plain_offer_is_no_outcome():
    turn = out_of_scope(State(), "what's the weather in Seattle?")
    assert turn.outcome == REFUSED and turn.state.awaiting == HANDOFF_CONFIRM
    assert engine.handoff_requested(State()).outcome is None
    assert engine.deny(LAST).outcome is None  # still stuck


def test_an_option_that_ends_the_walkthrough_asks_did_this_help_too():
    """ "That's it, thanks" or "I'll keep my username" end a walk-through as "That worked"
    does, but say nothing of a fix: feedback is asked, no outcome is marked."""
    topic = "find_linked_microsoft_account"
    values = {
        "username": "jdoe",
        "login_kind": "personal account",
        "login_email_masked": "j***e@x.com",
    }
    found = engine.apply_finding(State(topic=topic), "linked", values)
    choices = playbooks()[topic].findings["linked"].choices
    ending = next(i for i, c in enumerate(choices, 1) if c.goto == "done")
    turn = engine.choose(found.state, str(ending))
    assert responses(turn) == ["utter_ask_feedback"]
    assert turn.state.awaiting == FEEDBACK and turn.outcome is None
