"""Typed answers to the question on screen (actions/typed_replies.py), without Rasa: the same
turn as the button they name, and a step's asked-for text noted instead of read as a question."""

from __future__ import annotations

import pytest

from actions import engine
from actions.engine import CHOICE, DID_YOU_MEAN, FEEDBACK, OFFER_WALKTHROUGH, STEP, State
from actions.typed_replies import NEW_QUESTION, typed_turn

LOCKED = "account_locked_or_signin_error"
OTHER = "out_of_scope"  # the classifier's guess for most short answers


def responses(turn) -> list:
    return [m.response for m in turn.messages if m.response]


def at_choices() -> State:
    """The sign-in error triage after its two steps: "Which of these does your message look
    like?" with five numbered options."""
    state = engine.go_to(State(), LOCKED).state
    state = engine.next_step(engine.next_step(state).state).state
    assert state.awaiting == CHOICE
    return state


@pytest.mark.parametrize("typed", ["2", "2.", "second", "two", " 2 "])
def test_the_number_of_an_option_chooses_it(typed):
    state = at_choices()
    assert typed_turn(state, typed, OTHER) == engine.choose(state, "2")


def test_an_options_words_choose_it_without_its_number():
    state = at_choices()
    chosen = typed_turn(state, "Unmanaged tenant, company domain", OTHER)
    assert chosen == engine.choose(state, "1")
    assert chosen.state.topic == "unmanaged_aad_tenant"


def test_a_number_beyond_the_options_asks_again_with_them():
    state = at_choices()
    turn = typed_turn(state, "7", OTHER)
    assert turn.state == state and turn.messages[0].text == "Please pick one of these:"


def test_none_of_these_is_the_no_options_take():
    did_you_mean = State(awaiting=DID_YOU_MEAN, suggestions=("delete_account",), fallbacks=1)
    assert typed_turn(did_you_mean, "none of those", OTHER) == engine.deny(did_you_mean)
    assert responses(typed_turn(did_you_mean, "Neither!", OTHER)) == ["utter_ask_rephrase"]


def test_a_buttons_words_typed_are_that_button():
    offered = State(topic="delete_account", awaiting=OFFER_WALKTHROUGH)
    turn = typed_turn(offered, "No, that's all", "wrong_topic")
    assert turn == engine.deny(offered) and turn.state.awaiting == FEEDBACK


@pytest.mark.parametrize("typed, rating", [("👍", "up"), ("👎", "down"), ("👎 no", "down")])
def test_a_thumbs_emoji_typed_rates_the_answer(typed, rating):
    asked = State(topic="delete_account", awaiting=FEEDBACK)
    assert typed_turn(asked, typed, OTHER).feedback == rating


def in_steps(step: int = 2) -> State:
    state = engine.go_to(State(), "create_account").state  # five steps
    for _ in range(step - 1):
        state = engine.next_step(state).state
    assert state.awaiting in (STEP, engine.OUTCOME) and state.step == step
    return state


@pytest.mark.parametrize("typed", ["what?", "?", "Say that again", "huh", "🤷", "..."])
def test_what_repeats_the_step_and_changes_nothing(typed):
    state = in_steps()
    turn = typed_turn(state, typed, OTHER)
    assert turn.state == state and turn.messages == engine.current_question(state)


@pytest.mark.parametrize("typed", ["go back", "Previous step", "back please"])
def test_go_back_shows_the_step_before(typed):
    turn = typed_turn(in_steps(3), typed, OTHER)
    assert turn.state.step == 2 and turn.messages[0].text.startswith("Step 2 of")


def test_go_back_at_the_first_step_stays_there():
    state = in_steps(1)
    assert typed_turn(state, "go back", OTHER).state == state


@pytest.mark.parametrize("typed", ["cancel", "stop", "Start over", "never mind", "menu"])
def test_stop_leaves_the_steps_and_asks_what_is_wrong(typed):
    turn = typed_turn(in_steps(), typed, "delete_account")  # "cancel" looked like deletion
    assert responses(turn) == ["utter_walkthrough_stopped"] and turn.state == State()


def test_a_question_typed_in_the_steps_is_left_to_the_classifier():
    question = "how do I add a co-owner to my package instead?"
    assert typed_turn(in_steps(), question, "manage_package_owners") is None
    assert typed_turn(in_steps(), "/next_step", "next_step") is None  # a payload
    assert typed_turn(State(), "2", OTHER) is None  # nothing is asked


PASTED = 'Error: "Your account is locked. Please contact support@nuget.org" when signing in'


