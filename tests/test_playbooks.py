"""The playbooks are complete, consistent and traceable to the project's knowledge base."""

from __future__ import annotations

import difflib
import re

import pytest
import yaml

from actions.account_check import CHECKS
from actions.knowledge import load_knowledge
from actions.playbooks import (
    DONE,
    HANDOFF,
    PLAYBOOK_DIR,
    PlaybookError,
    fill_links,
    load_playbooks,
    parse_playbook,
    split_target,
)
from tests.helpers import ACCOUNT_TOPICS, KNOWLEDGE, ROOT, SOURCES, TOPICS
from tools import topic_rules

URL = re.compile(r"https?://[^\s)`\"']*[^\s)`\"'.,;:]")
KNOWN = load_knowledge(KNOWLEDGE)


def all_texts(book):
    """Everything a playbook makes the assistant say."""
    yield from filter(None, (book.ask,))
    for finding in book.findings.values():
        yield finding.say
        yield from (c.title for c in finding.choices)
    for path in book.paths.values():
        yield from filter(None, (path.intro, path.done, path.choices_text))
        yield from (c.title for c in path.choices)
        for help_ in filter(None, [path.stuck] + [s.stuck for s in path.steps]):
            yield help_.text
            yield from (c.title for c in help_.choices)
        yield from (step.text for step in path.steps)


def test_one_playbook_per_topic_titled_as_in_the_knowledge_base():
    books = load_playbooks()
    assert sorted(books) == sorted(ACCOUNT_TOPICS)
    for topic, book in books.items():
        assert book.title == TOPICS[topic]["title"]
        assert book.faq_section == (TOPICS[topic]["faq_section"] or "")


def test_every_path_cites_facts_of_the_knowledge_base_with_known_sources():
    """Each walk-through states facts traceable to a documentation source."""
    for book in load_playbooks().values():
        for path in book.paths.values():
            assert path.cites, f"{book.topic}/{path.name} cites no fact"
            for ref in path.cites:
                fact = KNOWN.fact(ref, book.topic)
                assert fact is not None, f"{book.topic}/{path.name}: {ref}"
                assert fact.source.partition("#")[0] in SOURCES


def test_a_citation_of_an_unknown_fact_is_an_error():
    raw = {
        "topic": "create_account",
        "paths": {"main": {"cites": ["no_such_fact"], "steps": ["x"]}},
    }
    with pytest.raises(PlaybookError, match="unknown fact"):
        parse_playbook(raw, KNOWN)


def superseded_phrases(topic: str):
    for old in TOPICS[topic].get("superseded") or ():
        yield from old["phrases"]


def domain_texts():
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    return [
        " ".join(v["text"].split()).lower() for variants in responses.values() for v in variants
    ]


def test_no_superseded_statement_is_said():
    """Nothing the 2019 FAQ or the first topics list said that is untrue today: not in the
    topic's own playbook (a phrase can be true of another topic: "within 30 days" is withdrawn
    for a deletion you ask for and documented for a deleted Microsoft account), and not in any
    fixed response."""
    assert "within 30 days" in list(superseded_phrases("delete_account"))
    everyone = [p for topic in TOPICS for p in superseded_phrases(topic)]
    for text in domain_texts():
        assert not [p for p in everyone if p in text], text
    for topic, book in load_playbooks().items():
        texts = [t.lower() for t in all_texts(book)]
        for phrase in superseded_phrases(topic):
            hits = [t for t in texts if phrase in t]
            assert not hits, f"superseded in {topic}: {phrase!r} in {hits[0][:120]!r}"


def test_the_superseded_check_catches_a_withdrawn_fact():
    said = "your account is deleted within 30 days"
    assert [p for p in superseded_phrases("delete_account") if p in said]


def test_every_account_check_is_one_the_action_server_knows_and_asks_what_it_needs():
    for book in load_playbooks().values():
        if book.check is None:
            assert book.ask is None, book.topic
            continue
        assert book.check in CHECKS, book.topic
        assert bool(book.ask) == CHECKS[book.check].asks, book.topic


def test_ask_without_check_is_an_error():
    raw = {"topic": "create_account", "ask": "Which account?"}
    with pytest.raises(PlaybookError, match="needs a `check`"):
        parse_playbook({**raw, "paths": {"main": {"steps": ["one"]}}}, KNOWN)


