"""The side-by-side accuracy benchmark: baselines, training data and arithmetic (no Rasa model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.helpers import ROOT
from tools.bench.accuracy import (
    as_topic,
    compare,
    fold_metrics,
    mean_std,
    parse_cv_output,
    parse_rasa_cv_log,
    summarise,
)
from tools.bench.baselines import OUT_OF_SCOPE, TfidfLogReg, TfidfSettings, choose_threshold
from tools.bench.training_data import load_file, load_training_data, strip_entities
from tools.evaluate import Example, Prediction

# --- the TF-IDF baseline -----------------------------------------------------------------

TINY = {
    "recover_password_login": [
        "forgot my password",
        "reset my password",
        "password reset email never came",
        "i forgot the password",
        "how do i reset the password",
        "lost my password",
    ],
    "delete_account": [
        "delete my account",
        "remove my account",
        "how do i delete the account",
        "close my account for good",
        "please delete my account",
        "erase my account",
    ],
    "out_of_scope": [
        "what is the weather",
        "tell me a joke",
        "weather forecast tomorrow",
        "sing me a song",
        "who won the football game",
        "a joke please",
    ],
}


def tiny_data():
    texts = [t for texts in TINY.values() for t in texts]
    intents = [i for i, texts in TINY.items() for _ in texts]
    return texts, intents


FAST = TfidfSettings(cv_folds=3, max_iter=500)


def test_tfidf_baseline_learns_the_tiny_topics():
    texts, intents = tiny_data()
    model = TfidfLogReg(FAST, threshold=0.0).fit(texts, intents)
    labels = [label for label, _ in model.predict(["i forgot my password", "delete my account"])]
    assert labels == ["recover_password_login", "delete_account"]


def test_below_the_threshold_is_out_of_scope_with_the_real_confidence():
    texts, intents = tiny_data()
    model = TfidfLogReg(FAST, threshold=0.0).fit(texts, intents)
    ambiguous, clear = "password account", "forgot my password"
    (label, confidence), (clear_label, clear_confidence) = model.predict([ambiguous, clear])
    assert label != OUT_OF_SCOPE and clear_label == "recover_password_login"
    assert confidence < clear_confidence
    model.threshold = (confidence + clear_confidence) / 2
    # the unsure guess is refused, keeping its real confidence; the sure one keeps its topic
    assert model.predict([ambiguous, clear]) == [
        (OUT_OF_SCOPE, confidence),
        ("recover_password_login", clear_confidence),
    ]


def test_threshold_is_chosen_by_cross_validation_on_the_training_data():
    texts, intents = tiny_data()
    model = TfidfLogReg(FAST).fit(texts, intents)
    assert model.threshold in FAST.threshold_grid
    assert model.cv["folds"] == 3 and model.cv["examples"] == len(texts)
    assert model.cv["out_of_fold_accuracy"] >= model.cv["out_of_fold_accuracy_without_threshold"]


def test_choose_threshold_prefers_the_accuracy_maximum():
    classes = ["a", OUT_OF_SCOPE]
    # two confident right answers, and an out-of-scope text the classifier calls "a" at 0.55
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.55, 0.45]])
    threshold, curve = choose_threshold(
        probabilities, classes, ["a", "a", OUT_OF_SCOPE], grid=[0.0, 0.5, 0.6, 0.7, 0.85]
    )
    # 0.6 and 0.7 both get all three right; the median of the tie is taken (lower middle)
    assert threshold == 0.6
    assert [p["accuracy"] for p in curve] == [round(2 / 3, 4), round(2 / 3, 4), 1.0, 1.0, 0.6667]


# --- the training data -----------------------------------------------------------------


@pytest.mark.parametrize(
    "markup, plain",
    [
        ("reset the password for [JohnDev](username)", "reset the password for JohnDev"),
        ('it is [a@b.com]{"entity": "email"} ok', "it is a@b.com ok"),
        ("[NYC](city:New York) please", "NYC please"),
        ("no markup [here", "no markup [here"),
    ],
)
def test_entity_markup_is_stripped(markup, plain):
    assert strip_entities(markup) == plain


def test_non_intent_blocks_are_skipped_and_list_form_examples_read(tmp_path):
    nlu = tmp_path / "x.yml"
    nlu.write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "nlu": [
                    {"regex": "email", "examples": "- [a-z]+@[a-z]+\n"},
                    {"intent": "greet", "examples": "- hi\n- hello [Bob](name)\n"},
                    {"intent": "deny", "examples": [{"text": "no"}, {"text": "nope"}]},
                    {"synonym": "x", "examples": "- y\n"},
                ],
            }
        )
    )
    assert load_file(nlu) == [
        ("hi", "greet"),
        ("hello Bob", "greet"),
        ("no", "deny"),
        ("nope", "deny"),
    ]


def test_project_training_data_has_every_intent_and_no_markup():
    pairs = load_training_data(ROOT / "data" / "nlu")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {intent for _, intent in pairs} == set(domain["intents"])
    assert not [text for text, _ in pairs if "](" in text or "]{" in text]
    # annotated examples keep their words: the username survives as plain text
    assert ("i want to reset the password for JohnDev", "recover_password_login") in pairs
    raw_lines = sum(
        1
        for f in (ROOT / "data" / "nlu").glob("*.yml")
        for block in yaml.safe_load(f.read_text(encoding="utf-8"))["nlu"]
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    )
    assert len(pairs) == raw_lines


# --- ratios and summaries ----------------------------------------------------------------


def test_ratios_of_project_to_baseline():
    project = {"overall_accuracy": 0.95, "hard_accuracy": 0.8, "examples": 200}
    baseline = {"overall_accuracy": 0.90, "hard_accuracy": 0.7, "examples": 200}
    ratio = compare(project, baseline)
    assert ratio["accuracy_ratio"] == round(0.95 / 0.90, 4)
    assert ratio["error_rate_ratio"] == 0.5  # half the baseline's errors
    assert ratio["project_errors"] == 10 and ratio["baseline_errors"] == 20
    assert ratio["accuracy_difference"] == 0.05
    assert ratio["hard_accuracy_difference"] == 0.1


def test_ratios_where_undefined():
    perfect = {"overall_accuracy": 1.0, "hard_accuracy": None, "examples": 10}
    assert compare(perfect, perfect)["error_rate_ratio"] is None
    assert compare(perfect, perfect)["accuracy_ratio"] == 1.0
    assert compare(perfect, {"overall_accuracy": 0.0, "examples": 10})["accuracy_ratio"] is None
    assert compare(perfect, {"overall_accuracy": None})["accuracy_ratio"] is None


def test_summary_keeps_the_metrics_and_lists_the_errors():
    def p(expected, predicted, hard=False):
        return Prediction(Example(f"{expected}->{predicted}", expected, hard), predicted, 0.7)

    summary = summarise(
        [
            p("create_account", "create_account"),
            p("create_account", "delete_account", hard=True),
            p("delete_account", "delete_account"),
            p(OUT_OF_SCOPE, OUT_OF_SCOPE),
        ]
    )
    assert summary["overall_accuracy"] == 0.75
    assert summary["hard_accuracy"] == 0.0
    assert "predictions" not in summary
    assert summary["errors"] == [
        {
            "text": "create_account->delete_account",
            "expected": "create_account",
            "predicted": "delete_account",
            "confidence": 0.7,
            "hard": True,
        }
    ]
    # macro F1 over the three expected topics: create 2/3, delete 2/3, out_of_scope 1
    assert summary["macro_f1"] == round((2 / 3 + 2 / 3 + 1) / 3, 4)


def test_fallback_is_out_of_scope():
    assert as_topic("nlu_fallback") == OUT_OF_SCOPE
    assert as_topic(None) == OUT_OF_SCOPE
    assert as_topic("greet") == "greet"


def test_mean_std_and_fold_metrics():
    assert mean_std([0.9, 0.8, 1.0]) == {"mean": 0.9, "std": round((0.02 / 3) ** 0.5, 4)}
    assert mean_std([]) == {"mean": None, "std": None}
    fold = fold_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert fold["accuracy"] == 0.75
    assert fold["macro_f1"] == round((2 / 3 + 0.8) / 2, 4)
    assert fold["examples"] == 4


def test_rasa_cv_output_is_parsed(tmp_path):
    folds = [
        {
            "seconds": 100.0,
            "predictions": [
                {"text": "x", "expected": "a", "predicted": "a", "confidence": 0.9},
                {
                    "text": "y",
                    "expected": "out_of_scope",
                    "predicted": "nlu_fallback",
                    "confidence": 0.2,
                },
            ],
        },
        {
            "seconds": 90.0,
            "predictions": [
                {"text": "z", "expected": "a", "predicted": "b", "confidence": 0.6},
                {"text": "w", "expected": "b", "predicted": "b", "confidence": 0.9},
            ],
        },
    ]
    (tmp_path / "fold_predictions.json").write_text(json.dumps(folds))
    (tmp_path / "intent_report.json").write_text(
        json.dumps(
            {"accuracy": 0.5, "macro avg": {"f1-score": 0.4}, "weighted avg": {"f1-score": 0.45}}
        )
    )
    (tmp_path / "cv.log").write_text(
        "INFO rasa.nlu.test - Intent evaluation results\n"
        "INFO rasa.nlu.test - train Accuracy: 0.990 (0.002)\n"
        "INFO rasa.nlu.test - test Accuracy: 0.912 (0.010)\n"
        "INFO rasa.nlu.test - test F1-score: 0.905 (0.011)\n"
        "INFO rasa.nlu.test - test Accuracy: 0.111 (0.000)\n"  # a later (entity) block
    )
    result = parse_cv_output(tmp_path)
    assert [f["accuracy"] for f in result["per_fold"]] == [1.0, 0.5]  # fallback = oos
    assert result["mean_std"]["accuracy"] == {"mean": 0.75, "std": 0.25}
    assert result["rasa_logged"]["test"]["Accuracy"] == {"mean": 0.912, "std": 0.01}
    assert result["rasa_intent_report_pooled"]["macro_f1"] == 0.4


def test_rasa_cv_log_without_results_is_empty():
    assert parse_rasa_cv_log("nothing here") == {}


# --- reuse of trained baselines ----------------------------------------------------------


def test_fingerprint_follows_content_not_location(tmp_path):
    from tools.bench.training_data import fingerprint

    one, two = tmp_path / "a" / "x.yml", tmp_path / "b" / "x.yml"
    for path in (one, two):
        path.parent.mkdir()
        path.write_text("nlu: []\n")
    assert fingerprint([one]) == fingerprint([two])
    two.write_text("nlu: [1]\n")
    assert fingerprint([one]) != fingerprint([two])
    assert fingerprint([one], extra="v1") != fingerprint([one], extra="v2")


def test_quick_mode_never_trains_a_rasa_model(tmp_path, monkeypatch):
    import tools.bench.accuracy as accuracy

    monkeypatch.setattr(accuracy, "MODELS", tmp_path)
    monkeypatch.setattr(accuracy.subprocess, "call", lambda *a, **k: pytest.fail("trained"))
    config = tmp_path / "config.yml"
    config.write_text("pipeline: []\n")
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "a.yml").write_text("nlu: []\n")
    status = accuracy.train_rasa_nlu("rasa_init", config, nlu, allow_training=False)
    assert status["status"] == "skipped" and "missing" in status["reason"]

    # a model whose stamp matches its inputs is reused; once the data change it is stale
    (tmp_path / "rasa_init.tar.gz").write_bytes(b"model")
    key = accuracy.fingerprint([config, nlu / "a.yml"], extra=f"rasa=={accuracy._rasa_version()}")
    (tmp_path / "rasa_init.json").write_text(json.dumps({"fingerprint": key, "train_seconds": 9}))
    reused = accuracy.train_rasa_nlu("rasa_init", config, nlu, allow_training=False)
    assert reused["status"] == "reused" and reused["train_seconds"] == 9
    (nlu / "a.yml").write_text("nlu: [changed]\n")
    stale = accuracy.train_rasa_nlu("rasa_init", config, nlu, allow_training=False)
    assert stale["status"] == "skipped" and "stale" in stale["reason"]


def test_rasa_init_config_is_rasas_default_pipeline():
    import importlib.util

    rasa = Path(importlib.util.find_spec("rasa").origin).parent  # found, not imported (slow)
    default = yaml.safe_load(
        (rasa / "engine" / "recipes" / "config_files" / "default_config.yml").read_text()
    )
    ours = yaml.safe_load((ROOT / "tools" / "bench" / "configs" / "rasa_init.yml").read_text())
    for key in ("recipe", "language", "pipeline", "policies"):
        assert ours[key] == default[key], key


def test_paired_comparison_counts_disagreements_and_tests_them():
    from tools.bench.accuracy import paired

    examples = [Example(str(i), "a") for i in range(12)]
    project = [Prediction(e, "a", 0.9) for e in examples]  # all right
    baseline = [Prediction(e, "b" if i < 10 else "a", 0.9) for i, e in enumerate(examples)]
    result = paired(project, baseline)
    assert result["only_project_right"] == 10 and result["only_baseline_right"] == 0
    assert result["mcnemar_exact_p"] == round(2 * 0.5**10, 4)  # 10:0 by chance
    assert paired(project, project) == {
        "only_project_right": 0,
        "only_baseline_right": 0,
        "mcnemar_exact_p": 1.0,
    }
    with pytest.raises(ValueError):
        paired(project, baseline[::-1])


def test_a_copy_of_the_inputs_elsewhere_has_the_same_fingerprint(tmp_path):
    from tools.bench.training_data import fingerprint

    for folder in ("a", "z"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "data.yml").write_text("same")
    config = tmp_path / "m" / "config.yml"
    config.parent.mkdir()
    config.write_text("pipeline")
    assert fingerprint([config, tmp_path / "a" / "data.yml"]) == fingerprint(
        [config, tmp_path / "z" / "data.yml"]
    )
