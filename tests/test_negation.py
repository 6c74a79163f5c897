"""Negations of intent are marked; negations that state the problem are left alone."""

from __future__ import annotations

import re

import pytest

from rasa_plugins.nlu import negation
from rasa_plugins.nlu.linear_model import (
    LinearIntentModel,
    LinearSettings,
    normalise_all_negated,
    without_negated,
)
from rasa_plugins.nlu.negation import mark_negated


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("stop using the old login, not delete anything", "not not_delete not_anything"),
        ("i don't want to delete my account", "to not_delete not_my not_account"),
        ("i do not want to add an owner", "to not_add not_an not_owner"),
        ("no need to transfer packages", "to not_transfer not_packages"),
        ("change my login without deleting it", "without not_deleting not_it"),
        ("a new key instead of adding an owner", "of not_adding not_an not_owner"),
        ("rename it rather than create one", "than not_create not_one"),
        ("i'm not asking about 2fa here", "about not_2fa not_here"),
        ("i don’t want to delete it", "to not_delete not_it"),
    ],
)
def test_negations_of_intent_mark_the_words_after_them(text: str, marked: str) -> None:
    assert marked in mark_negated(text)


@pytest.mark.parametrize(
    "text",
    [
        "i can't sign in",
        "i didn't get the confirmation email",
        "not receiving confirmation email",
        "i don't have a microsoft account any more",
        "the push is not allowed, 403",
        "it's not working and i'm not able to log in",
        "sign in without a microsoft account",
    ],
)
def test_negations_that_state_the_problem_are_left_alone(text: str) -> None:
    assert mark_negated(text) == text


def test_the_scope_stops_at_punctuation_clause_words_and_its_length() -> None:
    assert mark_negated("i don't want to delete, i want to rename") == (
        "i don't want to not_delete, i want to rename"
    )
    assert mark_negated("no need to delete but rename") == "no need to not_delete but rename"
    marked = mark_negated("i don't want to delete my old api key")
    assert marked == "i don't want to not_delete not_my not_old api key"
    assert negation.MAX_SCOPE == 3


def test_everything_outside_the_scope_keeps_its_spacing_and_punctuation() -> None:
    text = "Hello ,  world!  (ok) — not delete   anything?"
    assert mark_negated(text).replace("not_", "") == text


def test_character_n_grams_do_not_see_the_negated_words() -> None:
    [text] = normalise_all_negated(["I want a new login, not delete anything."])
    assert "not_delete" in text
    assert "delete" not in without_negated(text)
    assert without_negated(text).endswith(".")


def test_fingerprint_changes_with_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    before = negation.fingerprint()
    monkeypatch.setattr(negation, "MAX_SCOPE", 4)
    assert negation.fingerprint() != before


def test_fingerprint_changes_with_what_a_word_is(monkeypatch: pytest.MonkeyPatch) -> None:
    before = negation.fingerprint()
    monkeypatch.setattr(negation, "_TOKEN", re.compile(r"\w+|[^\w\s]"))
    assert negation.fingerprint() != before


def _model(setting: str) -> LinearIntentModel:
    texts = {
        "delete_account": ["delete my account", "please delete my account", "remove my account"],
        "change_login": ["change my login", "use a new login", "switch my sign in login"],
        "greet": ["hello", "hi there", "good morning"],
    }
    pairs = [(text, intent) for intent, items in texts.items() for text in items]
    settings = LinearSettings(negation=setting, min_df=1)
    return LinearIntentModel(settings).fit([t for t, _ in pairs], [i for _, i in pairs])


def test_a_negated_topic_word_stops_voting_for_its_topic() -> None:
    message = "use a new login, not delete my account"
    plain = dict(_model("").rank([message])[0])
    marked = dict(_model("mark_words").rank([message])[0])
    assert marked["change_login"] > plain["change_login"]
    assert marked["delete_account"] < plain["delete_account"]
    assert max(marked, key=marked.get) == "change_login"


def test_an_unknown_negation_setting_is_refused_not_taken_for_another() -> None:
    with pytest.raises(ValueError, match="negation must be one of"):
        _model("marked")
