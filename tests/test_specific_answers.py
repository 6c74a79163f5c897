"""Which fact a specific question asks: matching against the knowledge base's `asks`."""

from __future__ import annotations

import pytest

from actions import specific_answers
from actions.knowledge import Fact, Unknown, knowledge


def test_each_fact_question_of_the_knowledge_base_finds_its_own_fact():
    misses = []
    for topic in knowledge().topics.values():
        for fact in topic.facts.values():
            for ask in filter(specific_answers.is_question, fact.asks):
                found = specific_answers.specific_answer(topic.id, ask)
                if not (isinstance(found, Fact) and found.says == fact.says):
                    misses.append((topic.id, ask))
    assert not misses, misses[:5]


def test_an_undocumented_question_is_recognised_as_such():
    topic = knowledge().topics["delete_account"]
    found = specific_answers.specific_answer("delete_account", topic.not_in_docs[0].question)
    assert isinstance(found, Unknown)


@pytest.mark.parametrize("text", ["", "/delete_account", "x" * 5000, "🙂🙂🙂", "<script>"])
def test_payloads_stories_and_noise_get_the_walk_through(text):
    assert specific_answers.specific_answer("delete_account", text) is None


def test_an_unknown_topic_has_no_specific_answers():
    assert specific_answers.specific_answer("no_such_topic", "how long does it take?") is None


def test_a_problem_statement_gets_the_walk_through_not_one_fact():
    for topic in knowledge().topics.values():
        title = topic.title.lower()
        assert specific_answers.specific_answer(topic.id, f"I need help: {title}") is None


@pytest.mark.parametrize(
    "topic, asked",
    [
        ("delete_account", "how do I delete my account"),  # took "packages are not deleted"
        ("delete_account", "how do i delete my nuget account?"),
        ("change_username", "how do I change my username?"),
    ],
)
def test_a_whole_task_request_without_the_sites_name_gets_the_walk_through(topic, asked):
    assert specific_answers.specific_answer(topic, asked) is None


@pytest.mark.parametrize(
    "text, question",
    [
        ("is the username case sensitive", True),
        ("How long does it take?", True),
        ("does the old key still work after I regenerate it", True),
        ("my push fails with 403", False),
        ("please delete my account", False),
    ],
)
def test_only_questions_are_taken_for_specific_questions(text, question):
    assert specific_answers.is_question(text) is question


def test_a_neighbouring_topics_fact_answers_when_it_fits_better():
    question = "Is the username case sensitive?"
    found = specific_answers.specific_answer_among(("change_username", "create_account"), question)
    assert found and found[0] == "create_account"
    assert "case sensitive" in found[1].says


def test_a_walk_through_request_of_the_likeliest_topic_is_not_taken_for_a_neighbours_fact():
    request = "I'd like to change my nuget username, how?"
    topics = ("change_username", "create_account")
    assert specific_answers.scored("change_username", request)[1] is None
    assert specific_answers.specific_answer_among(topics, request) is None


def test_the_walk_through_side_takes_the_first_examples_of_a_large_topic_only():
    """The walk-through's nearness is a maximum: more examples would raise it by chance."""
    topic = "delete_account"
    assert len(specific_answers.nlu_examples(topic)) > specific_answers.MAX_WALKTHROUGH_EXAMPLES
    index = specific_answers.build_index(knowledge(), topic)
    walkthrough = [vector for vector, answer in index.vectors if answer is None]
    forms = 2 * len(specific_answers.WALKTHROUGH_FORMS)  # with and without the site's name
    assert len(walkthrough) == forms + specific_answers.MAX_WALKTHROUGH_EXAMPLES
