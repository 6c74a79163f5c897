"""The evaluation command's arithmetic and input handling (no model needed)."""

from __future__ import annotations

import pytest

from tools.evaluate import Example, Prediction, load_examples, report, topic_of, topics


def prediction(expected: str, predicted: str, hard: bool = False) -> Prediction:
    return Prediction(Example("t", expected, hard), predicted, 0.9)


def test_report_figures():
    result = report(
        [
            prediction("create_account", "create_account", hard=True),
            prediction("create_account", "out_of_scope", hard=True),
            prediction("delete_account", "delete_account"),
            prediction("out_of_scope", "out_of_scope"),
            prediction("out_of_scope", "delete_account"),
        ]
    )
    assert result["overall_accuracy"] == 0.6
    assert result["hard_accuracy"] == 0.5
    assert result["out_of_scope_recall"] == 0.5
    assert result["in_scope_false_refusal"] == round(1 / 3, 4)
    # the out-of-scope question sent to delete_account; the refused one is not "confident"
    assert result["confidently_wrong"] == 0.2
    assert result["per_topic"]["delete_account"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": 0.6667,
        "support": 1,
    }
    assert result["confusions"][0]["count"] == 1
    assert len(result["predictions"]) == 5


def test_only_a_wrong_topic_counts_as_confidently_wrong():
    wrong_topic = prediction("out_of_scope", "delete_account")
    greeting = prediction("out_of_scope", "greet")  # answered with a greeting: no walk-through
    handoff = prediction("create_account", "human_handoff")  # a person offered instead
    result = report([wrong_topic, greeting, handoff, prediction("out_of_scope", "out_of_scope")])
    assert result["confidently_wrong"] == 0.5
    assert result["overall_accuracy"] == 0.25  # the greeting is still not a right answer


def test_topics_are_the_playbooks_and_the_handoff():
    assert {"delete_account", "trusted_publishing", "human_handoff"} <= topics()
    assert not {"greet", "thanks", "inform", "out_of_scope"} & topics()
    assert len(topics()) == 22  # 21 account topics and the hand-off


def test_no_hard_examples_gives_null():
    assert report([prediction("greet", "greet")])["hard_accuracy"] is None


def test_fallback_counts_as_out_of_scope_with_the_real_confidence():
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "delete_account", "confidence": 0.31},
        ],
    }
    assert topic_of(parse) == ("out_of_scope", 0.31)


def test_any_file_in_the_format_loads(tmp_path):
    data = tmp_path / "set.yml"
    data.write_text(
        'examples:\n  - {text: "forgot pwd", topic: recover_password_login}\n'
        '  - {text: "x", topic: out_of_scope, hard: true}\n'
    )
    assert load_examples(data) == [
        Example("forgot pwd", "recover_password_login", False),
        Example("x", "out_of_scope", True),
    ]


@pytest.mark.parametrize("content", ["[]", "examples: 3", "examples:\n  - {text: x}\n"])
def test_malformed_files_are_refused_clearly(tmp_path, content):
    data = tmp_path / "bad.yml"
    data.write_text(content)
    with pytest.raises(ValueError):
        load_examples(data)


def test_a_request_that_names_no_topic_counts_as_out_of_scope():
    parse = {
        "intent": {"name": "vague_request", "confidence": 0.97},
        "intent_ranking": [{"name": "vague_request", "confidence": 0.97}],
    }
    assert topic_of(parse) == ("out_of_scope", 0.97)


def test_a_missing_file_is_named_not_a_traceback(tmp_path, capsys):
    from tools.evaluate import main

    assert main(["--data", str(tmp_path / "absent.yml"), "--report", str(tmp_path / "r.json")]) == 2
    assert "absent.yml does not exist" in capsys.readouterr().err
