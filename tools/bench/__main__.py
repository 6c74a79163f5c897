"""The whole benchmark in one go, then docs/benchmarks.md.

    python -m tools.bench [--quick] [--data f.yml ...]

Runs, each as its own process and in this order: tools.bench.accuracy (the held-out set
tests/evaluation/utterances.yml plus every --data file), tools.bench.variants (the intent
model's variants on the development sets), in full mode tools.bench.curve (the learning
curve), tools.bench.cost (model size; full mode
also a cold and a warm training), tools.bench.speed, tools.bench.profile_turn, and finally
tools.bench.report. Each step's output goes to the terminal and to reports/bench/logs/<step>.log;
its wall time and exit code are recorded in reports/bench/run.json, which the report reads
("This run took ..."). A failing step is reported there and makes the exit code 1, but the
later steps still run. --quick passes --quick to the steps that have it and skips training.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from tools.bench import report as bench_report
from tools.bench.report import commit

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports" / "bench"
LOGS = REPORTS / "logs"
RUN_RECORD = REPORTS / "run.json"
MODEL = ROOT / "models" / "assistant.tar.gz"
HELD_OUT = Path("tests/evaluation/utterances.yml")

# Seconds per step on 2 shared cores when no earlier run of the same mode is recorded. Each
# of accuracy, speed and profile loads the model once (about 40 s).
DEFAULT_ESTIMATES = {
    "quick": {"accuracy": 60, "variants": 150, "cost": 5, "speed": 110, "profile": 80, "report": 2},
    "full": {
        "accuracy": 90,
        "variants": 150,
        "curve": 480,
        "cost": 600,
        "speed": 450,
        "profile": 150,
        "report": 2,
    },
}
# The accuracy step trains what it cannot reuse: the TF-IDF baseline (both modes, ~2 min),
# the rasa init baseline and the cross-validation folds (full mode, many minutes).
BASELINE_STAMPS = {
    "quick": [REPORTS / "models" / "tfidf_logreg.json"],
    "full": [
        REPORTS / "models" / "tfidf_logreg.json",
        REPORTS / "models" / "rasa_init.json",
        REPORTS / "cv" / "stamp.json",
    ],
}
FIRST_ACCURACY_ESTIMATE = {"quick": 170, "full": 1800}


@dataclass(frozen=True)
class Step:
    name: str
    module: str
    args: List[str]

    @property
    def argv(self) -> List[str]:
        return [sys.executable, "-m", self.module, *self.args]

    @property
    def command(self) -> str:
        return " ".join(["python", "-m", self.module, *self.args])


def data_files(extra: Sequence[Path]) -> List[Path]:
    """The held-out set first, then the other files once each, in the order given."""
    files = [HELD_OUT]
    for path in extra:
        if path not in files:
            files.append(path)
    return files


def plan(quick: bool, extra_data: Sequence[Path]) -> List[Step]:
    """The measuring steps; the report is run after them."""
    quick_flag = ["--quick"] if quick else []
    data = [arg for path in data_files(extra_data) for arg in ("--data", str(path))]
    training = [] if quick else ["--train-cold", "--train-warm"]
    return [
        Step("accuracy", "tools.bench.accuracy", [*quick_flag, *data]),
        Step("variants", "tools.bench.variants", []),
        *([] if quick else [Step("curve", "tools.bench.curve", [])]),
        Step("cost", "tools.bench.cost", training),
        Step("speed", "tools.bench.speed", quick_flag),
        Step("profile", "tools.bench.profile_turn", quick_flag),
    ]


def report_step() -> Step:
    return Step("report", "tools.bench.report", [])


def estimates(mode: str, previous: Optional[Dict[str, Any]]) -> Dict[str, float]:
    """Seconds per step: the last recorded run of the same mode, else the defaults.

    The accuracy step's time depends on what it can reuse, not on the last run: the default,
    or the first-run figure when a baseline or the cross-validation has never been made.
    """
    guess: Dict[str, float] = dict(DEFAULT_ESTIMATES[mode])
    if previous and previous.get("mode") == mode:
        for step in previous.get("steps") or []:
            if step.get("seconds") is not None and not step.get("exit_code"):
                guess[step["name"]] = float(step["seconds"])
    guess["accuracy"] = DEFAULT_ESTIMATES[mode]["accuracy"]
    if not all(stamp.exists() for stamp in BASELINE_STAMPS[mode]):
        guess["accuracy"] = FIRST_ACCURACY_ESTIMATE[mode]
    return guess


def read_previous(path: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def minutes(seconds: float) -> str:
    whole, rest = divmod(int(round(seconds)), 60)
    return f"{whole} min {rest:02d} s" if whole else f"{rest} s"


def print_budget(steps: Sequence[Step], guess: Dict[str, float], recorded: bool) -> None:
    names = [s.name for s in steps] + ["report"]
    total = sum(guess.get(name, 0) for name in names)
    source = "the last run of this mode" if recorded else "defaults for 2 cores"
    parts = ", ".join(f"{name} ~{minutes(guess.get(name, 0))}" for name in names)
    print(f"bench: time budget about {minutes(total)} ({source}): {parts}", flush=True)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_step(step: Step, logs: Path) -> Dict[str, Any]:
    """Runs one step, echoing its output and keeping it in logs/<name>.log."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{step.name}.log"
    print(f"\n==> {step.name}: {step.command}", flush=True)
    start = time.monotonic()
    with log.open("w", encoding="utf-8") as handle:
        try:
            process = subprocess.Popen(
                step.argv,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
        except OSError as error:
            handle.write(f"could not start: {error}\n")
            code = 127
        else:
            assert process.stdout is not None
            for line in process.stdout:
                sys.stdout.write(line)
                handle.write(line)
            code = process.wait()
    seconds = round(time.monotonic() - start, 1)
    outcome = "ok" if code == 0 else f"FAILED (exit code {code})"
    print(f"<== {step.name}: {outcome} in {minutes(seconds)}", flush=True)
    return {
        "name": step.name,
        "command": step.command,
        "seconds": seconds,
        "exit_code": code,
        "log": str(log.relative_to(ROOT) if log.is_relative_to(ROOT) else log),
    }


def write_record(path: Path, record: Dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="short runs, no training")
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        default=[],
        help="a further evaluation file for the accuracy step (repeatable)",
    )
    return parser.parse_args(argv)


