"""Retrains with the reviewed examples and shows the evaluation before and after, on every set.

    python -m tools.retrain_reviewed            # make retrain-reviewed

Evaluates the current model on every evaluation set (tests/evaluation/*.yml) and on the
reviewed examples themselves (data/reviewed/nlu.yml, REVIEWED_NLU_FILE), trains a new model
with them, evaluates it the same way and prints the two side by side, so a reviewer sees
whether the new examples helped, and what they cost elsewhere. The reviewed examples' row is
training data scored after training on it: it shows they were learnt, not that the model
generalises (the evaluation sets show that). Writes the figures as JSON with --report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from team_console.report import table
from team_console.review import DEFAULT_FILE, evaluation_dir, load_reviewed, reviewed_file
from tools.evaluate import Example, load_examples, predict, report

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
REVIEWED = "reviewed examples"


def reviewed_examples(path: Path) -> List[Example]:
    return [
        Example(text, intent) for intent, texts in load_reviewed(path).items() for text in texts
    ]


def sets(folder: Path, reviewed: Path) -> Dict[str, List[Example]]:
    found = {file.stem: load_examples(file) for file in sorted(folder.glob("*.yml"))}
    found[REVIEWED] = reviewed_examples(reviewed)
    return {name: examples for name, examples in found.items() if examples}


def evaluate(model: Path, named: Dict[str, List[Example]]) -> Dict[str, Dict[str, Any]]:
    everything = [e for examples in named.values() for e in examples]
    predictions = asyncio.run(predict(model, everything))
    results, start = {}, 0
    for name, examples in named.items():
        part = predictions[start : start + len(examples)]
        start += len(examples)
        result = report(part)
        results[name] = {
            "examples": result["examples"],
            "accuracy": result["overall_accuracy"],
            "confidently_wrong": result["confidently_wrong"],
        }
    return results


def train(out: Path, reviewed: Path) -> None:
    """A new model at out/assistant.tar.gz from data/ (and the reviewed file if outside it)."""
    if out.resolve() == MODEL.parent and reviewed.resolve() == DEFAULT_FILE:
        command = ["bash", "scripts/train.sh"]  # the project's model, with its stamp
    else:
        data = ["data"] + ([] if _inside(reviewed, ROOT / "data") else [str(reviewed)])
        command = ["rasa", "train", "--fixed-model-name", "assistant", "--out", str(out)]
        command += ["--data", *data]
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "FORCE_TRAIN": "1"})


def _inside(path: Path, folder: Path) -> bool:
    return folder.resolve() in path.resolve().parents


def _figure(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def comparison(before: Dict[str, Any], after: Dict[str, Any]) -> str:
    header = (
        "set",
        "examples",
        "accuracy before",
        "after",
        "change",
        "conf. wrong before",
        "after",
    )
    rows = []
    for name, now in after.items():
        was = before.get(name, {})
        change = (
            f"{now['accuracy'] - was['accuracy']:+.3f}"
            if was.get("accuracy") is not None and now["accuracy"] is not None
            else "-"
        )
        rows.append(
            (
                name,
                str(now["examples"]),
                _figure(was.get("accuracy")),
                _figure(now["accuracy"]),
                change,
                _figure(was.get("confidently_wrong")),
                _figure(now["confidently_wrong"]),
            )
        )
    return table(header, rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.retrain_reviewed", description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL, help="the model to compare with")
    parser.add_argument("--out", type=Path, default=MODEL.parent, help="where the new one goes")
    parser.add_argument("--report", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    reviewed = reviewed_file()
    named = sets(evaluation_dir(), reviewed)
    if not args.model.exists():
        print(f"retrain: {args.model} is missing: run `make train` first", file=sys.stderr)
        return 2
    print(f"retrain: {len(named.get(REVIEWED, []))} reviewed examples in {reviewed}")
    before = evaluate(args.model, named)
    train(args.out, reviewed)
    after = evaluate(args.out / "assistant.tar.gz", named)
    print(comparison(before, after))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps({"before": before, "after": after}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
