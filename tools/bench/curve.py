"""The intent model's learning curve: accuracy on the development sets against training size.

    python -m tools.bench.curve [--data extra.yml ...] [--out reports/bench/curve.json]

Trains the kept LinearIntentModel on stratified fractions of the training data (each intent
keeps its share; smaller fractions on several seeds, since one draw is noisy) and scores it
the way tools.bench.variants does. A curve still rising at the full size says more data of
the same kind would help; a flat one says the next gain needs something else. Never the
held-out set: it stays for the end.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_plugins.nlu.linear_model import LinearSettings
from tools.bench.training_data import load_training_data
from tools.bench.variants import load_sets, score_variant

OUT = Path("reports/bench/curve.json")
FRACTIONS = (0.25, 0.5, 0.75, 1.0)
SEEDS = (0, 1)  # the full data is one draw: it is trained once

Pair = Tuple[str, str]


def stratified_sample(pairs: Sequence[Pair], fraction: float, seed: int) -> List[Pair]:
    """`fraction` of each intent's examples (at least one), in the data's own order."""
    if fraction >= 1:
        return list(pairs)
    by_intent: Dict[str, List[int]] = defaultdict(list)
    for index, (_, intent) in enumerate(pairs):
        by_intent[intent].append(index)
    chosen: List[int] = []
    generator = random.Random(seed)
    for indices in by_intent.values():
        chosen += generator.sample(indices, max(1, round(len(indices) * fraction)))
    return [pairs[index] for index in sorted(chosen)]


def accuracies(result: Dict[str, Any]) -> Dict[str, float]:
    """Overall accuracy: of the development sets together and of every set alone."""
    figures = {"development_sets": result["development_sets"]["overall_accuracy"]}
    figures.update({name: f["overall_accuracy"] for name, f in result["per_set"].items()})
    return figures


def mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4)


def curve(
    pairs: Sequence[Pair], sets: Dict[str, list], fractions: Sequence[float] = FRACTIONS
) -> List[Dict[str, Any]]:
    points = []
    for fraction in fractions:
        seeds = SEEDS if fraction < 1 else SEEDS[:1]
        runs = []
        for seed in seeds:
            sample = stratified_sample(pairs, fraction, seed)
            runs.append(accuracies(score_variant(LinearSettings(), sample, sets)))
        point = {name: mean([run[name] for run in runs]) for name in runs[0]}
        points.append({"fraction": fraction, "examples": len(sample), "runs": len(runs), **point})
        print(json.dumps(points[-1]), flush=True)
    return points


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sets = load_sets(args.data)
    points = curve(load_training_data(), sets)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"points": points}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
