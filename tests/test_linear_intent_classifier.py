"""The intent classifier: the plain model, and the Rasa component trained, stored and loaded."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.linear_intent_classifier import (
    PIPELINE_FILE,
    VOCABULARY_FILE,
    LinearIntentClassifier,
)
from rasa_plugins.nlu.linear_model import (
    LinearIntentModel,
    LinearSettings,
    best_threshold,
    join_vocabularies,
    normalise,
    power_for,
    softmax,
    split_vocabularies,
    vectorizers,
)
from tests.helpers import ROOT

EXAMPLES = {
    "recover_password_login": [
        "forgot my password",
        "reset my nuget password",
        "cannot log in, password lost",
        "password reset email never arrives",
        "how to recover my password",
        "i lost the password for my account",
    ],
    "delete_account": [
        "delete my account",
        "remove my nuget account",
        "close my account for good",
        "please erase my profile",
        "how do i delete my user",
        "get rid of my account entirely",
    ],
    "out_of_scope": [
        "what is the weather",
        "tell me a joke",
        "how do i cook pasta",
        "who won the football match",
        "play some music",
        "what time is it in tokyo",
    ],
}


def _pairs():
    return [(text, intent) for intent, texts in EXAMPLES.items() for text in texts]


def _trained() -> LinearIntentModel:
    texts, labels = zip(*_pairs(), strict=True)
    return LinearIntentModel(LinearSettings(cv_folds=3)).fit(texts, labels)


def test_normalise_replaces_addresses_and_links_and_lowercases():
    text = "Mail ME at Jane.Doe@Contoso.com or see https://www.nuget.org/account"
    assert normalise(text) == "mail me at  emailaddress  or see  weblink "


def test_softmax_rows_sum_to_one_and_keep_order():
    probabilities = softmax(np.array([[2.0, 1.0, -1.0]]), temperature=0.5)
    assert probabilities.sum() == pytest.approx(1.0)
    assert list(np.argsort(-probabilities[0])) == [0, 1, 2]


def test_best_threshold_counts_low_confidence_as_out_of_scope():
    top = np.array([0.9, 0.8, 0.3, 0.2])
    labels = np.array(["a", "b", "a", "b"], dtype=object)
    expected = np.array(["a", "b", "out_of_scope", "out_of_scope"], dtype=object)
    cut = best_threshold(top, labels, expected)
    assert 0.3 < cut <= 0.8


def test_power_maps_the_learnt_cut_onto_the_fallback_threshold():
    assert 0.2 ** power_for(0.2, 0.5) == pytest.approx(0.5)
    assert power_for(0.0, 0.5) == 1.0  # no cut learnt: confidences unchanged


def test_model_ranks_every_intent_best_first():
    model = _trained()
    ranking = model.rank(["i forgot my password again"])[0]
    assert ranking[0][0] == "recover_password_login"
    assert {name for name, _ in ranking} == set(EXAMPLES)
    confidences = [conf for _, conf in ranking]
    assert confidences == sorted(confidences, reverse=True)


def test_model_needs_two_intents():
    with pytest.raises(ValueError):
        LinearIntentModel().fit(["a", "b"], ["x", "x"])


def test_rank_of_nothing_is_nothing():
    assert _trained().rank([]) == []


def _component(tmp_path, config=None):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    full = {**LinearIntentClassifier.get_default_config(), "cv_folds": 3, **(config or {})}
    return LinearIntentClassifier.create(full, storage, resource, context), storage, resource, full


@pytest.mark.parametrize(
    "variant",
    [{}, {"focus_weight": 0.5}, {"sentence_vote": True}, {"negation": ""}, {"negation": "mark"}],
    ids=["whole", "focus", "vote", "no_negation", "negation_both"],
)
def test_component_trains_stores_and_loads_the_same_predictions(tmp_path, variant):
    component, storage, resource, config = _component(tmp_path, variant)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in _pairs()])
    component.train(data)
    texts = [
        "pls delete my acount",
        "whats the weather like",
        "I have packages. Delete my account?",
    ]
    before = component.process([Message(data={"text": t}) for t in texts])

    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    after = loaded.process([Message(data={"text": t}) for t in texts])

    assert before[0].get("intent")["name"] == "delete_account"
    for old, new in zip(before, after, strict=True):
        assert new.get("intent") == old.get("intent")
        assert len(new.get("intent_ranking")) == len(EXAMPLES)


def test_vocabularies_split_off_and_joined_back_predict_the_same():
    model = _trained()
    bare, vocabularies = split_vocabularies(model.pipeline)
    assert set(vocabularies) == {"/pipeline/featureunion/word", "/pipeline/featureunion/char"}
    assert all(not hasattr(v, "vocabulary_") for _, v in vectorizers(bare))
    assert all(hasattr(v, "vocabulary_") for _, v in vectorizers(model.pipeline))  # a copy
    word = dict(vectorizers(model.pipeline))["/pipeline/featureunion/word"].vocabulary_
    assert vocabularies["/pipeline/featureunion/word"][word["password"]] == "password"

    model.pipeline = join_vocabularies(bare, vocabularies)
    texts = ["delete my account", "forgot pwd", "weather?"]
    assert model.rank(texts) == _trained().rank(texts)


def test_vocabularies_that_do_not_fit_the_pipeline_are_refused():
    bare, vocabularies = split_vocabularies(_trained().pipeline)
    vocabularies.pop("/pipeline/featureunion/char")
    with pytest.raises(ValueError, match="do not fit"):
        join_vocabularies(bare, vocabularies)


def test_stored_model_keeps_vocabularies_out_of_the_skops_file(tmp_path):
    component, storage, resource, _ = _component(tmp_path)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in _pairs()])
    component.train(data)
    with storage.read_from(resource) as directory:
        schema = zipfile.ZipFile(directory / PIPELINE_FILE).read("schema.json").decode()
        terms = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    assert '"vocabulary_"' not in schema and "nuget" not in schema  # in two texts: a term
    assert "nuget" in terms["/pipeline/featureunion/word"]


def test_model_stored_with_vocabularies_inside_still_loads(tmp_path):
    """Format 1 (before the vocabularies moved out) loads as it is."""
    import skops.io as sio

    component, storage, resource, config = _component(tmp_path)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in _pairs()])
    component.train(data)
    with storage.write_to(resource) as directory:
        sio.dump(component.model.pipeline, directory / PIPELINE_FILE)
        (directory / VOCABULARY_FILE).unlink()
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    text = [Message(data={"text": "pls delete my acount"})]
    assert loaded.process(text)[0].get("intent")["name"] == "delete_account"


def test_component_without_trained_model_leaves_messages_alone(tmp_path):
    component, storage, resource, config = _component(tmp_path)
    message = Message(data={"text": "hello"})
    component.process([message])
    assert message.get("intent") is None


def test_config_puts_the_learnt_cut_where_the_fallback_classifier_cuts():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    steps = {step["name"].rsplit(".", 1)[-1]: step for step in config["pipeline"]}
    classifier, fallback = steps["LinearIntentClassifier"], steps["FallbackClassifier"]
    assert classifier["fallback_threshold"] == fallback["threshold"]


def test_payloads_of_known_intents_are_not_classified_typed_text_is(tmp_path, monkeypatch):
    component, _storage, _resource, _config = _component(tmp_path)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in _pairs()])
    component.train(data)
    classified = []
    rank = component.model.rank
    monkeypatch.setattr(
        component.model, "rank", lambda texts: classified.extend(texts) or rank(texts)
    )
    texts = ["/delete_account", " /out_of_scope{}", "/no_such_intent", "delete my account /now"]
    messages = component.process([Message(data={"text": t}) for t in texts])

    assert classified == ["/no_such_intent", "delete my account /now"]
    assert messages[0].get("intent") == {"name": "delete_account", "confidence": 1.0}
    assert messages[1].get("intent_ranking") == [{"name": "out_of_scope", "confidence": 1.0}]
    assert messages[3].get("intent")["name"] == "delete_account"
    assert len(messages[3].get("intent_ranking")) == len(EXAMPLES)


def test_every_model_setting_is_a_config_key_and_reaches_the_model(tmp_path):
    changed = {
        "C": 0.5,
        "temperature": 0.3,
        "word_ngrams": [1, 3],
        "char_ngrams": [3, 4],
        "min_df": 1,
        "word_min_df": 2,
        "cv_folds": 2,
        "random_seed": 7,
        "fallback_threshold": 0.4,
        "focus_weight": 0.25,
        "sentence_vote": True,
        "negation": "mark",
    }
    assert set(changed) | {"ranking_length"} == set(LinearIntentClassifier.get_default_config())
    component, *_ = _component(tmp_path, changed)
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in _pairs()])
    component.train(data)
    assert component.model.settings == LinearSettings(
        C=0.5,
        temperature=0.3,
        word_ngrams=(1, 3),
        char_ngrams=(3, 4),
        min_df=1,
        word_min_df=2,
        cv_folds=2,
        seed=7,
        fallback_threshold=0.4,
        focus_weight=0.25,
        sentence_vote=True,
        negation="mark",
    )
