"""The bad-input corpus itself: big enough, every category of the issue, deterministic."""

from __future__ import annotations

import importlib
import json

from tests import bad_inputs

REQUIRED = {
    "empty",
    "whitespace",
    "long",
    "control_characters",
    "invalid_utf8_escapes",
    "emoji",
    "right_to_left",
    "other_languages",
    "html_script",
    "sql_injection",
    "shell_injection",
    "json_fragments",
    "long_emails_usernames",
    "slack_markup",
    "slow_to_mask",
}


def test_at_least_300_distinct_inputs_in_every_category():
    texts = [text for _, text in bad_inputs.CORPUS]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts)
    counts = bad_inputs.by_category()
    assert REQUIRED <= set(counts)
    assert all(count >= 1 for count in counts.values())


def test_the_named_cases_are_in_it():
    texts = {text for _, text in bad_inputs.CORPUS}
    assert {"", " ", "\\xff\\xfe", "%FF%FE", "<script>alert(1)</script>"} <= texts
    assert any(len(text) >= 20_000 for text in texts)
    assert "a" * 45_000 in texts  # the message that held the action server for 5.4 s
    assert any(len(text) > 254 and "@" in text for text in texts)
    assert any(any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in text) for text in texts)


def test_every_input_can_be_sent_as_json():
    for _, text in bad_inputs.CORPUS:
        json.dumps({"message": text}).encode("utf-8")


def test_the_corpus_is_the_same_every_time():
    again = importlib.reload(bad_inputs).CORPUS
    assert again == bad_inputs.CORPUS
    raw = [name for name, _, _ in bad_inputs.raw_bodies()]
    assert len(raw) == len(set(raw))
