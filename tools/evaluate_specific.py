"""How well specific questions get their fact first: actions/specific_answers.py on a YAML set.

    python -m tools.evaluate_specific [--data tests/evaluation/specific_questions.yml]
                                      [--half dev|test|all] [--sweep] [--report out.json]

Each example is `{text, topic, expect}` with expect `fact:<id>`, `unknown` or `walkthrough`.
The topic is taken as given (the intent classifier is measured by tools.evaluate), so this
measures the matcher alone. `--half dev` (even positions) is for choosing MIN_SIMILARITY,
`--half test` (odd positions) is reported and never tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from actions import specific_answers
from actions.knowledge import Fact

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests/evaluation/specific_questions.yml"


@dataclass(frozen=True)
class Example:
    text: str
    topic: str
    expect: str  # "fact:<id>", "unknown" or "walkthrough"


def load(path: Path, half: str = "all") -> List[Example]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]
    examples = [Example(str(i["text"]), str(i["topic"]), str(i["expect"])) for i in items]
    if half == "all":
        return examples
    return examples[0 if half == "dev" else 1 :: 2]


def predicted(example: Example, threshold: float) -> str:
    """What the assistant's matcher does with the example, `threshold` as MIN_SIMILARITY."""
    found = specific_answers.specific_answer_among((example.topic,), example.text, threshold)
    if found is None:
        return "walkthrough"
    answer = found[1]
    return f"fact:{answer.id}" if isinstance(answer, Fact) else "unknown"


def kind(label: str) -> str:
    return label.partition(":")[0]


def score(examples: Sequence[Example], threshold: float) -> Dict[str, object]:
    outcomes: Counter = Counter()
    for example in examples:
        got = predicted(example, threshold)
        outcomes[(kind(example.expect), "right" if got == example.expect else kind(got))] += 1
    total = len(examples)
    right = sum(n for (_, result), n in outcomes.items() if result == "right")
    answered = sum(n for (_, result), n in outcomes.items() if result in ("right", "fact"))
    wrong_fact = sum(n for (exp, res), n in outcomes.items() if res == "fact")
    return {
        "threshold": threshold,
        "examples": total,
        "accuracy": round(right / total, 4) if total else None,
        "by_expected": {
            expected: {
                result: n for (exp, result), n in sorted(outcomes.items()) if exp == expected
            }
            for expected in ("fact", "unknown", "walkthrough")
        },
        # a wrong fact stated is worse than a walk-through: report it on its own
        "wrong_fact_answers": wrong_fact,
        "answered": answered,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--half", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--sweep", action="store_true", help="scores over a range of thresholds")
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    examples = load(args.data, args.half)
    if args.sweep:
        for step in range(10, 61, 5):
            result = score(examples, step / 100)
            print(result["threshold"], result["accuracy"], result["wrong_fact_answers"])
        return 0
    result = score(examples, specific_answers.MIN_SIMILARITY)
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
