"""Sentences of a report, and the one that states its problem (rasa_plugins/nlu/sentences.py)."""

from __future__ import annotations

import numpy as np

from rasa_plugins.nlu.linear_model import LinearIntentModel, LinearSettings
from rasa_plugins.nlu.sentences import focus, sentences


def test_one_sentence_is_the_whole_text():
    assert sentences("forgot my password") == ["forgot my password"]
    assert sentences("Hi. forgot my password") == ["Hi. forgot my password"]  # "Hi." is no sentence


def test_a_report_splits_at_sentence_ends():
    report = "I published in 2016. Now the push fails! Why is that? Thanks."
    assert sentences(report) == [
        "I published in 2016.",
        "Now the push fails!",
        "Why is that?",
        "Thanks.",
    ]


def test_focus_is_the_last_question_else_the_last_sentence():
    assert (
        focus("I have two accounts. Which one is linked? I tried both.") == "Which one is linked?"
    )
    assert focus("I have two accounts. Neither signs in.") == "Neither signs in."
    assert focus("no punctuation at all") == "no punctuation at all"


def _models():
    texts = {
        "delete_account": ["delete my account", "remove my account", "close my account for good"],
        "confirm_or_change_email": ["my email is wrong", "change my email", "confirm my email"],
        "out_of_scope": ["weather today", "tell me a joke", "cook pasta"],
    }
    pairs = [(t, intent) for intent, items in texts.items() for t in items]
    models = {}
    for vote in (False, True):
        settings = LinearSettings(cv_folds=3, sentence_vote=vote)
        models[vote] = LinearIntentModel(settings).fit(*zip(*pairs, strict=True))
    return models


def test_sentence_vote_averages_the_whole_text_with_its_sentences():
    models = _models()
    plain, voting = models[False], models[True]
    one = "please close my account"
    assert voting.rank([one]) == plain.rank([one])  # one sentence: nothing to vote on
    report = "My email is old. Please close my account for good."
    parts = sentences(report)
    whole = plain._softmax(plain.pipeline, [report])[0]
    mean = plain._softmax(plain.pipeline, parts).mean(axis=0)
    expected = ((whole + mean) / 2) ** plain.power
    got = dict(voting.rank([report])[0])
    assert np.allclose([got[c] for c in plain.classes], expected)
