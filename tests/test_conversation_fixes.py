"""Specific answers, "that worked", wrong guesses and a new question at a prompt, over REST
against the real servers and the trained model."""

from __future__ import annotations

import uuid

import pytest

from actions.knowledge import knowledge
from actions.playbooks import playbooks

pytestmark = pytest.mark.model


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(reply) -> list:
    return [b["payload"] for b in reply.get("buttons") or []]


def first_asks(topic: str, count: int):
    """The first question of each of the topic's first `count` facts that have questions."""
    facts = [f for f in knowledge().topics[topic].facts.values() if f.asks]
    return [(f.asks[0], f) for f in facts[:count]]


@pytest.mark.parametrize("topic", sorted(knowledge().topics))
def test_three_specific_questions_per_topic_get_their_fact_first(assistant, topic):
    """A question about one fact gets that fact (with its source) in the first reply, then
    the offer of the whole walk-through."""
    answered = 0
    asked = first_asks(topic, 4)
    for question, fact in asked:
        replies = assistant.say(sender(), question)
        if replies and fact.says in (replies[0].get("text") or ""):
            assert "Source: https://" in replies[0]["text"]
            assert payloads(replies[-1]) == ["/affirm", "/deny"]
            answered += 1
    assert answered >= min(3, len(asked)), f"{answered} of {len(asked)}"


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
    assert "Is it one of these?" in texts(corrected) or "other words" in texts(corrected)


def test_owner_removal_is_not_account_deletion(assistant):
    said = texts(assistant.say(sender(), "Please remove me as owner of the NuGet package"))
    assert playbooks()["delete_account"].paths["main"].intro not in said


def test_a_new_question_at_the_address_prompt_starts_that_topic(assistant):
    user = sender()
    # the tenant check asks for an address of anyone (no sign-in needed)
    asked = assistant.say(user, "sign-in with my company email fails, unmanaged azure ad tenant")
    assert playbooks()["unmanaged_aad_tenant"].ask in texts(asked)
    moved = assistant.say(user, "my api key expired")
    said = texts(moved)
    assert playbooks()["unmanaged_aad_tenant"].ask not in said
    assert "That doesn't look like" not in said
