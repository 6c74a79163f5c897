"""Understanding, side by side: the project's pipeline against two baselines on the same data.

    python -m tools.bench.accuracy [--data f.yml ...] [--quick] [--cv-folds N]

Three systems learn from exactly the same examples (data/nlu, every intent including the
conversation intents and `out_of_scope`) and classify every text of each evaluation file
(default tests/evaluation/utterances.yml; any file in tools.evaluate's format):

  project       models/assistant.tar.gz (config.yml), classified by tools.evaluate's code
  rasa_init     the pipeline a new `rasa init` project trains (tools/bench/configs/rasa_init.yml),
                NLU only, trained into the model cache (MODELS below) and reused while its
                inputs are unchanged
  tfidf_logreg  TF-IDF word 1-2 + char_wb 2-5 grams, logistic regression, an out-of-scope
                threshold chosen by cross-validation on the training data (tools.bench.baselines)

A parse that falls back (`nlu_fallback`) counts as `out_of_scope`, as in tools.evaluate.
Optionally (full mode, `--cv-folds N`, default 3) `rasa test nlu --cross-validation` of the
project's config.yml on data/nlu. Writes reports/bench/accuracy.json and plots under
docs/images/bench/. `--quick` never trains a Rasa model and skips the cross-validation
(an up-to-date earlier CV run is still reported).

Trained baselines and the CV are reused while their inputs are unchanged (stamps with a
content fingerprint next to them in reports/bench/); `--retrain` redoes them. `--nlu DIR`
takes the training data from another folder (e.g. a snapshot of the data the evaluated
model was trained on); the report says whether models/assistant.tar.gz matches the current
inputs (scripts/train.sh's stamp). `--time-project-training` also times a cold
`rasa train nlu` of config.yml.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import pickle
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tools.bench.baselines import TfidfLogReg, TfidfSettings
from tools.bench.training_data import fingerprint, load_training_data, nlu_files
from tools.evaluate import FALLS_BACK, OUT_OF_SCOPE, Example, Prediction, load_examples, report

DEFAULT_DATA = Path("tests/evaluation/utterances.yml")
HELD_OUT = DEFAULT_DATA
REPORT = Path("reports/bench/accuracy.json")
WORK = Path("reports/bench")
# The baselines' models live outside the clone, keyed by a fingerprint of their inputs: a
# new clone or worktree on the same machine reuses them (the `rasa init` DIET takes ~30
# minutes on 2 cores), as pip reuses its download cache. BENCH_MODEL_CACHE moves it.
MODELS = Path(
    os.environ.get("BENCH_MODEL_CACHE")
    or Path.home() / ".cache" / "nuget-account-assistant" / "bench-models"
)
CV_DIR = WORK / "cv"
IMAGES = Path("docs/images/bench")
PROJECT_MODEL = Path("models/assistant.tar.gz")
PROJECT_CONFIG = Path("config.yml")
RASA_INIT_CONFIG = Path("tools/bench/configs/rasa_init.yml")
NLU_DIR = Path("data/nlu")
SYSTEMS = ("project", "rasa_init", "tfidf_logreg")
BASELINES = ("rasa_init", "tfidf_logreg")
DEFAULT_CV_FOLDS = 3

# Rasa's own trainings here neither read nor fill the project's cache in .rasa/cache: a
# cold start is what is being timed, and the project's cached DIET must not be evicted.
RASA_ENV = {"RASA_MAX_CACHE_SIZE": "0", "RASA_TELEMETRY_ENABLED": "false"}


# --------------------------------------------------------------------------------------
# Arithmetic (pure, unit-tested)


def _round(value: Optional[float], digits: int = 4) -> Optional[float]:
    return None if value is None else round(value, digits)


def compare(project: Dict[str, Any], baseline: Dict[str, Any]) -> Dict[str, Any]:
    """Project vs one baseline on one data set: the headline ratios.

    accuracy_ratio = project accuracy / baseline accuracy (above 1: the project is better);
    error_rate_ratio = project error rate / baseline error rate (below 1: the project makes
    that fraction of the baseline's errors; 0.5 = half as many). None where undefined.
    """
    p, b = project.get("overall_accuracy"), baseline.get("overall_accuracy")
    if p is None or b is None:
        return {"accuracy_ratio": None, "error_rate_ratio": None, "accuracy_difference": None}
    n = project.get("examples")
    p_err, b_err = 1 - p, 1 - b
    return {
        "accuracy_ratio": _round(p / b) if b else None,
        "error_rate_ratio": _round(p_err / b_err) if b_err > 1e-12 else None,
        "accuracy_difference": _round(p - b),
        "project_errors": round(p_err * n) if n else None,
        "baseline_errors": round(b_err * baseline.get("examples", n)) if n else None,
        "hard_accuracy_difference": (
            _round(project["hard_accuracy"] - baseline["hard_accuracy"])
            if project.get("hard_accuracy") is not None
            and baseline.get("hard_accuracy") is not None
            else None
        ),
    }


def paired(project: Sequence[Prediction], baseline: Sequence[Prediction]) -> Dict[str, Any]:
    """Where the two systems disagree on the same examples, and the exact McNemar test.

    p is the two-sided binomial probability of a split at least this uneven between
    "only the project right" and "only the baseline right" if both were equally good.
    """
    from scipy.stats import binomtest

    if [p.example for p in project] != [b.example for b in baseline]:
        raise ValueError("paired comparison needs the same examples in the same order")
    only_project = sum(
        p.predicted == p.example.topic and b.predicted != b.example.topic
        for p, b in zip(project, baseline, strict=True)
    )
    only_baseline = sum(
        p.predicted != p.example.topic and b.predicted == b.example.topic
        for p, b in zip(project, baseline, strict=True)
    )
    discordant = only_project + only_baseline
    p_value = (
        binomtest(min(only_project, only_baseline), discordant, 0.5).pvalue if discordant else 1.0
    )
    return {
        "only_project_right": only_project,
        "only_baseline_right": only_baseline,
        "mcnemar_exact_p": round(float(min(1.0, p_value)), 4),
    }


def summarise(predictions: Sequence[Prediction]) -> Dict[str, Any]:
    """tools.evaluate's report without the full prediction list, plus the errors."""
    result = report(predictions)
    result.pop("predictions")
    expected = [row["f1"] for row in result["per_topic"].values() if row["support"]]
    # over the topics the file contains (a label only ever predicted would add a 0)
    result["macro_f1"] = _round(sum(expected) / len(expected) if expected else None)
    result["errors"] = [
        {
            "text": p.example.text,
            "expected": p.example.topic,
            "predicted": p.predicted,
            "confidence": round(p.confidence, 4),
            "hard": p.example.hard,
        }
        for p in predictions
        if p.predicted != p.example.topic
    ]
    return result


def mean_std(values: Sequence[float]) -> Dict[str, Optional[float]]:
    """Mean and population standard deviation (numpy's default, as Rasa logs them)."""
    if not values:
        return {"mean": None, "std": None}
    mean = sum(values) / len(values)
    std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return {"mean": round(mean, 4), "std": round(std, 4)}


def fold_metrics(expected: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    """Accuracy, macro F1 and weighted F1 (sklearn's definitions) of one fold."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": round(float(accuracy_score(expected, predicted)), 4),
        "macro_f1": round(
            float(f1_score(expected, predicted, average="macro", zero_division=0)), 4
        ),
        "weighted_f1": round(
            float(f1_score(expected, predicted, average="weighted", zero_division=0)), 4
        ),
        "examples": len(expected),
    }


_RASA_CV_LINE = re.compile(r"\b(train|test) (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")


def parse_rasa_cv_log(text: str) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Rasa's logged CV figures (`test F1-score: 0.912 (0.010)`): per split, mean and std.

    Only the first block (intents) is read; entity blocks repeat the same names later.
    """
    result: Dict[str, Dict[str, Dict[str, float]]] = {}
    for split, metric, mean, std in _RASA_CV_LINE.findall(text):
        result.setdefault(split, {}).setdefault(metric, {"mean": float(mean), "std": float(std)})
    return result


def as_topic(label: Optional[str]) -> str:
    return OUT_OF_SCOPE if not label or label in FALLS_BACK else label


# --------------------------------------------------------------------------------------
# The systems


def _rasa_version() -> str:
    try:
        from importlib.metadata import version

        return version("rasa")
    except Exception:  # pragma: no cover - rasa is installed with the project
        return "unknown"


def _rasa_executable() -> str:
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


def _stamp(path: Path) -> Dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def train_rasa_nlu(
    name: str,
    config: Path,
    nlu_dir: Path,
    allow_training: bool,
    force: bool = False,
    extra_inputs: Sequence[Path] = (),
) -> Dict[str, Any]:
    """`rasa train nlu` into MODELS/<name>.tar.gz unless it is up to date.

    Returns the status (trained / reused / skipped / failed), the model and the training
    time (measured when it was trained; kept in the stamp next to the model).
    """
    model = MODELS / f"{name}.tar.gz"
    stamp_path = MODELS / f"{name}.json"
    inputs = [config, *nlu_files(nlu_dir), *extra_inputs]
    key = fingerprint(inputs, extra=f"rasa=={_rasa_version()}")
    stamp = _stamp(stamp_path)
    status: Dict[str, Any] = {"config": str(config), "model": str(model)}
    up_to_date = model.exists() and stamp.get("fingerprint") == key
    if up_to_date and not force:
        return {**status, **stamp, "status": "reused"}
    if not allow_training:
        reason = "stale (its inputs changed)" if model.exists() else "missing"
        return {
            **status,
            "status": "skipped",
            "reason": f"quick mode does not train: the model is {reason}; "
            "run `python -m tools.bench.accuracy` without --quick to train it",
        }
    MODELS.mkdir(parents=True, exist_ok=True)
    command = [
        _rasa_executable(),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(nlu_dir),
        "--out",
        str(MODELS),
        "--fixed-model-name",
        name,
    ]
    log = MODELS / f"{name}.train.log"
    print(f"accuracy: training {name} ({' '.join(command[1:])}), log in {log}", flush=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        code = subprocess.call(
            command, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **RASA_ENV}
        )
    seconds = round(time.perf_counter() - start, 1)
    if code != 0 or not model.exists():
        return {**status, "status": "failed", "reason": f"rasa exited {code}, see {log}"}
    stamp = {
        "fingerprint": key,
        "train_seconds": seconds,
        "trained_at": _now(),
        "command": " ".join(["rasa", *command[1:]]),
    }
    print(f"accuracy: {name} trained in {seconds} s", flush=True)
    if fingerprint(inputs, extra=f"rasa=={_rasa_version()}") != key:
        stamp_path.unlink(missing_ok=True)  # not reusable: retrained next time
        return {**status, **stamp, "status": "trained", "warning": "inputs changed meanwhile"}
    stamp_path.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    return {**status, **stamp, "status": "trained"}


def model_is_current(model: Path, nlu_dir: Path) -> Optional[bool]:
    """Whether models/assistant.tar.gz is trained on today's inputs (scripts/train.sh's stamp).

    Recomputes the fingerprint exactly as scripts/train.sh does; None when that does not
    apply (another model or another training-data folder) or cannot be computed.
    """
    stamp = model.with_name(model.name.replace(".tar.gz", ".inputs.sha256"))
    if model.resolve() != PROJECT_MODEL.resolve() or nlu_dir.resolve() != NLU_DIR.resolve():
        return None
    if not stamp.exists():
        return None
    script = (  # the two lines of scripts/train.sh that make the fingerprint
        "inputs=$(find config.yml domain.yml data rasa_plugins/nlu -type f "
        "\\( -name '*.yml' -o -name '*.py' \\) | sort); "
        '( (cat $inputs; grep -i "^rasa" requirements/base.lock | cut -d" " -f1) '
        '| sha256sum | cut -d" " -f1 )'
    )
    try:
        current = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(current) and current == stamp.read_text(encoding="utf-8").strip()


def rasa_predict(model: Path, examples: Sequence[Example]) -> Tuple[List[Prediction], float]:
    from tools.evaluate import predict

    start = time.perf_counter()
    predictions = asyncio.run(predict(model, examples))
    return predictions, round(time.perf_counter() - start, 1)


def tfidf_system(
    texts: Sequence[str], intents: Sequence[str], nlu_dir: Path, force: bool = False
) -> Tuple[TfidfLogReg, Dict[str, Any]]:
    """The TF-IDF baseline, trained (threshold by CV) or reused from its pickle."""
    import sklearn

    settings = TfidfSettings()
    description = settings.describe()
    key = fingerprint(
        nlu_files(nlu_dir),
        extra=json.dumps(description, sort_keys=True) + f"sklearn=={sklearn.__version__}",
    )
    path, stamp_path = MODELS / "tfidf_logreg.pkl", MODELS / "tfidf_logreg.json"
    stamp = _stamp(stamp_path)
    if not force and path.exists() and stamp.get("fingerprint") == key:
        with path.open("rb") as handle:
            model = pickle.load(handle)  # written by this function, never fetched
        status = "reused"
    else:
        print(f"accuracy: training tfidf_logreg (threshold by CV on {nlu_dir})", flush=True)
        model = TfidfLogReg(settings).fit(texts, intents)
        MODELS.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(model, handle)
        stamp = {"fingerprint": key, "trained_at": _now(), "train_seconds": model.train_seconds}
        stamp_path.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
        status = "trained"
    info = {
        "status": status,
        "model": str(path),
        "trained_at": stamp.get("trained_at"),
        "train_seconds": model.train_seconds,
        "train_seconds_note": "threshold cross-validation + the final fit",
        "threshold": model.threshold,
        "threshold_selection": model.cv,
        "settings": description,
    }
    return model, info


# --------------------------------------------------------------------------------------
# Cross-validation of the project's pipeline


def cross_validation(nlu_dir: Path, folds: int, force: bool = False) -> Dict[str, Any]:
    """`rasa test nlu --cross-validation` of config.yml on data/nlu (through tools.bench.rasa_cv).

    Reused while config.yml, data/nlu, rasa_plugins/nlu and the fold count are unchanged
    (`force` reruns it). folds=0 runs nothing but still reports an up-to-date earlier run.
    """
    inputs = [PROJECT_CONFIG, *nlu_files(nlu_dir), *sorted(Path("rasa_plugins/nlu").glob("*.py"))]
    stamp_path = CV_DIR / "stamp.json"
    stamp = _stamp(stamp_path)
    allow = folds > 0
    if not allow:
        folds = int(stamp.get("folds") or DEFAULT_CV_FOLDS)
    key = fingerprint(inputs, extra=f"folds={folds} rasa=={_rasa_version()}")
    base = {
        "command": f"rasa test nlu --cross-validation --folds {folds} --config {PROJECT_CONFIG} "
        f"--nlu {nlu_dir} --out {CV_DIR} --no-plot",
        "folds": folds,
        "out": str(CV_DIR),
    }
    reusable = stamp.get("fingerprint") == key and (CV_DIR / "fold_predictions.json").exists()
    if reusable and not force:
        return {**base, **parse_cv_output(CV_DIR), "status": "reused", **stamp}
    if not allow:
        return {
            **base,
            "status": "skipped",
            "reason": "quick mode or --cv-folds 0, and no up-to-date earlier run to report",
        }
    if CV_DIR.exists():
        for stale in CV_DIR.iterdir():
            if stale.is_file():
                stale.unlink()
    CV_DIR.mkdir(parents=True, exist_ok=True)
    log = CV_DIR / "cv.log"
    print(f"accuracy: {base['command']} (log in {log}; several trainings)", flush=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "tools.bench.rasa_cv",
                "--config",
                str(PROJECT_CONFIG),
                "--nlu",
                str(nlu_dir),
                "--folds",
                str(folds),
                "--out",
                str(CV_DIR),
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **RASA_ENV},
        )
    seconds = round(time.perf_counter() - start, 1)
    if code != 0:
        return {**base, "status": "failed", "reason": f"exit {code}, see {log}", "seconds": seconds}
    stamp = {"fingerprint": key, "folds": folds, "seconds": seconds, "run_at": _now()}
    stamp_path.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    print(f"accuracy: cross-validation done in {seconds} s", flush=True)
    return {**base, **parse_cv_output(CV_DIR), "status": "ran", **stamp}


def parse_cv_output(out: Path) -> Dict[str, Any]:
    """Per-fold mean ± std (fallback = out_of_scope), Rasa's logged figures, pooled report."""
    result: Dict[str, Any] = {}
    folds = json.loads((out / "fold_predictions.json").read_text(encoding="utf-8"))
    per_fold = []
    for fold in folds:
        expected = [as_topic(p["expected"]) for p in fold["predictions"]]
        predicted = [as_topic(p["predicted"]) for p in fold["predictions"]]
        per_fold.append({**fold_metrics(expected, predicted), "seconds": fold.get("seconds")})
    result["per_fold"] = per_fold
    result["per_fold_note"] = (
        "each fold's held-out part; nlu_fallback counted as out_of_scope like tools.evaluate; "
        "seconds = training on the other folds + predicting both parts"
    )
    result["mean_std"] = {
        metric: mean_std([fold[metric] for fold in per_fold])
        for metric in ("accuracy", "macro_f1", "weighted_f1")
    }
    log = out / "cv.log"
    if log.exists():
        result["rasa_logged"] = parse_rasa_cv_log(log.read_text(encoding="utf-8", errors="replace"))
        result["rasa_logged_note"] = (
            "Rasa's own per-fold mean (std): weighted F1/precision, nlu_fallback a wrong label"
        )
    intent_report = out / "intent_report.json"
    if intent_report.exists():
        pooled = json.loads(intent_report.read_text(encoding="utf-8"))
        result["rasa_intent_report_pooled"] = {
            "accuracy": _round(pooled.get("accuracy")),
            "macro_f1": _round((pooled.get("macro avg") or {}).get("f1-score")),
            "weighted_f1": _round((pooled.get("weighted avg") or {}).get("f1-score")),
            "note": "intent_report.json: all test folds pooled, nlu_fallback a wrong label",
        }
    return result


# --------------------------------------------------------------------------------------
# Plots


def plot_confusion(summary_predictions: Sequence[Prediction], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({p.example.topic for p in summary_predictions})
    labels += sorted({p.predicted for p in summary_predictions} - set(labels))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for p in summary_predictions:
        matrix[index[p.example.topic], index[p.predicted]] += 1
    size = max(6.0, 0.55 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    shown = np.where(matrix > 0, np.log1p(matrix), 0)  # log colour: errors stay visible
    ax.imshow(shown, cmap="Blues")
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(title, fontsize=10)
    threshold = shown.max() * 0.6 if shown.max() else 1
    for row in range(len(labels)):
        for col in range(len(labels)):
            if matrix[row, col]:
                colour = "white" if shown[row, col] > threshold else "black"
                weight = "normal" if row == col else "bold"
                ax.text(
                    col,
                    row,
                    str(matrix[row, col]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=colour,
                    fontweight=weight,
                )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_f1(results: Dict[str, Dict[str, Any]], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    systems = [s for s in SYSTEMS if s in results]
    topics = sorted(
        {t for s in systems for t, row in results[s]["per_topic"].items() if row["support"]}
    )
    width = 0.8 / max(1, len(systems))
    fig, ax = plt.subplots(figsize=(max(8, 0.7 * len(topics) + 2), 5))
    x = np.arange(len(topics))
    for i, system in enumerate(systems):
        table = results[system]["per_topic"]
        values = [table.get(t, {}).get("f1", 0.0) for t in topics]
        label = f"{system} (accuracy {results[system]['overall_accuracy']})"
        ax.bar(x + (i - (len(systems) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(x)
    ax.set_xticklabels(topics, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("F1")
    lowest = min(
        (row["f1"] for s in systems for row in results[s]["per_topic"].values() if row["support"]),
        default=0,
    )
    bottom = max(0.0, min(0.5, lowest - 0.05))
    ax.set_ylim(bottom, 1.0 + (1.0 - bottom) * 0.18)  # headroom for the legend
    ax.set_yticks([t for t in np.arange(0, 1.01, 0.1) if t >= bottom - 1e-9])
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", ncol=len(systems), frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------------------
# The command


def _split(predictions: Sequence[Prediction], sizes: Sequence[int]) -> List[List[Prediction]]:
    parts, start = [], 0
    for size in sizes:
        parts.append(list(predictions[start : start + size]))
        start += size
    return parts


def headline(dataset: str, data: Dict[str, Any]) -> List[str]:
    lines = [f"{dataset} ({data['examples']} examples)"]
    for system in SYSTEMS:
        r = data["results"].get(system)
        if r is None:
            lines.append(f"  {system:13s} not evaluated")
            continue
        lines.append(
            f"  {system:13s} overall={r['overall_accuracy']} hard={r['hard_accuracy']} "
            f"oos_recall={r['out_of_scope_recall']} false_refusal={r['in_scope_false_refusal']} "
            f"macro_f1={r['macro_f1']} errors={len(r['errors'])}"
        )
    for baseline, ratio in data["ratios"].items():
        lines.append(
            f"  project/{baseline}: accuracy x{ratio['accuracy_ratio']}, "
            f"error rate x{ratio['error_rate_ratio']} (only project right "
            f"{ratio['only_project_right']}, only baseline right {ratio['only_baseline_right']}, "
            f"McNemar p={ratio['mcnemar_exact_p']})"
        )
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="repeatable")
    parser.add_argument("--quick", action="store_true", help="no Rasa training, no CV")
    parser.add_argument("--cv-folds", type=int, default=None, help="0 disables (default 3)")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--model", type=Path, default=PROJECT_MODEL)
    parser.add_argument("--images", type=Path, default=IMAGES)
    parser.add_argument(
        "--nlu",
        type=Path,
        default=NLU_DIR,
        help="training data of the baselines and the CV (default data/nlu: what "
        "models/assistant.tar.gz is trained on; another folder, e.g. a snapshot, must hold "
        "the data the evaluated model was trained on)",
    )
    parser.add_argument("--retrain", action="store_true", help="retrain the baselines, rerun CV")
    parser.add_argument(
        "--time-project-training",
        action="store_true",
        help="also time an NLU-only training of config.yml (full mode; reused while unchanged)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    steps: Dict[str, float] = {}
    data_files = args.data or [DEFAULT_DATA]
    folds = 0 if args.quick else (DEFAULT_CV_FOLDS if args.cv_folds is None else args.cv_folds)
    if args.quick and args.cv_folds:
        print("accuracy: --quick skips the cross-validation (--cv-folds ignored)")

    datasets = {str(path): load_examples(path) for path in data_files}
    everything = [example for examples in datasets.values() for example in examples]
    sizes = [len(examples) for examples in datasets.values()]
    nlu_dir: Path = args.nlu
    training = load_training_data(nlu_dir)
    texts, intents = [t for t, _ in training], [i for _, i in training]

    predictions: Dict[str, List[List[Prediction]]] = {}
    systems: Dict[str, Dict[str, Any]] = {}

    if not args.model.exists():
        print(f"accuracy: {args.model} is missing: run `make train` first", file=sys.stderr)
        return 2

    # Training first (in subprocesses), so no model is held in memory meanwhile.
    # rasa_init: Rasa's default pipeline, NLU only, same data
    start = time.perf_counter()
    rasa_init = train_rasa_nlu(
        "rasa_init",
        RASA_INIT_CONFIG,
        nlu_dir,
        allow_training=not args.quick,
        force=args.retrain,
    )
    steps["rasa_init_train_or_reuse"] = round(time.perf_counter() - start, 1)

    # tfidf_logreg: TF-IDF + logistic regression
    start = time.perf_counter()
    tfidf, info = tfidf_system(texts, intents, nlu_dir, force=args.retrain)
    steps["tfidf_logreg_train_or_reuse"] = round(time.perf_counter() - start, 1)

    # project: the trained model; optionally a timed NLU-only training of config.yml
    project_training: Dict[str, Any] = {}
    if args.time_project_training and not args.quick:
        start = time.perf_counter()
        project_training = train_rasa_nlu(
            "project_nlu",
            PROJECT_CONFIG,
            nlu_dir,
            allow_training=True,
            force=args.retrain,
            extra_inputs=sorted(Path("rasa_plugins/nlu").glob("*.py")),
        )
        steps["project_timed_training"] = round(time.perf_counter() - start, 1)
    project, seconds = rasa_predict(args.model, everything)
    predictions["project"] = _split(project, sizes)
    steps["project_predict"] = seconds
    systems["project"] = {
        "status": "evaluated",
        "config": str(PROJECT_CONFIG),
        "model": str(args.model),
        "model_built_at": dt.datetime.fromtimestamp(args.model.stat().st_mtime, dt.timezone.utc)
        .replace(microsecond=0)
        .isoformat(),
        "train_seconds": project_training.get("train_seconds"),
        "train_seconds_note": (
            f"`rasa train nlu` of {PROJECT_CONFIG} on {nlu_dir}, cold cache, timed here "
            f"({project_training.get('status')}; model {project_training.get('model')}, "
            "not the one evaluated)"
            if project_training.get("train_seconds")
            else "the evaluated model is trained by scripts/train.sh and not timed here "
            "(--time-project-training times an NLU-only training); "
            "cross_validation.per_fold[].seconds times trainings on (k-1)/k of the data"
        ),
        "predict_seconds": seconds,
        "model_matches_current_inputs": model_is_current(args.model, nlu_dir),
        "model_matches_note": "scripts/train.sh's input fingerprint against "
        "models/assistant.inputs.sha256; null when not checkable (--model or --nlu changed)",
    }
    if systems["project"]["model_matches_current_inputs"] is False:
        print(
            f"accuracy: WARNING {args.model} was trained on other inputs than the current "
            "config.yml/domain.yml/data/nlu_components (run `make train`): the systems do "
            "not share their training data",
            file=sys.stderr,
        )

    if rasa_init["status"] in ("trained", "reused"):
        init_predictions, seconds = rasa_predict(Path(rasa_init["model"]), everything)
        predictions["rasa_init"] = _split(init_predictions, sizes)
        rasa_init["predict_seconds"] = seconds
        steps["rasa_init_predict"] = seconds
    systems["rasa_init"] = rasa_init

    start = time.perf_counter()
    labelled = tfidf.predict([e.text for e in everything])
    info["predict_seconds"] = round(time.perf_counter() - start, 2)
    scored = zip(everything, labelled, strict=True)
    predictions["tfidf_logreg"] = _split(
        [Prediction(e, as_topic(label), conf) for e, (label, conf) in scored], sizes
    )
    systems["tfidf_logreg"] = info

    # Scores per data file
    results_by_file: Dict[str, Any] = {}
    args.images.mkdir(parents=True, exist_ok=True)
    for number, (name, examples) in enumerate(datasets.items()):
        results = {s: summarise(predictions[s][number]) for s in SYSTEMS if s in predictions}
        ratios = {
            b: {
                **compare(results["project"], results[b]),
                **paired(predictions["project"][number], predictions[b][number]),
            }
            for b in BASELINES
            if b in results
        }
        stem = Path(name).stem
        confusion_png = args.images / f"confusion_project_{stem}.png"
        f1_png = args.images / f"f1_by_topic_{stem}.png"
        plot_confusion(
            predictions["project"][number],
            f"project pipeline on {name} (rows expected, columns predicted)",
            confusion_png,
        )
        plot_f1(results, f"F1 per topic on {name}, same training data", f1_png)
        results_by_file[name] = {
            "examples": len(examples),
            "held_out": Path(name) == HELD_OUT,
            "results": results,
            "ratios": ratios,
            "plots": {"confusion_project": str(confusion_png), "f1_by_topic": str(f1_png)},
        }

    # Cross-validation of the project's pipeline
    start = time.perf_counter()
    cv = cross_validation(nlu_dir, folds, force=args.retrain)
    steps["cross_validation"] = round(time.perf_counter() - start, 1)
    steps["total"] = round(time.perf_counter() - started, 1)

    import sklearn

    document = {
        "generated_at": _now(),
        "mode": "quick" if args.quick else "full",
        "command": "python -m tools.bench.accuracy "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "versions": {"rasa": _rasa_version(), "scikit-learn": sklearn.__version__},
        "training_data": {
            "dir": str(nlu_dir),
            "fingerprint": fingerprint(nlu_files(nlu_dir)),
            "examples": len(training),
            "intents": dict(sorted(Counter(intents).items())),
            "note": "every system learns from these same examples (entity markup stripped "
            "for tfidf_logreg; regex.yml is a RegexFeaturizer pattern for the Rasa pipelines)",
        },
        "counting": "nlu_fallback counts as out_of_scope; tfidf_logreg below its threshold "
        "counts as out_of_scope",
        "headline_metric": "overall_accuracy; ratios.<baseline>.error_rate_ratio = project "
        "errors / baseline errors",
        "systems": systems,
        "datasets": results_by_file,
        "cross_validation": cv,
        "steps_seconds": steps,
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")

    for name, data in results_by_file.items():
        print("\n".join(headline(name, data)))
    if rasa_init["status"] not in ("trained", "reused"):
        print(f"  rasa_init: {rasa_init['status']}: {rasa_init.get('reason')}")
    print(f"  tfidf_logreg threshold: {tfidf.threshold} (CV on {nlu_dir})")
    if cv.get("mean_std"):
        ms = cv["mean_std"]
        print(
            f"cross-validation ({cv['folds']} folds, {cv['status']}): "
            + ", ".join(f"{k}={v['mean']}±{v['std']}" for k, v in ms.items())
        )
    else:
        print(f"cross-validation: {cv['status']} ({cv.get('reason', '')})")
    print(f"report: {args.report}; plots: {args.images}/; {steps['total']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
