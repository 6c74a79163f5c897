"""The knowledge base (knowledge/) is well formed: every fact cites a known source."""

from __future__ import annotations

import re

import pytest

from tests.helpers import SOURCES, TOPICS

KEYS = ["topic", "title", "group", "faq_section", "faq_section_2019", "facts", "links"]
SECTION = re.compile(r"^[a-z0-9-]+$")


def test_there_are_the_21_topics_of_the_three_groups():
    groups = [body["group"] for body in TOPICS.values()]
    assert len(TOPICS) == 21
    assert (groups.count("faq"), groups.count("beyond_faq"), groups.count("triage")) == (10, 10, 1)


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_topic_file_is_complete(topic):
    body = TOPICS[topic]
    assert [key for key in KEYS if key in body] == KEYS
    assert body["topic"] == topic and 0 < len(body["title"]) <= 40
    ids = [fact["id"] for fact in body["facts"]]
    assert ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_fact_cites_a_known_source(topic):
    for fact in TOPICS[topic]["facts"]:
        source, _, section = fact["source"].partition("#")
        assert source in SOURCES, f"{topic}/{fact['id']}: {source}"
        assert not section or SECTION.match(section), f"{topic}/{fact['id']}: #{section}"
        assert fact["says"].strip()


def test_every_source_has_a_public_address():
    for name, source in SOURCES.items():
        assert source["url"].startswith("https://"), name


def test_superseded_statements_come_with_phrases_to_look_for():
    for topic, body in TOPICS.items():
        for old in body.get("superseded") or ():
            assert old["phrases"] and all(p == p.lower() for p in old["phrases"]), topic