def check_inputs(extra_data: Sequence[Path]) -> List[str]:
    problems = [] if MODEL.exists() else [f"{MODEL.relative_to(ROOT)} is missing: `make train`"]
    problems += [f"{p} does not exist" for p in data_files(extra_data) if not (ROOT / p).exists()]
    return problems


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    problems = check_inputs(args.data)
    if problems:
        print("bench: " + "; ".join(problems), file=sys.stderr)
        return 2
    mode = "quick" if args.quick else "full"
    steps = plan(args.quick, args.data)
    previous = read_previous(RUN_RECORD)
    guess = estimates(mode, previous)
    print_budget(steps, guess, bool(previous and previous.get("mode") == mode))
    if guess["accuracy"] == FIRST_ACCURACY_ESTIMATE[mode]:
        print("bench: the accuracy step first trains what it cannot reuse (baselines, CV)")
    command = " ".join(["python -m tools.bench", *(argv if argv is not None else sys.argv[1:])])
    record: Dict[str, Any] = {
        "command": command.strip(),
        "mode": mode,
        "started_at": now(),
        "commit": commit(),
        "steps": [],
    }
    for step in steps:
        record["steps"].append(run_step(step, LOGS))
    record["finished_at"] = now()
    write_record(RUN_RECORD, record)
    report = run_step(report_step(), LOGS)
    results = [*record["steps"], report]
    failed = [r["name"] for r in results if r["exit_code"]]
    total = sum(r["seconds"] for r in results)
    written = "docs/benchmarks.md written" if not report["exit_code"] else "no report written"
    print(f"\nbench: {mode} run took {minutes(total)}; {written}", flush=True)
    if failed:
        print(f"bench: failed steps: {', '.join(failed)} (see reports/bench/logs/)", flush=True)
        return 1
    return regression_check(REPORTS)


def speed_regressions(reports: Path) -> List[str]:
    """The speed targets of docs/benchmarks.md this run missed (latency, throughput)."""
    inputs = bench_report.load_inputs(reports, bench_report.FINDINGS)
    speed = inputs.parts.get("speed")
    return [t.name for t in bench_report.speed_targets(speed) if t.met is False]


def regression_check(reports: Path) -> int:
    """Latency belongs here, not in the test command: a missed speed target fails `make bench`."""
    missed = speed_regressions(reports)
    if missed:
        print(f"bench: speed regression, targets missed: {'; '.join(missed)}", flush=True)
        return 1
    print("bench: every speed target met", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
