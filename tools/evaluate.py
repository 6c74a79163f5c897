"""Topic accuracy of a trained model on a YAML evaluation set.

    python -m tools.evaluate --data tests/evaluation/utterances.yml --report out.json

The file holds `examples: [{text, topic, hard?}]`. A prediction that falls back
(nlu_fallback) or names no topic (vague_request) counts as `out_of_scope`: the assistant asks
"did you mean" and then says it cannot help. `confidently_wrong` is the share of examples
that got a wrong topic (a playbook, or the hand-off) above that cut, i.e. a walk-through of the
wrong thing; a conversation intent (greet, thanks...) is wrong but starts nothing. Writes the
JSON report and prints the headline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from actions.playbooks import account_topics

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
# Intents that lead to the fallback path as nlu_fallback does: scored as out_of_scope.
FALLS_BACK = frozenset({FALLBACK, "vague_request"})
# Besides the playbooks' topics, the one intent a wrong answer can start: the hand-off to a person.
# A conversation intent (greet, thanks, inform...) starts nothing, so it is never "confident".
HANDOFF = "human_handoff"


@dataclass(frozen=True)
class Example:
    text: str
    topic: str
    hard: bool = False


@dataclass(frozen=True)
class Prediction:
    example: Example
    predicted: str
    confidence: float


def load_examples(path: Path) -> List[Example]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = raw.get("examples") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a mapping with a list under 'examples'")
    examples = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or "text" not in item or "topic" not in item:
            raise ValueError(f"{path}: example {number} needs 'text' and 'topic'")
        examples.append(Example(str(item["text"]), str(item["topic"]), bool(item.get("hard"))))
    return examples


def topic_of(parse: Dict[str, Any]) -> tuple[str, float]:
    """The topic id a parse result stands for, and the classifier's confidence."""
    intent = parse.get("intent") or {}
    name = intent.get("name") or OUT_OF_SCOPE
    ranking = parse.get("intent_ranking") or []
    real = [r for r in ranking if r.get("name") != FALLBACK]
    confidence = float(real[0]["confidence"]) if real else float(intent.get("confidence") or 0)
    return (OUT_OF_SCOPE if name in FALLS_BACK else name), confidence


def _ratio(numerator: int, denominator: int) -> Optional[float]:
    return round(numerator / denominator, 4) if denominator else None


def per_topic(predictions: Sequence[Prediction]) -> Dict[str, Dict[str, float]]:
    labels = sorted({p.example.topic for p in predictions} | {p.predicted for p in predictions})
    table = {}
    for label in labels:
        tp = sum(p.example.topic == label and p.predicted == label for p in predictions)
        support = sum(p.example.topic == label for p in predictions)
        predicted = sum(p.predicted == label for p in predictions)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    return table


@lru_cache(maxsize=1)
def topics() -> frozenset:
    """The topic ids a prediction can start: the playbooks' topics, and the hand-off."""
    return frozenset(account_topics()) | {HANDOFF}


def confidently_wrong(p: Prediction) -> bool:
    """A wrong topic that cleared the out-of-scope cut: a fallback is never confident, and a
    conversation intent (a greeting, a thanks) is not a topic."""
    return p.predicted != p.example.topic and p.predicted in topics()


def report(predictions: Sequence[Prediction]) -> Dict[str, Any]:
    def correct(p: Prediction) -> bool:
        return p.predicted == p.example.topic

    hard = [p for p in predictions if p.example.hard]
    oos = [p for p in predictions if p.example.topic == OUT_OF_SCOPE]
    in_scope = [p for p in predictions if p.example.topic != OUT_OF_SCOPE]
    confusions = Counter(
        (p.example.topic, p.predicted) for p in predictions if not correct(p)
    ).most_common()
    return {
        "overall_accuracy": _ratio(sum(map(correct, predictions)), len(predictions)),
        "hard_accuracy": _ratio(sum(map(correct, hard)), len(hard)),
        "out_of_scope_recall": _ratio(sum(map(correct, oos)), len(oos)),
        "in_scope_false_refusal": _ratio(
            sum(p.predicted == OUT_OF_SCOPE for p in in_scope), len(in_scope)
        ),
        "confidently_wrong": _ratio(sum(map(confidently_wrong, predictions)), len(predictions)),
        "examples": len(predictions),
        "per_topic": per_topic(predictions),
        "confusions": [{"expected": e, "predicted": p, "count": n} for (e, p), n in confusions],
        "predictions": [
            {
                "text": p.example.text,
                "expected": p.example.topic,
                "predicted": p.predicted,
                "confidence": round(p.confidence, 4),
            }
            for p in predictions
        ],
    }


async def predict(model: Path, examples: Sequence[Example]) -> List[Prediction]:
    # Imported late: loading Rasa takes seconds, and the unit tests do not need it.
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # one debug line per message otherwise
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    predictions = []
    for example in examples:
        topic, confidence = topic_of(await agent.parse_message(example.text))
        predictions.append(Prediction(example, topic, confidence))
    return predictions


def headline(result: Dict[str, Any]) -> str:
    keys = (
        "overall_accuracy",
        "hard_accuracy",
        "out_of_scope_recall",
        "in_scope_false_refusal",
        "confidently_wrong",
    )
    return " ".join(f"{key}={result[key]}" for key in keys) + f" examples={result['examples']}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=Path("models/assistant.tar.gz"))
    parser.add_argument("--min-accuracy", type=float, default=None)
    parser.add_argument("--min-oos-recall", type=float, default=None)
    args = parser.parse_args(argv)

    if not args.data.is_file():
        print(f"evaluate: {args.data} does not exist", file=sys.stderr)
        return 2
    result = report(asyncio.run(predict(args.model, load_examples(args.data))))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(headline(result))
    for confusion in result["confusions"][:10]:
        print(
            f"  confused: {confusion['expected']} -> {confusion['predicted']} x{confusion['count']}"
        )
    failed = []
    if args.min_accuracy is not None and (result["overall_accuracy"] or 0) < args.min_accuracy:
        failed.append(f"overall_accuracy below {args.min_accuracy}")
    if (
        args.min_oos_recall is not None
        and (result["out_of_scope_recall"] or 0) < args.min_oos_recall
    ):
        failed.append(f"out_of_scope_recall below {args.min_oos_recall}")
    for reason in failed:
        print(f"FAILED: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
