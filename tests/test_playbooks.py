"""The playbooks are complete, consistent and traceable to the project's knowledge base."""

from __future__ import annotations

import re

import pytest
import yaml

from actions.account_check import CHECKS
from actions.playbooks import (
    PLAYBOOK_DIR,
    PlaybookError,
    fill_links,
    load_links,
    load_playbooks,
    parse_playbook,
)
from tests.helpers import ACCOUNT_TOPICS, TOPICS
from tools import topic_rules

URL = re.compile(r"https?://[^\s)`\"']*[^\s)`\"'.,;:]")


def all_texts(book):
    for path in book.paths.values():
        yield from filter(None, (path.intro, path.done, path.choices_text))
        for step in path.steps:
            yield step.text
            if step.stuck:
                yield step.stuck.text


def test_one_playbook_per_topic_with_its_faq_section():
    books = load_playbooks()
    assert sorted(books) == sorted(ACCOUNT_TOPICS)
    for topic, book in books.items():
        known = TOPICS[topic]
        assert book.faq_section in (known["faq_section"], known["faq_section_2019"])


def knowledge_text() -> str:
    """Every fact, link and superseded statement of the knowledge base, as one text."""
    return "\n".join(yaml.safe_dump(body) for body in TOPICS.values())


def test_every_address_is_in_the_knowledge_base():
    known = knowledge_text()
    for name, url in load_links().items():
        assert url in known, f"{name}: {url} is not in knowledge/"


def test_every_account_check_is_one_the_action_server_knows_and_asks_what_it_needs():
    for book in load_playbooks().values():
        if book.check is None:
            assert book.ask is None, book.topic
            continue
        assert book.check in CHECKS, book.topic
        assert bool(book.ask) == CHECKS[book.check].asks, book.topic


def test_ask_without_check_is_an_error():
    raw = {"topic": "x", "title": "t", "faq_section": "s", "ask": "Which account?"}
    with pytest.raises(PlaybookError, match="needs a `check`"):
        parse_playbook({**raw, "paths": {"main": {"steps": ["one"]}}}, {})


def test_the_topic_rules_follow_the_playbooks():
    """data/rules/topics.yml is what tools.topic_rules writes: every topic starts its playbook."""
    assert topic_rules.main(["--check"]) == 0
    rules = yaml.safe_load(topic_rules.RULES.read_text())["rules"]
    by_intent = {rule["steps"][0]["intent"]: rule["steps"][1:] for rule in rules}
    assert by_intent == {t: [{"action": "action_start_playbook"}] for t in load_playbooks()}


def test_texts_use_only_known_links():
    links = set(load_links().values())
    for book in load_playbooks().values():
        for text in all_texts(book):
            for url in URL.findall(text):
                assert url in links, f"{book.topic}: {url}"


def test_unknown_link_placeholder_is_an_error():
    with pytest.raises(PlaybookError):
        fill_links("see {nowhere}", {"somewhere": "https://example.org"})


def test_dangling_goto_is_an_error(tmp_path):
    (tmp_path / "links.yml").write_text("a: https://example.org\n")
    (tmp_path / "x.yml").write_text(
        "topic: x\nfaq_section: s\ntitle: t\npaths:\n  main:\n"
        "    steps: [one]\n    choices: [{title: go, goto: y/none}]\n"
    )
    with pytest.raises(PlaybookError, match="unknown y/none"):
        load_playbooks(tmp_path)


def test_missing_main_path_is_an_error():
    with pytest.raises(PlaybookError):
        parse_playbook({"topic": "x", "title": "t", "faq_section": "s", "paths": {}}, {})


def joined(topic: str) -> str:
    return " ".join(all_texts(load_playbooks()[topic]))


@pytest.mark.parametrize(
    "topic, facts",
    [
        (
            "delete_account",
            [
                "within 30 days",
                "unlisted",
                "API keys are deleted",
                "reserved namespaces",
                "last administrator",
                "/account/delete",
            ],
        ),
        ("change_username", ["case sensitive", "Contact support"]),
        ("create_account", ["case sensitive", "cannot be changed", "`Register`"]),
        ("recover_password_login", ["`Forgot password?`", "`Sign in using NuGet.org account`"]),
        ("find_linked_microsoft_account", ["`Need assistance signing in?`"]),
        ("change_microsoft_account", ["`Login Account`", "`Change Account`"]),
        ("microsoft_account_linked_elsewhere", ["orphaned", "third Microsoft account"]),
        ("recover_without_microsoft_account", ["not associated with any existing NuGet"]),
        ("transform_to_organization", ["/account/transform", "do NOT click"]),
        ("unmanaged_aad_tenant", ["DNS validation", "not on your"]),
    ],
)
def test_key_facts_are_stated(topic, facts):
    text = joined(topic)
    for fact in facts:
        assert fact in text, f"{topic} lacks {fact!r}"


def test_playbook_files_are_named_after_their_topic():
    for file in PLAYBOOK_DIR.glob("*.yml"):
        if file.name != "links.yml":
            assert yaml.safe_load(file.read_text())["topic"] == file.stem


def test_no_address_ends_in_punctuation_a_linkifier_would_swallow():
    for book in load_playbooks().values():
        for text in all_texts(book):
            assert not re.search(r"https?://[^\s)]*[.,;:](\s|$)", text), f"{book.topic}: {text}"