def test_the_topic_rules_follow_the_playbooks():
    """data/rules/topics.yml is what tools.topic_rules writes: every topic starts its playbook."""
    assert topic_rules.main(["--check"]) == 0
    rules = yaml.safe_load(topic_rules.RULES.read_text())["rules"]
    by_intent = {rule["steps"][0]["intent"]: rule["steps"][1:] for rule in rules}
    assert by_intent == {t: [{"action": "action_start_playbook"}] for t in load_playbooks()}


def test_texts_use_only_addresses_of_the_knowledge_base():
    links = {url for topic in KNOWN.topics.values() for url in topic.links.values()}
    for book in load_playbooks().values():
        for text in all_texts(book):
            for url in URL.findall(text):
                assert url in links, f"{book.topic}: {url}"


def test_unknown_link_placeholder_is_an_error():
    with pytest.raises(PlaybookError):
        fill_links("see {nowhere}", lambda name: KNOWN.link(name, "create_account"))


def test_dangling_goto_is_an_error(tmp_path):
    (tmp_path / "create_account.yml").write_text(
        "topic: create_account\npaths:\n  main:\n    cites: [needs_microsoft_account]\n"
        "    steps: [one]\n    choices: [{title: go, goto: y/none}]\n"
    )
    with pytest.raises(PlaybookError, match="unknown y/none"):
        load_playbooks(tmp_path, KNOWN)


def test_missing_main_path_is_an_error():
    with pytest.raises(PlaybookError):
        parse_playbook({"topic": "create_account", "paths": {}}, KNOWN)


def joined(topic: str) -> str:
    return " ".join(all_texts(load_playbooks()[topic]))


@pytest.mark.parametrize(
    "topic, facts",
    [
        (
            "delete_account",
            ["/account/delete", "API keys are revoked", "stays reserved", "only administrator"],
        ),
        ("delete_account", ["doesn't say how long"]),
        ("change_username", ["support@nuget.org", "cannot be reverted", "not redirected"]),
        ("create_account", ["case sensitive", "`Register`"]),
        ("recover_password_login", ["discontinued", "no way to recover a password account"]),
        ("microsoft_account_linked_elsewhere", ["third Microsoft account"]),
        ("recover_without_microsoft_account", ["Get help with your Microsoft account"]),
        ("transform_to_organization", ["Manage Organizations", "`Transform`", "cannot be undone"]),
        ("unmanaged_aad_tenant", ["DNS validation"]),
    ],
)
def test_key_facts_are_stated(topic, facts):
    text = joined(topic)
    for fact in facts:
        assert fact in text, f"{topic} lacks {fact!r}"


def test_no_text_hedges_a_plural_with_s_in_brackets():
    """Counts come from the diagnosis with their noun in the right number ("1 package")."""
    for book in load_playbooks().values():
        for text in all_texts(book):
            assert "(s)" not in text, f"{book.topic}: {text}"


def _sentences(text: str) -> list:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.lower().split()))
    return [part.rstrip(".!?") for part in parts if len(part) > 20]


def _repeats(first: str, second: str) -> bool:
    """The same sentence said twice, in all but a word or two, or one inside the other."""
    similar = difflib.SequenceMatcher(None, first, second).ratio() > 0.8
    return similar or first in second or second in first


def test_a_finding_is_not_repeated_by_the_path_it_leads_into():
    """A finding's words are followed at once by its path's intro (or first step): a sentence
    of the one is not said again by the other."""
    books = load_playbooks()
    for book in books.values():
        for name, finding in book.findings.items():
            if finding.goto in (None, HANDOFF, DONE):
                continue
            topic, path_name = split_target(finding.goto)
            path = books[topic].paths[path_name]
            following = " ".join([path.intro or ""] + [s.text for s in path.steps[:1]])
            for said in _sentences(finding.say):
                for then in _sentences(following):
                    assert not _repeats(said, then), f"{book.topic}.{name}: {said!r}"


def test_playbook_files_are_named_after_their_topic():
    for file in PLAYBOOK_DIR.glob("*.yml"):
        assert yaml.safe_load(file.read_text())["topic"] == file.stem


def test_no_address_ends_in_punctuation_a_linkifier_would_swallow():
    for book in load_playbooks().values():
        for text in all_texts(book):
            assert not re.search(r"https?://[^\s)]*[.,;:](\s|$)", text), f"{book.topic}: {text}"