def test_the_text_a_step_asks_for_is_noted_and_the_steps_go_on():
    state = engine.go_to(State(), LOCKED).state  # step 1: paste the message
    turn = typed_turn(state, PASTED, LOCKED)
    assert responses(turn)[0] == "utter_reply_noted"
    assert turn.state.step == 2 and turn.state.topic == LOCKED
    after = typed_turn(turn.state, "yesterday around 3pm, while signing in", OTHER)
    assert responses(after) == ["utter_reply_noted"] and after.state.awaiting == CHOICE


def test_a_username_asked_for_leads_to_the_support_offer():
    state = engine.choose(at_choices(), "4").state  # "It says something is locked"
    assert state.path == "locked" and engine.takes_reply(state)
    turn = typed_turn(state, "MyNuGetAccount1", "inform")
    assert responses(turn)[0] == "utter_reply_noted"
    assert turn.state.awaiting == engine.HANDOFF_CONFIRM


@pytest.mark.parametrize("intent", ["human_handoff", NEW_QUESTION])
def test_a_person_or_a_clear_new_question_is_not_a_steps_text(intent):
    state = engine.go_to(State(), LOCKED).state
    assert typed_turn(state, "I would rather talk to a person about this", intent) is None


def test_a_step_that_asks_nothing_takes_no_text():
    assert not engine.takes_reply(in_steps())
    assert typed_turn(in_steps(), PASTED, OTHER) is None


@pytest.mark.parametrize("typed", ["kind of", "Sort of.", "partially", "not really", "maybe"])
def test_half_a_yes_is_still_stuck(typed):
    state = in_steps(5)  # the last step: "Did that work?"
    assert state.awaiting == engine.OUTCOME
    turn = typed_turn(state, typed, "confirm_or_change_email")  # "kind of" looked like email
    assert turn == engine.deny(state) and turn.outcome is None


def test_what_at_any_question_asks_it_again():
    offered = engine.offer_support_request(in_steps()).state
    turn = typed_turn(offered, "what?", "out_of_scope")
    assert turn.state == offered and turn.messages == engine.current_question(offered)


def test_a_long_options_words_choose_it():
    state = engine.go_to(State(), "push_forbidden_api_key").state
    while state.awaiting == STEP:
        state = engine.next_step(state).state
    titles = [title for m in engine.current_question(state) for title, _ in m.buttons]
    longest = max(titles, key=len).split(". ", 1)[1]
    assert len(longest.split()) > 6, "no long option left to test"
    number = next(t for t in titles if t.endswith(longest)).split(".")[0]
    assert typed_turn(state, longest, OTHER) == engine.choose(state, number)


@pytest.mark.parametrize(
    "typed, step", [("go back to the previous step please", 2), ("can I go back", 2)]
)
def test_go_back_in_other_words(typed, step):
    assert typed_turn(in_steps(3), typed, OTHER).state.step == step


@pytest.mark.parametrize("typed", ["show me the main menu", "can I go back to the menu"])
def test_the_menu_in_other_words_leaves_the_steps(typed):
    assert typed_turn(in_steps(), typed, OTHER).state == State()


@pytest.mark.parametrize(
    "typed",
    ["back up my packages", "stop sending me emails", "start over with a new account", "menu bar"],
)
def test_a_question_that_starts_with_a_command_word_is_a_question(typed):
    assert typed_turn(in_steps(), typed, "confirm_or_change_email") is None


@pytest.mark.parametrize("typed, index", [("4", 3), ("fourth", 3), ("#2", 1), ("option 2", 1)])
def test_more_ways_to_name_an_option(typed, index):
    state = at_choices()
    assert typed_turn(state, typed, OTHER) == engine.choose(state, str(index + 1))


def test_a_number_picks_a_did_you_mean_topic():
    asked = State(awaiting=DID_YOU_MEAN, suggestions=("delete_account", "create_account"))
    assert typed_turn(asked, "2", OTHER).state.topic == "create_account"


def test_did_this_help_answered_half_or_with_being_done():
    asked = State(topic="delete_account", awaiting=FEEDBACK)
    assert typed_turn(asked, "kind of", OTHER).feedback == "down"  # what was missing?
    done = typed_turn(asked, "No, that\u2019s all", "wrong_topic")  # a phone's apostrophe
    assert responses(done) == ["utter_nothing_else"] and done.feedback is None
    assert done.state.awaiting is None


def test_still_stuck_when_a_person_is_offered_is_a_yes():
    offered = engine.offer_support_request(in_steps()).state
    assert typed_turn(offered, "still stuck", "deny") == engine.affirm(offered)


