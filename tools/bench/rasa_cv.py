"""`rasa test nlu --cross-validation`, run through Rasa's own CLI, keeping each fold's predictions.

    python -m tools.bench.rasa_cv --config config.yml --nlu data/nlu --folds 3 --out <dir>

Rasa writes the pooled intent report of all test folds (`<dir>/intent_report.json`) and
only logs per-fold means of accuracy / weighted F1 / weighted precision; its folds are
shuffled without a seed, so they cannot be rebuilt afterwards. This wrapper runs the very
same command (`rasa.__main__.main` with those arguments, the pipeline untouched) and wraps
`rasa.nlu.test.combine_result` to record which test predictions belong to which fold,
written to `<dir>/fold_predictions.json` as
`[{"seconds": s, "predictions": [{"text", "expected", "predicted", "confidence"}]}]`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

FOLD_PREDICTIONS = "fold_predictions.json"


def _install_recorder(folds: List[Dict[str, Any]]) -> None:
    import rasa.nlu.test as nlu_test

    original = nlu_test.combine_result
    started = [time.perf_counter()]

    async def recording_combine_result(*args: Any, **kwargs: Any):
        intent_results = kwargs.get("intent_results")
        if intent_results is None and len(args) > 5:
            intent_results = args[5]
        before = len(intent_results) if intent_results is not None else 0
        result = await original(*args, **kwargs)
        if intent_results is not None:  # the test half of a fold (train has no list)
            now = time.perf_counter()
            folds.append(
                {
                    "seconds": round(now - started[0], 1),
                    "predictions": [
                        {
                            "text": r.message,
                            "expected": r.intent_target,
                            "predicted": r.intent_prediction,
                            "confidence": r.confidence,
                        }
                        for r in intent_results[before:]
                    ],
                }
            )
            started[0] = now
        return result

    nlu_test.combine_result = recording_combine_result


def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--nlu", default="data/nlu")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    folds: List[Dict[str, Any]] = []
    _install_recorder(folds)
    from rasa.__main__ import main as rasa_main

    args.out.mkdir(parents=True, exist_ok=True)
    sys.argv = [
        "rasa",
        "test",
        "nlu",
        "--cross-validation",
        "--folds",
        str(args.folds),
        "--config",
        args.config,
        "--nlu",
        args.nlu,
        "--out",
        str(args.out),
        "--no-plot",
    ]
    rasa_main()
    (args.out / FOLD_PREDICTIONS).write_text(
        json.dumps(folds, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return 0 if len(folds) == args.folds else 1


if __name__ == "__main__":
    sys.exit(main())
