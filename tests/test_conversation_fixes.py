"""Specific answers, "that worked", wrong guesses and a new question at a prompt, over REST
against the real servers and the trained model."""

from __future__ import annotations

import pytest

from actions import specific_answers
from actions.knowledge import knowledge
from actions.playbooks import playbooks
from tests.test_conversations import options, sender, texts

pytestmark = pytest.mark.model


def first_asks(topic: str, count: int):
    """The first question (not a statement) of each of the topic's first `count` facts."""
    asked = []
    for fact in knowledge().topics[topic].facts.values():
        questions = [a for a in fact.asks if specific_answers.is_question(a)]
        asked += [(questions[0], fact)] if questions else []
    return asked[:count]


@pytest.fixture(scope="module")
def specific_results(assistant):
    """Up to five specific questions per topic (the first question-form `asks` of its facts),
    each in a new conversation: did the first reply state that fact, with its source?"""
    results = {}
    for topic in knowledge().topics:
        for question, fact in first_asks(topic, 5):
            replies = assistant.say(sender(), question)
            first = replies[0].get("text") if replies else None
            right = first == fact.says and "Source: https://" in texts(replies)
            if right:
                assert options(replies[-1]) == ["/affirm", "/deny"]  # walk-through offer
            results[(topic, question)] = right
    return results


def test_at_least_three_specific_questions_per_topic_are_asked(specific_results):
    asked = [topic for topic, _ in specific_results]
    assert all(asked.count(topic) >= 3 for topic in knowledge().topics)


def test_specific_questions_get_their_fact_first(specific_results):
    """End to end (the classifier picks the topic, then the fact): every topic answers at
    least three of its questions with their own fact first; the rest get a walk-through or a
    neighbouring topic, never an error."""
    right = sum(specific_results.values())
    assert right / len(specific_results) >= 0.75, f"{right} of {len(specific_results)}"
    for topic in knowledge().topics:
        answered = sum(ok for (t, _), ok in specific_results.items() if t == topic)
        assert answered >= 3, f"{topic}: {answered} answered with their fact"


def test_an_undocumented_question_gets_an_honest_answer_and_a_person(assistant):
    replies = assistant.say(sender(), "How long until my account is deleted?")
    said = texts(replies)
    assert "doesn't say" in said and "Shall I open it?" in said
    assert "Which account" not in said


def test_taking_the_walk_through_after_a_specific_answer(assistant):
    user = sender()
    question, fact = first_asks("manage_api_keys", 1)[0]
    first = assistant.say(user, question)
    assert fact.says in texts(first)
    walked = assistant.say(user, "/affirm")
    intro = playbooks()["manage_api_keys"].paths["main"].intro
    assert (intro or "Step 1") in texts(walked)


def test_thanks_that_worked_after_step_one_closes_the_walk_through(assistant):
    user = sender()
    started = assistant.say(user, "how do I create a nuget account?")
    assert "Step 1 of" in texts(started)
    closed = assistant.say(user, "thanks, that worked!")
    said = texts(closed)
    assert "Step 2" not in said
    assert "anything else" in said.lower()


def test_a_wrong_guess_can_be_corrected(assistant):
    user = sender()
    assistant.say(user, "please remove me as owner of the Contoso.Json package")
    corrected = assistant.say(user, "no, that's not my question")
    assert "Is it one of these?" in texts(corrected)
    offered = options(corrected[-1])
    topics = [p for p in offered if p.lstrip("/") in knowledge().topics]
    assert len(topics) >= 2 and "/manage_package_owners" not in offered, offered


def test_owner_removal_is_not_account_deletion(assistant):
    said = texts(assistant.say(sender(), "Please remove me as owner of the NuGet package"))
    assert playbooks()["delete_account"].paths["main"].intro not in said


def test_a_new_question_at_the_address_prompt_starts_that_topic(assistant):
    user = sender()
    # the tenant check asks for an address of anyone (no sign-in needed)
    asked = assistant.say(user, "login fails with my company email, unmanaged azure ad tenant")
    assert playbooks()["unmanaged_aad_tenant"].ask in texts(asked)
    moved = assistant.say(user, "my api key expired")
    said = texts(moved)
    assert playbooks()["unmanaged_aad_tenant"].ask not in said
    assert "That doesn't look like" not in said


def _steps_of(topic: str, path: str = "main"):
    return [step.text for step in playbooks()[topic].paths[path].steps]


def test_the_sign_in_error_triage_takes_what_it_asks_for(assistant):
    """Its steps ask for the message, the time, the username: typed, each is noted and the
    triage goes on (they used to restart the topic or ask "what's the problem?")."""
    user, topic = sender(), "account_locked_or_signin_error"
    first, second = _steps_of(topic)
    assert first in texts(assistant.say(user, "my nuget.org account is locked"))
    pasted = 'Error: "Your account is locked. Please contact support@nuget.org"'
    said = texts(assistant.say(user, pasted))
    assert "noted" in said and second in said and first not in said
    replies = assistant.say(user, "yesterday around 3pm, while signing in")
    assert "noted" in texts(replies) and len(options(replies[-1])) == 5
    assert _steps_of(topic, "locked")[0] in texts(assistant.say(user, "4"))  # typed, not pressed
    replies = assistant.say(user, "MyNuGetAccount1")
    assert "noted" in texts(replies) and options(replies[-1]) == ["/affirm", "/deny"]


def test_typed_answers_to_the_question_on_screen(assistant):
    user = sender()
    assistant.say(user, "I want to create a nuget.org account")
    assistant.say(user, "next step")
    shown = texts(assistant.say(user, "next step"))
    assert shown.startswith("Step 3 of")
    assert texts(assistant.say(user, "what?")) == shown  # asked again, nothing changes
    assert texts(assistant.say(user, "go back")).startswith("Step 2 of")
    said = texts(assistant.say(user, "cancel"))  # was taken for account deletion
    assert "stopped" in said and "Step" not in said
