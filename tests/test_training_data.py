"""The training data and the held-out evaluation set stay apart and cover every topic."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml

from tests.helpers import ACCOUNT_TOPICS, CONVERSATION_INTENTS, ROOT, TOPICS

ENTITY = re.compile(r"\[([^\]]+)\]\([a-z_]+\)")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.]+", " ", ENTITY.sub(r"\1", text).lower()).split())


def training_examples():
    examples = defaultdict(list)
    # data/nlu/ and the reviewed examples of the team console (data/reviewed/nlu.yml)
    for file in sorted((ROOT / "data").glob("*/*.yml")):
        for block in yaml.safe_load(file.read_text(encoding="utf-8")).get("nlu", ()):
            if "intent" in block:
                lines = block["examples"].splitlines()
                examples[block["intent"]] += [ln.strip()[2:] for ln in lines if ln.strip()]
    return examples


def evaluation_set(name: str = "utterances"):
    path = ROOT / "tests" / "evaluation" / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]


def test_each_account_topic_has_at_least_40_examples():
    examples = training_examples()
    for topic in ACCOUNT_TOPICS:
        assert len(examples[topic]) >= 40, topic


def test_intents_are_the_topic_ids_plus_conversation_intents():
    intents = set(training_examples())
    assert set(ACCOUNT_TOPICS) <= intents
    assert set(CONVERSATION_INTENTS) <= intents
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert intents == set(domain["intents"])


def test_no_example_starts_with_a_list_marker():
    """A pasted "- text" line keeps its dash as part of the example: a feature of no message."""
    marked = [t for texts in training_examples().values() for t in texts if t[:2] in ("- ", "* ")]
    assert marked == []


def test_no_example_belongs_to_two_intents():
    owner = {}
    for intent, texts in training_examples().items():
        for text in texts:
            key = normalise(text)
            assert owner.setdefault(key, intent) == intent, f"{text!r}: {owner[key]} and {intent}"


# Sets written before the eleven topics beyond the FAQ cover the ten FAQ topics only.
FAQ_ONLY = {"dev", "dev2", "dev3", "dev4"}


# Every topic-labelled set in tests/evaluation (specific_questions.yml has its own format and test).
TOPIC_SETS = sorted(
    path.stem
    for path in (ROOT / "tests" / "evaluation").glob("*.yml")
    if path.stem != "specific_questions"
)


def test_the_held_out_and_development_sets_are_found():
    assert {"utterances", "dev", "dev_reports", "dev8"} <= set(TOPIC_SETS)


@pytest.mark.parametrize("name", TOPIC_SETS)
def test_evaluation_sets_are_large_labelled_and_held_out(name):
    examples = evaluation_set(name)
    assert len(examples) >= 150
    labels = set(ACCOUNT_TOPICS) | set(CONVERSATION_INTENTS)
    trained = {normalise(t) for texts in training_examples().values() for t in texts}
    for example in examples:
        assert example["topic"] in labels, example
        assert normalise(example["text"]) not in trained, f"in training data: {example['text']}"
    covered = [t for t in ACCOUNT_TOPICS if name not in FAQ_ONLY or TOPICS[t]["group"] == "faq"]
    assert {e["topic"] for e in examples} >= set(covered) | {"out_of_scope"}


def test_the_held_out_set_has_at_least_15_examples_of_each_topic_beyond_the_faq():
    counts = defaultdict(int)
    for example in evaluation_set():
        counts[example["topic"]] += 1
    beyond = [t for t in ACCOUNT_TOPICS if TOPICS[t]["group"] != "faq"]
    assert len(beyond) == 11
    assert {t: counts[t] for t in beyond if counts[t] < 15} == {}