def test_next_while_another_question_is_open_asks_it_again():
    offered = engine.offer_support_request(in_steps()).state
    assert engine.next_step(offered) == engine.again(offered)


@pytest.mark.parametrize("typed", ["²", "①", "#²", "option ③"])
def test_digits_int_cannot_read_are_no_option_and_no_crash(typed):
    state = at_choices()
    turn = typed_turn(state, typed, OTHER)
    assert turn is None or turn.state == state


@pytest.mark.parametrize(
    "typed",
    [
        "can I reset it?",
        "can I cancel it?",
        "could you cancel it",
        "I want to cancel it",
        "I'd like to cancel that",
        "can I restart it",
    ],
)
def test_a_question_about_cancelling_something_is_not_a_command(typed):
    assert typed_turn(in_steps(), typed, "delete_account") is None


@pytest.mark.parametrize("typed", ["pls stop", "ok cancel", "stop now", "cancel thx", "home"])
def test_short_forms_of_stop_leave_the_steps(typed):
    assert typed_turn(in_steps(), typed, "delete_account").state == State()


@pytest.mark.parametrize("awaiting", [engine.HANDOFF_CONFIRM, FEEDBACK, OFFER_WALKTHROUGH])
def test_stop_leaves_any_question(awaiting):
    asked = State(topic="delete_account", awaiting=awaiting)
    assert responses(typed_turn(asked, "cancel", "delete_account")) == ["utter_walkthrough_stopped"]


def test_plain_yes_and_no_to_an_offer():
    offered = State(topic="delete_account", awaiting=OFFER_WALKTHROUGH)
    assert typed_turn(offered, "go ahead", "delete_account") == engine.affirm(offered)
    assert typed_turn(offered, "i'm good", "delete_account") == engine.deny(offered)
    person = engine.offer_support_request(in_steps()).state
    assert typed_turn(person, "not really", OTHER) == engine.deny(person)  # no request


def test_i_think_so_to_did_that_work_is_resolved():
    turn = typed_turn(in_steps(5), "i think so", OTHER)
    assert turn.outcome == engine.RESOLVED


def test_got_it_at_a_step_moves_on_without_resolving():
    turn = typed_turn(in_steps(2), "got it", "microsoft_account_deleted")
    assert turn.state.step == 3 and turn.outcome is None


def test_step_navigation_by_number_and_skip():
    assert typed_turn(in_steps(3), "go to step 1", "next_step").state.step == 1
    assert typed_turn(in_steps(3), "first step", OTHER).state.step == 1
    assert typed_turn(in_steps(3), "skip this step", OTHER).state.step == 4
    assert typed_turn(in_steps(3), "step 9", OTHER).state.step == 3  # no such step


def test_the_number_after_the_topics_is_something_else():
    asked = State(awaiting=DID_YOU_MEAN, suggestions=("delete_account", "create_account"))
    assert responses(typed_turn(asked, "3", OTHER)) == ["utter_ask_rephrase"]


@pytest.mark.parametrize(
    "typed, option", [("locked", 4), ("the locked one", 4), ("admin approval", 3), ("none", 5)]
)
def test_an_option_named_by_some_of_its_words(typed, option):
    state = at_choices()
    assert typed_turn(state, typed, LOCKED) == engine.choose(state, str(option))


def test_next_or_no_at_a_step_asking_for_a_text_is_not_that_text():
    state = engine.go_to(State(), LOCKED).state
    assert typed_turn(state, "next", "next_step") == engine.next_step(state)
    assert typed_turn(state, "no", "deny") is None  # "no": the step's own help, from deny


def test_a_pasted_short_error_stays_in_the_triage():
    state = engine.go_to(State(), LOCKED).state
    noted = typed_turn(state, "Account disabled", "recover_without_microsoft_account")
    assert responses(noted)[0] == "utter_reply_noted" and noted.state.topic == LOCKED


@pytest.mark.parametrize("typed", ["the last one", "last"])
def test_the_last_option(typed):
    state = at_choices()
    assert typed_turn(state, typed, OTHER) == engine.choose(state, "5")


def test_im_good_to_did_that_work_is_a_yes_and_to_an_offer_a_no():
    assert typed_turn(in_steps(5), "i'm good", OTHER).outcome == engine.RESOLVED
    offered = State(topic="delete_account", awaiting=OFFER_WALKTHROUGH)
    assert typed_turn(offered, "i'm good", OTHER) == engine.deny(offered)
