"""docs/benchmarks.md from synthetic benchmark JSON (no model, no servers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import tools.bench.__main__ as bench_main
from tools.bench import calibration, report
from tools.bench.report import Context, Machine, load_inputs, render, targets

CONTEXT = Context(
    machine=Machine(cpus=2, memory_gib=23.5, cpu_model="Test CPU"),
    rendered_at="2026-01-02T03:04:05+00:00",
    commit="abc1234",
    loadavg=(1.0, 2.0, 3.0),
)
HELD_OUT = "tests/evaluation/utterances.yml"


# --- fixtures with the structure of the real files ------------------------------------


def result(accuracy: float, examples: int = 200, errors: Optional[int] = None) -> Dict[str, Any]:
    wrong = round((1 - accuracy) * examples) if errors is None else errors
    return {
        "overall_accuracy": accuracy,
        "hard_accuracy": accuracy - 0.1,
        "out_of_scope_recall": 0.9,
        "in_scope_false_refusal": 0.01,
        "examples": examples,
        "per_topic": {
            "delete_account": {"precision": 1.0, "recall": 0.9, "f1": 0.95, "support": 20},
            "change_username": {"precision": 0.9, "recall": 1.0, "f1": 0.9474, "support": 18},
            "deny": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0},
        },
        "confusions": [
            {"expected": "delete_account", "predicted": "change_username", "count": 2},
        ],
        "macro_f1": 0.94,
        "errors": [
            {"text": f"t{i}", "expected": "a", "predicted": "b", "confidence": 0.5, "hard": False}
            for i in range(wrong)
        ],
    }


def accuracy_json(
    project: float = 0.96,
    rasa_init: Optional[float] = 0.90,
    tfidf: float = 0.92,
    with_ratios: bool = True,
) -> Dict[str, Any]:
    results = {"project": result(project), "tfidf_logreg": result(tfidf)}
    systems: Dict[str, Any] = {
        "project": {"status": "evaluated", "predict_seconds": 30.0, "train_seconds": None},
        "tfidf_logreg": {"status": "reused", "train_seconds": 100.0, "predict_seconds": 0.1},
        "rasa_init": {"status": "skipped", "reason": "quick mode does not train"},
    }
    if rasa_init is not None:
        results["rasa_init"] = result(rasa_init)
        systems["rasa_init"] = {"status": "reused", "train_seconds": 300.0, "predict_seconds": 20}
    ratios = {}
    for baseline in ("rasa_init", "tfidf_logreg"):
        if baseline in results and with_ratios:
            b = results[baseline]["overall_accuracy"]
            ratios[baseline] = {
                "accuracy_ratio": round(project / b, 4),
                "error_rate_ratio": round((1 - project) / (1 - b), 4),
                "accuracy_difference": round(project - b, 4),
                "project_errors": round((1 - project) * 200),
                "baseline_errors": round((1 - b) * 200),
                "hard_accuracy_difference": round(project - b, 4),
            }
    return {
        "generated_at": "2026-01-01T10:00:00+00:00",
        "mode": "full",
        "training_data": {"dir": "data/nlu", "examples": 2000, "intents": {"a": 1000, "b": 1000}},
        "counting": "nlu_fallback counts as out_of_scope",
        "systems": systems,
        "datasets": {
            HELD_OUT: {
                "examples": 200,
                "held_out": True,
                "results": results,
                "ratios": ratios,
                "plots": {
                    "confusion_project": "docs/images/bench/confusion_project_utterances.png",
                    "f1_by_topic": "docs/images/bench/f1_by_topic_utterances.png",
                },
            }
        },
        "cross_validation": {
            "command": "rasa test nlu --cross-validation --folds 3",
            "folds": 3,
            "status": "ran",
            "per_fold": [
                {"accuracy": 0.95, "macro_f1": 0.94, "weighted_f1": 0.95, "examples": 700},
                {"accuracy": 0.97, "macro_f1": 0.96, "weighted_f1": 0.97, "examples": 700},
                {"accuracy": 0.96, "macro_f1": 0.95, "weighted_f1": 0.96, "examples": 700},
            ],
            "mean_std": {
                "accuracy": {"mean": 0.96, "std": 0.0082},
                "macro_f1": {"mean": 0.95, "std": 0.0082},
                "weighted_f1": {"mean": 0.96, "std": 0.0082},
            },
        },
    }


def stat(median: float, low: float, high: float) -> Dict[str, float]:
    return {"median": median, "min": low, "max": high}


def speed_point(
    model: str, users: int, tps: float, p50: float, p95: float, errors: int = 0
) -> Dict[str, Any]:
    runs = [{"turns_per_s": tps, "error_count": errors} for _ in range(3)]
    return {
        "model": model,
        "users": users,
        "think_time_s": 1.0 if model == "think" else 0.0,
        "label": f"{users} users, 1 s think" if model == "think" else f"{users} concurrent",
        "turns_per_s": stat(tps, tps - 2, tps + 2),
        "p50_ms": stat(p50, p50 - 1, p50 + 1),
        "p95_ms": stat(p95, p95 - 1, p95 + 1),
        "p99_ms": stat(p95 + 10, p95 + 5, p95 + 15),
        "max_ms": stat(p95 + 20, p95 + 20, p95 + 20),
        "error_count": stat(errors, errors, errors),
        "turns_total": 300,
        "errors_total": {"timeout": errors} if errors else {},
        "mismatches_total": 0,
        "cpu_percent_median": {"rasa": 95.0, "action_server": 3.0},
        "runs": runs,
    }


def speed_json(saturation: float = 120.0, p50: float = 8.0, errors: int = 0) -> Dict[str, Any]:
    rss = {"rasa": {"peak_mib": 600.0, "mean_mib": 590.0}}
    rss["action_server"] = {"peak_mib": 45.0, "mean_mib": 44.0}
    return {
        "generated_at": "2026-01-01T10:10:00+00:00",
        "mode": "full",
        "host": {"cpus": 2, "loadavg_at_start": [1.5, 1.2, 1.0], "loadavg_at_end": [1.9, 1.4, 1.1]},
        "settings": {"repeats": 3, "duration_s": 20.0, "turn_timeout_s": 10.0},
        "readiness": {"start_to_root_s": 9.0, "start_to_ready_s": 9.5, "model_load_s": 6.0},
        "rss_mib": {"idle": rss, "load": rss, "idle_after_load": rss},
        "points": [
            speed_point("closed", 1, 60.0, p50, 15.0),
            speed_point("closed", 5, saturation, 40.0, 80.0),
            speed_point("closed", 20, saturation - 10, 150.0, 300.0),
            speed_point("closed", 50, saturation - 20, 400.0, 700.0),
            speed_point("think", 50, 45.0, 12.0, 100.0, errors=errors),
        ],
        "notes": "synthetic",
    }


def cost_json(cold: Optional[float] = 100.0) -> Dict[str, Any]:
    training = {}
    if cold is not None:
        training["cold"] = {
            "seconds": cold,
            "measured_at": "2026-01-01T09:00:00+00:00",
            "source": "measured by tools.bench.cost",
            "training_inputs_sha256": "aaa",
        }
        training["warm"] = {**training["cold"], "seconds": 12.0}
    return {
        "generated_at": "2026-01-01T10:20:00+00:00",
        "host": {"cpus": 2},
        "model": {
            "path": "models/assistant.tar.gz",
            "compressed_mib": 60.0,
            "unpacked_mib": 80.0,
            "components_mib": {"train_DIETClassifier6": 79.0, "train_RulePolicy1": 0.02},
            "training_inputs_sha256": "aaa",
        },
        "training": training,
    }


def profile_json() -> Dict[str, Any]:
    def describe(mean: float) -> Dict[str, float]:
        return {"mean": mean, "p50": mean - 1, "p95": mean + 5, "n": 30}

    parts = ("total_ms", "nlu_ms", "policy_ms", "action_server_ms", "action_validation_ms")
    per_kind = {part: describe(10.0 + i) for i, part in enumerate(parts)}
    rows = [
        {"function": f"mod.py:{i}(f{i})", "calls": 10, "self_s": 0.01, "cumulative_s": 3.0 - i / 10}
        for i in range(12)
    ]
    return {
        "generated_at": "2026-01-01T10:15:00+00:00",
        "mode": "full",
        "model_load_in_process_s": 7.0,
        "turns_timed": 30,
        "per_turn_ms": {"all": per_kind, "text": per_kind, "button": per_kind},
        "backend_lookup_ms": {"kept_alive_session": describe(4.0)},
        "action_answer_schema_check": {"jsonschema_validate_ms": 30.0, "reused_validator_ms": 0.3},
        "cprofile": {
            "conversations": 5,
            "turns": 30,
            "wall_s_with_profiler": 5.0,
            "top_cumulative": list(reversed(rows)),
        },
    }


def write_reports(directory: Path, **parts: Optional[Dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        if data is not None:
            (directory / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    return directory


def rendered(tmp_path: Path, findings: Optional[str] = None, **parts: Any) -> str:
    reports = write_reports(tmp_path / "reports", **parts)
    findings_path = tmp_path / "findings.md"
    if findings is not None:
        findings_path.write_text(findings, encoding="utf-8")
    return render(load_inputs(reports, findings_path), CONTEXT, "docs", tmp_path)


def target_row(text: str, name: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| {name}")]
    assert len(rows) == 1, (name, rows)
    return rows[0]


ALL = {
    "accuracy": accuracy_json(),
    "speed": speed_json(),
    "cost": cost_json(),
    "profile": profile_json(),
}


# --- the targets table -----------------------------------------------------------------


def test_targets_marks_met_and_not_met(tmp_path: Path) -> None:
    text = rendered(tmp_path, **ALL)
    assert "**NOT met**" in target_row(text, "Saturation throughput")  # 120 < 150
    assert "120.0 turns/s (118.0-122.0) over 3 runs" in target_row(text, "Saturation throughput")
    assert "| met |" in target_row(text, "Single-user p50 latency")  # 8 ms <= 10
    assert "| met |" in target_row(text, "p95 latency under load")  # 100 ms <= 150
    assert "| met |" in target_row(text, "Errors under load")
    assert "| met |" in target_row(text, "Start to ready (")  # 9.5 s <= 10
    assert "| met |" in target_row(text, "Assistant (Rasa) RSS")  # 600 MiB = 629 MB
    assert "| met |" in target_row(text, "Full training")  # 100 s <= 120
    assert "| met |" in target_row(text, "Held-out accuracy ahead of rasa_init")
    assert "| met |" in target_row(text, "Held-out accuracy ahead of tfidf_logreg")
    assert "| met |" in target_row(text, "Held-out overall accuracy")  # 0.96 >= 0.95
    assert "Not met: Saturation throughput, one assistant process." in text


def test_targets_not_met_on_the_other_side_of_each_threshold(tmp_path: Path) -> None:
    parts = {
        "accuracy": accuracy_json(project=0.91, rasa_init=0.90, tfidf=0.92),
        "speed": speed_json(saturation=160.0, p50=11.0, errors=2),
        "cost": cost_json(cold=130.0),
        "profile": profile_json(),
    }
    found = {
        t.name: t.met for t in targets(load_inputs(write_reports(tmp_path, **parts), tmp_path))
    }
    assert found["Saturation throughput, one assistant process"] is True
    assert found["Single-user p50 latency"] is False
    assert found["Errors under load (50 users, 1 s think)"] is False
    assert found["Full training (`rasa train`, empty cache)"] is False
    assert found["Held-out accuracy ahead of rasa_init"] is True
    assert found["Held-out accuracy ahead of tfidf_logreg"] is False
    assert found["Held-out overall accuracy"] is False


def test_rss_target_compares_megabytes_not_mebibytes(tmp_path: Path) -> None:
    speed = speed_json()
    for phase in speed["rss_mib"].values():
        phase["rasa"] = {"peak_mib": 680.0, "mean_mib": 670.0}  # 713 MB
    text = rendered(tmp_path, speed=speed)
    assert "**NOT met**" in target_row(text, "Assistant (Rasa) RSS")
    assert "713 MB (680.0 MiB)" in text


def test_reference_figures_and_ratio_to_them(tmp_path: Path) -> None:
    text = rendered(tmp_path, speed=speed_json(saturation=74.0))
    row = target_row(text, "Saturation throughput")
    assert "37 turns/s" in row and "91-99" in row
    assert "x2.00; x0.75-0.81" in row  # 74/37; 74/99-74/91


# --- missing parts -----------------------------------------------------------------------


def test_missing_parts_render_not_measured_with_their_command(tmp_path: Path) -> None:
    text = rendered(tmp_path)
    for command in report.COMMANDS.values():
        assert f"Not measured in this run: `{command}` produces it." in text
    assert "| not measured |" in target_row(text, "Saturation throughput")
    assert "`tools/bench/findings.md` is not present" in text


def test_one_missing_part_leaves_the_others(tmp_path: Path) -> None:
    text = rendered(tmp_path, accuracy=ALL["accuracy"], cost=ALL["cost"])
    assert "Not measured in this run: `python -m tools.bench.speed` produces it." in text
    assert "Not measured in this run: `python -m tools.bench.profile_turn` produces it." in text
    assert "| met |" in target_row(text, "Held-out overall accuracy")


def variant(accuracy: float, wrong: float) -> Dict[str, Any]:
    figures = {"overall_accuracy": accuracy, "confidently_wrong": wrong, "examples": 10}
    return {
        "training_seconds": 40.0,
        "development_sets": figures,
        "per_set": {"dev_reports": figures, "real_dev": figures},
    }


def test_variants_side_by_side_from_the_json(tmp_path: Path) -> None:
    data = {"variants": {"whole_text": variant(0.9, 0.05), "sentence_vote": variant(0.8, 0.1)}}
    text = rendered(tmp_path, variants=data)
    header = next(line for line in text.splitlines() if line.startswith("| Variant"))
    assert "real_dev: accuracy" in header and "dev_reports: accuracy" in header
    assert "| 0.9000 | 0.0500 | 0.9000 | 0.0500 | 0.9000 | 0.0500 | 40.0 s |" in target_row(
        text, "`whole_text`"
    )
    assert "| 0.8000 | 0.1000 |" in target_row(text, "`sentence_vote`")


def test_a_development_set_outside_the_combined_figure_gets_its_own_columns(
    tmp_path: Path,
) -> None:
    result = variant(0.9, 0.05)
    result["per_set"] = {"dev_reports": result["development_sets"], "dev7": {}, "dev8": {}}
    data = {"development_sets": ["dev7", "dev_reports"], "variants": {"whole_text": result}}
    header = next(
        line
        for line in rendered(tmp_path, variants=data).splitlines()
        if line.startswith("| Variant")
    )
    assert "dev8: accuracy" in header
    assert "dev7: accuracy" not in header  # in the combined figure already


def test_learning_curve_from_the_json(tmp_path: Path) -> None:
    def point(fraction: float, examples: int, dev: float) -> Dict[str, Any]:
        runs = 2 if fraction < 1 else 1
        return {
            "fraction": fraction,
            "examples": examples,
            "runs": runs,
            "development_sets": dev,
            "dev9": dev - 0.05,
        }

    curve = {"points": [point(0.5, 500, 0.9), point(1.0, 1000, 0.925)]}
    text = rendered(tmp_path, curve=curve)
    assert "| 50% | 500 | 2 | 0.9000 | 0.8500 |" in text
    assert "| 100% | 1000 | 1 | 0.9250 | 0.8750 |" in text
    assert "the last step (500 -> 1000) added 2.5 points" in text


def test_unreadable_json_is_named(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "reports")
    (reports / "speed.json").write_text("{not json", encoding="utf-8")
    text = render(load_inputs(reports, tmp_path / "none.md"), CONTEXT, "docs", tmp_path)
    assert "speed.json could not be read" in text


def test_training_not_measured_in_quick_cost(tmp_path: Path) -> None:
    text = rendered(tmp_path, cost=cost_json(cold=None))
    assert "| not measured |" in target_row(text, "Full training")
    assert "python -m tools.bench.cost --train-cold --train-warm" in text


def test_skipped_baseline_is_not_measured(tmp_path: Path) -> None:
    text = rendered(tmp_path, accuracy=accuracy_json(rasa_init=None))
    assert "| not measured |" in target_row(text, "Held-out accuracy ahead of rasa_init")
    assert "not measured in this run: quick mode does not train" in target_row(text, "rasa_init")


# --- ratios ------------------------------------------------------------------------------


def test_headline_ratios_come_from_the_json(tmp_path: Path) -> None:
    text = rendered(tmp_path, accuracy=accuracy_json(project=0.96, rasa_init=0.88, tfidf=0.90))
    row = target_row(text, "tfidf_logreg")
    assert "0.9600 / 0.9000" in row
    assert "x1.067" in row  # 0.96 / 0.90
    assert "x0.400" in row  # 0.04 / 0.10
    assert "8 / 20" in row
    assert "x1.091 | x0.333" in target_row(text, "rasa_init")  # 0.96 / 0.88, 0.04 / 0.12


def test_ratios_are_computed_when_the_json_has_none(tmp_path: Path) -> None:
    text = rendered(tmp_path, accuracy=accuracy_json(tfidf=0.90, with_ratios=False))
    assert "x1.067 | x0.400 | 8 / 20" in target_row(text, "tfidf_logreg")


# --- the rest of the document -----------------------------------------------------------


def test_header_states_machine_commit_and_mode(tmp_path: Path) -> None:
    text = rendered(tmp_path, **ALL)
    assert "2 cores (os.cpu_count), 23.5 GiB memory (MemTotal), CPU Test CPU" in text
    assert "| Commit | abc1234 |" in text
    assert "| Mode | full (accuracy: full, profile: full, speed: full) |" in text
    assert "1.00 / 2.00 / 3.00 when this report was rendered" in text


def test_header_states_the_machine_calibration_when_the_speed_run_recorded_it(
    tmp_path: Path,
) -> None:
    assert "| Machine speed |" not in rendered(tmp_path, **ALL)
    speed = speed_json()
    speed["host"].update(calibration_ms_at_start=41.25, calibration_ms_at_end=97.5)
    text = rendered(tmp_path, **{**ALL, "speed": speed})
    assert "| Machine speed | 41.2 ms at the start of the speed run, 97.5 ms at its end" in text


def test_calibration_times_a_fixed_workload() -> None:
    assert calibration.workload() == calibration.workload() > 0
    first = calibration.calibration_ms(repeats=3)
    assert isinstance(first, float) and 0 < first < 60_000


def test_profile_top_ten_by_cumulative_with_ms_per_turn(tmp_path: Path) -> None:
    text = rendered(tmp_path, profile=profile_json())
    assert "| 1 | `mod.py:0(f0)` | 10 | 3.000 | 100.0 | 0.010 |" in text
    assert "| 10 | `mod.py:9(f9)` |" in text
    assert "mod.py:10(f10)" not in text


def test_findings_included_verbatim(tmp_path: Path) -> None:
    findings = "Built the validator once: **-24 ms** per custom action.\n\n- second line"
    text = rendered(tmp_path, findings=findings, profile=profile_json())
    assert findings in text


def test_plots_are_linked_relative_to_docs(tmp_path: Path) -> None:
    images = tmp_path / "docs" / "images" / "bench"
    images.mkdir(parents=True)
    for name in ("confusion_project_utterances.png", "throughput_latency.png"):
        (images / name).write_bytes(b"png")
    text = rendered(tmp_path, **ALL)
    assert "](images/bench/confusion_project_utterances.png)" in text
    assert "](images/bench/throughput_latency.png)" in text
    assert "Plot `docs/images/bench/f1_by_topic_utterances.png` is missing." in text


def test_cross_validation_spread(tmp_path: Path) -> None:
    text = rendered(tmp_path, accuracy=accuracy_json())
    assert "accuracy: 0.9600 (0.9500-0.9700) over 3 folds; mean 0.9600 ± 0.0082" in text


def test_run_record_timings_and_failed_step(tmp_path: Path) -> None:
    run = {
        "command": "python -m tools.bench --quick",
        "mode": "quick",
        "started_at": "2026-01-01T10:05:00+00:00",
        "commit": "0ld0001",
        "steps": [
            {"name": "accuracy", "seconds": 61.0, "exit_code": 0, "command": "x", "log": "a"},
            {"name": "speed", "seconds": 9.5, "exit_code": 1, "command": "y", "log": "b.log"},
        ],
    }
    text = rendered(tmp_path, run=run, **ALL)
    assert "took 1 min 10 s: accuracy 1 min 01 s, speed 10 s." in text
    assert (
        "| Commit | 0ld0001 when the run started; abc1234 when this report was rendered |" in text
    )
    assert "**Step `speed` failed** (exit code 1" in text
    # accuracy.json (10:00) predates the run (10:05): said so; speed.json (10:10) does not
    assert "accuracy.json predates this run" in text
    assert "speed.json predates" not in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = rendered(tmp_path / "a", **ALL)
    shuffled = json.loads(json.dumps(ALL))
    topics = shuffled["accuracy"]["datasets"][HELD_OUT]["results"]["project"]["per_topic"]
    shuffled["accuracy"]["datasets"][HELD_OUT]["results"]["project"]["per_topic"] = dict(
        reversed(list(topics.items()))
    )
    second = rendered(tmp_path / "b", **shuffled)
    assert first == second == rendered(tmp_path / "a", **ALL)


def test_main_writes_the_document(tmp_path: Path) -> None:
    reports = write_reports(tmp_path / "reports", **ALL)
    out = tmp_path / "docs" / "benchmarks.md"
    argv = ["--reports", str(reports), "--out", str(out), "--findings", str(tmp_path / "f.md")]
    assert report.main(argv) == 0
    assert out.read_text(encoding="utf-8").startswith("# Benchmarks\n")


# --- python -m tools.bench ---------------------------------------------------------------------


def commands(steps: List[bench_main.Step]) -> List[str]:
    return [step.command for step in steps]


def test_plan_quick_and_full() -> None:
    quick = commands(bench_main.plan(True, [Path("tests/evaluation/dev3.yml")]))
    assert quick == [
        "python -m tools.bench.accuracy --quick --data tests/evaluation/utterances.yml "
        "--data tests/evaluation/dev3.yml",
        "python -m tools.bench.variants",
        "python -m tools.bench.cost",
        "python -m tools.bench.speed --quick",
        "python -m tools.bench.profile_turn --quick",
    ]
    full = commands(bench_main.plan(False, [Path(HELD_OUT)]))
    assert full[0] == f"python -m tools.bench.accuracy --data {HELD_OUT}"
    assert full[2] == "python -m tools.bench.curve"  # full mode only: about 8 minutes
    assert full[3] == "python -m tools.bench.cost --train-cold --train-warm"


def test_estimates_use_the_last_run_of_the_same_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = {"mode": "quick", "steps": [{"name": "speed", "seconds": 80.0, "exit_code": 0}]}
    assert bench_main.estimates("quick", previous)["speed"] == 80.0
    assert bench_main.estimates("full", previous)["speed"] == 450
    stamp = tmp_path / "stamp.json"
    monkeypatch.setattr(bench_main, "BASELINE_STAMPS", {"quick": [stamp], "full": [stamp]})
    assert bench_main.estimates("full", None)["accuracy"] == 1800  # trains the baselines
    stamp.write_text("{}")
    assert bench_main.estimates("full", None)["accuracy"] == 90  # reuses them


def test_a_failing_step_is_recorded_and_later_steps_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [
        bench_main.Step("bad", "tools.bench._no_such_module", []),
        bench_main.Step("good", "tools.bench.report", ["--help"]),
    ]
    monkeypatch.setattr(bench_main, "plan", lambda quick, data: steps)
    monkeypatch.setattr(
        bench_main, "report_step", lambda: bench_main.Step("report", "json.tool", ["--help"])
    )
    monkeypatch.setattr(bench_main, "RUN_RECORD", tmp_path / "run.json")
    monkeypatch.setattr(bench_main, "LOGS", tmp_path / "logs")
    monkeypatch.setattr(bench_main, "check_inputs", lambda data: [])
    assert bench_main.main(["--quick"]) == 1
    record = json.loads((tmp_path / "run.json").read_text())
    assert [(s["name"], s["exit_code"] != 0) for s in record["steps"]] == [
        ("bad", True),
        ("good", False),
    ]
    assert record["mode"] == "quick" and record["command"] == "python -m tools.bench --quick"
    assert (tmp_path / "logs" / "good.log").read_text().startswith("usage:")


# --- the latency regression check of `make bench` --------------------------------------------


def write_speed(directory, speed) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "speed.json").write_text(json.dumps(speed), encoding="utf-8")


def test_make_bench_fails_when_a_speed_target_is_missed(tmp_path, capsys):
    write_speed(tmp_path, speed_json(saturation=120.0, p50=8.0))  # 120 < 150 turns/s
    assert bench_main.regression_check(tmp_path) == 1
    assert "Saturation throughput" in capsys.readouterr().out


def test_make_bench_passes_when_every_speed_target_is_met(tmp_path, capsys):
    write_speed(tmp_path, speed_json(saturation=180.0, p50=6.0))
    assert bench_main.speed_regressions(tmp_path) == []
    assert bench_main.regression_check(tmp_path) == 0
