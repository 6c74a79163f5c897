"""Which fact a specific question asks: matching against the knowledge base's `asks`."""

from __future__ import annotations

import pytest

from actions import specific_answers
from actions.knowledge import Fact, Unknown, knowledge


def test_each_fact_question_of_the_knowledge_base_finds_its_own_fact():
    misses = []
    for topic in knowledge().topics.values():
        for fact in topic.facts.values():
            for ask in fact.asks:
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


def test_a_request_for_the_whole_task_is_not_taken_for_one_fact():
    for topic in knowledge().topics.values():
        title = topic.title.lower()
        assert specific_answers.specific_answer(topic.id, f"how do I {title}") is None, topic.id
