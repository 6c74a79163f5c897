"""The knowledge base (knowledge/) is well formed: every fact cites a known source."""

from __future__ import annotations

import re
import shutil

import pytest

from actions.knowledge import KNOWLEDGE_DIR, KnowledgeError, knowledge, load_knowledge
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


def test_a_fact_names_other_topics_by_their_titles_not_their_ids():
    known = knowledge()
    says = [fact.says for topic in known.topics.values() for fact in topic.facts.values()]
    pointers = [s for s in says if "(see " in s]
    assert pointers, "the knowledge base points between topics"
    for text in pointers:
        assert not any(f"(see {topic})" in text for topic in known.topics), text
    create = known.topics["create_account"].facts.values()
    assert any('(see "Change your username")' in fact.says for fact in create)


def test_a_pointer_to_an_unknown_topic_is_an_error(tmp_path):
    shutil.copytree(KNOWLEDGE_DIR, tmp_path / "knowledge")
    file = tmp_path / "knowledge" / "topics" / "create_account.yml"
    file.write_text(file.read_text().replace("(see change_username)", "(see change_name)"))
    with pytest.raises(KnowledgeError, match="change_name"):
        load_knowledge(tmp_path / "knowledge")
