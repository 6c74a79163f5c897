"""Renders docs/benchmarks.md from the JSON files the benchmark modules write.

    python -m tools.bench.report [--reports reports/bench] [--out docs/benchmarks.md]

Reads whichever of reports/bench/{accuracy,speed,cost,profile}.json exist (a missing one is
rendered as "not measured in this run" with the command that produces it), the step
timings `python -m tools.bench` records in reports/bench/run.json, and the hand-written
tools/bench/findings.md (included verbatim). Every figure in the document is a number from those
files or the machine description; the same inputs render the same text.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports" / "bench"
OUT = ROOT / "docs" / "benchmarks.md"
FINDINGS = ROOT / "tools" / "bench" / "findings.md"
RUN_RECORD = "run.json"
SPEED_PLOT = "docs/images/bench/throughput_latency.png"
PARTS = ("accuracy", "variants", "curve", "speed", "cost", "profile")
COMMANDS = {
    "accuracy": "python -m tools.bench.accuracy [--data f.yml ...]",
    "speed": "python -m tools.bench.speed",
    "cost": "python -m tools.bench.cost --train-cold --train-warm",
    "profile": "python -m tools.bench.profile_turn",
    "variants": "python -m tools.bench.variants",
    "curve": "python -m tools.bench.curve",
}
BASELINES = ("rasa_init", "tfidf_logreg")
SYSTEMS = ("project", *BASELINES)
SYSTEM_NAMES = {
    "project": "project (config.yml)",
    "rasa_init": "rasa init default pipeline",
    "tfidf_logreg": "TF-IDF + logistic regression",
}
MB_PER_MIB = 2**20 / 1e6
NOT_MEASURED = "not measured"
NA = "n/a"

Json = Dict[str, Any]


# --------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Machine:
    cpus: Optional[int]
    memory_gib: Optional[float]
    cpu_model: Optional[str]


@dataclass(frozen=True)
class Context:
    """What the report states about where and when it was rendered."""

    machine: Machine
    rendered_at: str
    commit: str
    loadavg: Tuple[float, float, float]


@dataclass
class Inputs:
    parts: Dict[str, Json] = field(default_factory=dict)
    unreadable: Dict[str, str] = field(default_factory=dict)
    run: Optional[Json] = None
    findings: Optional[str] = None


def read_json(path: Path) -> Tuple[Optional[Json], Optional[str]]:
    """The parsed file, or None and why not (None, None when it does not exist)."""
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return None, f"{path.name} could not be read: {error}"
    if not isinstance(data, dict):
        return None, f"{path.name} does not hold a JSON object"
    return data, None


def load_inputs(reports: Path, findings: Path) -> Inputs:
    inputs = Inputs()
    for part in PARTS:
        data, problem = read_json(reports / f"{part}.json")
        if data is not None:
            inputs.parts[part] = data
        elif problem:
            inputs.unreadable[part] = problem
    inputs.run, _ = read_json(reports / RUN_RECORD)
    if findings.is_file():
        inputs.findings = findings.read_text(encoding="utf-8").strip()
    return inputs


def machine() -> Machine:
    memory, model = None, None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)  # kB -> GiB
    except (OSError, ValueError, IndexError):
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return Machine(os.cpu_count(), memory, model)


def _git(*args: str) -> Optional[str]:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def commit() -> str:
    """Short HEAD, with "+ uncommitted changes" when the tree differs from it.

    The benchmark's own outputs (this document and its plots) are left out of that check:
    they change on every run and are not what was measured.
    """
    head = _git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    status = _git(
        "status",
        "--porcelain",
        "--",
        ".",
        ":(exclude)docs/benchmarks.md",
        ":(exclude)docs/images/bench",
    )
    return f"{head} + uncommitted changes" if status else head


def current_context() -> Context:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load = os.getloadavg()
    return Context(machine(), now, commit(), (load[0], load[1], load[2]))


# --------------------------------------------------------------------------------------
# Formatting


def num(value: Optional[float], digits: int = 1) -> str:
    if value is None:
        return NA
    return f"{value:.{digits}f}"


def frac(value: Optional[float]) -> str:
    """Accuracy-like fractions: 4 decimals, as in the JSON."""
    return num(value, 4)


def ratio(value: Optional[float]) -> str:
    return NA if value is None else f"x{value:.3f}"


def seconds(value: Optional[float]) -> str:
    return NA if value is None else f"{value:.1f} s"


def duration(total: float) -> str:
    minutes, rest = divmod(int(round(total)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def cell(stat: Optional[Json], digits: int = 1) -> str:
    """A {median, min, max} summary as "median (min-max)"; just the median without a spread."""
    if not stat or stat.get("median") is None:
        return NA
    median, low, high = stat["median"], stat.get("min"), stat.get("max")
    if low is None or high is None or low == high:
        return num(median, digits)
    return f"{num(median, digits)} ({num(low, digits)}-{num(high, digits)})"


def spread(stat: Optional[Json], runs: int, digits: int = 1, unit: str = "") -> str:
    """The long form for prose and the targets: "median (min-max) over N runs"."""
    if not stat or stat.get("median") is None:
        return NA
    suffix = f" {unit}" if unit else ""
    if runs <= 1:
        return f"{num(stat['median'], digits)}{suffix} (1 run)"
    low, high = num(stat.get("min"), digits), num(stat.get("max"), digits)
    return f"{num(stat['median'], digits)}{suffix} ({low}-{high}) over {runs} runs"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> List[str]:
    """A markdown table; `align` has an l or r per column (default: first l, the rest r)."""
    align = align or "l" + "r" * (len(headers) - 1)
    marks = ["---:" if a == "r" else "---" for a in align.ljust(len(headers), "r")]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def not_measured(part: str, inputs: Inputs) -> List[str]:
    problem = inputs.unreadable.get(part)
    reason = f" ({problem})" if problem else ""
    return [f"Not measured in this run{reason}: `{COMMANDS[part]}` produces it.", ""]


def parse_time(stamp: Optional[str]) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def provenance(part: str, data: Json, inputs: Inputs) -> List[str]:
    """When and in which mode a part was measured, and whether it predates this run."""
    mode = data.get("mode")
    line = f"Measured {data.get('generated_at', 'at an unrecorded time')}"
    line += f" ({mode} mode)." if mode else "."
    lines = [line]
    started = parse_time((inputs.run or {}).get("started_at"))
    generated = parse_time(data.get("generated_at"))
    if started and generated and generated < started:
        lines.append(
            f"**These figures are from an earlier run**: {part}.json predates this run "
            f"(started {inputs.run['started_at']})."
        )
    return lines + [""]


def relative_link(path: str, doc_dir: str, root: Path) -> str:
    """`path` (relative to `root`) as seen from the document's folder."""
    if posixpath.isabs(doc_dir):
        return posixpath.relpath((root / path).as_posix(), doc_dir)
    return posixpath.relpath(path, doc_dir)


def image(title: str, path: str, doc_dir: str, root: Path) -> List[str]:
    if not (root / path).exists():
        return [f"Plot `{path}` is missing.", ""]
    return [f"![{title}]({relative_link(path, doc_dir, root)})", ""]


def notes(name: str, data: Json) -> List[str]:
    text = data.get("notes")
    return [f"Notes from {name}.json: {text}", ""] if text else []


# --------------------------------------------------------------------------------------
# Reading the figures


def held_out(accuracy: Json) -> Optional[Tuple[str, Json]]:
    datasets = accuracy.get("datasets") or {}
    for name in sorted(datasets):
        if datasets[name].get("held_out"):
            return name, datasets[name]
    return None


def baseline_ratio(dataset: Json, baseline: str) -> Optional[Json]:
    """The JSON's ratios for one baseline, or computed from both systems' accuracies."""
    given = (dataset.get("ratios") or {}).get(baseline)
    if given:
        return given
    results = dataset.get("results") or {}
    project, other = results.get("project"), results.get(baseline)
    if not project or not other:
        return None
    p, b = project.get("overall_accuracy"), other.get("overall_accuracy")
    if p is None or b is None:
        return None
    return {
        "accuracy_ratio": round(p / b, 4) if b else None,
        "error_rate_ratio": round((1 - p) / (1 - b), 4) if b < 1 else None,
        "project_errors": len(project.get("errors") or []),
        "baseline_errors": len(other.get("errors") or []),
    }


def point(speed: Json, model: str, users: Optional[int] = None) -> Optional[Json]:
    for entry in speed.get("points") or []:
        if entry.get("model") == model and (users is None or entry.get("users") == users):
            return entry
    return None


def runs_of(entry: Json, speed: Json) -> int:
    return len(entry.get("runs") or []) or int((speed.get("settings") or {}).get("repeats") or 1)


def saturation(speed: Json) -> Optional[Json]:
    """The closed-loop point with the highest median throughput."""
    closed = [p for p in speed.get("points") or [] if p.get("model") == "closed"]
    closed = [p for p in closed if (p.get("turns_per_s") or {}).get("median") is not None]
    return max(closed, key=lambda p: (p["turns_per_s"]["median"], -p["users"]), default=None)


def errors_total(entry: Json) -> int:
    return int(sum((entry.get("errors_total") or {}).values()))


def errors_text(entry: Json) -> str:
    kinds = entry.get("errors_total") or {}
    total = errors_total(entry)
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{k}: {kinds[k]}" for k in sorted(kinds)) + ")"


def peak_rss(speed: Json, process: str) -> Optional[float]:
    phases = speed.get("rss_mib") or {}
    peaks = [
        (phases.get(phase) or {}).get(process, {}).get("peak_mib")
        for phase in ("idle", "load", "idle_after_load")
    ]
    peaks = [p for p in peaks if p is not None]
    return max(peaks) if peaks else None


# --------------------------------------------------------------------------------------
# Targets


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: Optional[bool]
    reference: str = NA
    vs_reference: str = NA

    @property
    def status(self) -> str:
        if self.met is None:
            return NOT_MEASURED
        return "met" if self.met else "**NOT met**"


# Reference figures from the issue: a `rasa init` bot over REST on this kind of machine.
REF_DEFAULT = "default pipeline and policies"
REF_MEMO = "MemoizationPolicy + RulePolicy only"


def _vs(measured: Optional[float], references: Sequence[Tuple[float, float]]) -> str:
    """measured / reference for each (low, high) reference range, e.g. "x0.66; x0.25-0.27"."""
    if measured is None:
        return NA
    parts = []
    for low, high in references:
        if low == high:
            parts.append(f"x{measured / low:.2f}")
        else:
            parts.append(f"x{measured / high:.2f}-{measured / low:.2f}")
    return "; ".join(parts)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def accuracy_targets(inputs: Inputs) -> List[Target]:
    found = held_out(inputs.parts.get("accuracy") or {})
    if not found:
        rows = [
            Target(f"Held-out accuracy ahead of {b}", "project > baseline", NA, None)
            for b in BASELINES
        ]
        return rows + [Target("Held-out overall accuracy", ">= 0.95", NA, None)]
    _, dataset = found
    results = dataset.get("results") or {}
    project = (results.get("project") or {}).get("overall_accuracy")
    targets = []
    for baseline in BASELINES:
        other = (results.get(baseline) or {}).get("overall_accuracy")
        if project is None or other is None:
            targets.append(
                Target(f"Held-out accuracy ahead of {baseline}", "project > baseline", NA, None)
            )
            continue
        measured = f"{frac(project)} vs {frac(other)}"
        targets.append(
            Target(
                f"Held-out accuracy ahead of {baseline}",
                "project > baseline",
                measured,
                project > other,
            )
        )
    met = None if project is None else project >= 0.95
    targets.append(Target("Held-out overall accuracy", ">= 0.95", frac(project), met))
    return targets


def speed_targets(speed: Optional[Json]) -> List[Target]:
    speed = speed or {}
    top = saturation(speed)
    single = point(speed, "closed", 1)
    think = point(speed, "think")
    targets = []
    if top:
        tps = top["turns_per_s"]
        measured = f"{spread(tps, runs_of(top, speed), 1, 'turns/s')}, at {top['label']}"
        met: Optional[bool] = tps["median"] >= 150
        vs = _vs(tps["median"], ((37, 37), (91, 99)))
    else:
        measured, met, vs = NA, None, NA
    targets.append(
        Target(
            "Saturation throughput, one assistant process",
            ">= 150 turns/s",
            measured,
            met,
            f"37 turns/s ({REF_DEFAULT}); 91-99 turns/s ({REF_MEMO})",
            vs,
        )
    )
    p50 = (single or {}).get("p50_ms") or {}
    targets.append(
        Target(
            "Single-user p50 latency",
            "<= 10 ms",
            spread(p50, runs_of(single, speed), 1, "ms") if single else NA,
            None if p50.get("median") is None else p50["median"] <= 10,
            f"27 ms ({REF_DEFAULT}); 12 ms ({REF_MEMO})",
            _vs(p50.get("median"), ((27, 27), (12, 12))),
        )
    )
    p95 = (think or {}).get("p95_ms") or {}
    label = think["label"] if think else "50 users, 1 s think"
    targets.append(
        Target(
            f"p95 latency under load ({label})",
            "<= 150 ms",
            spread(p95, runs_of(think, speed), 1, "ms") if think else NA,
            None if p95.get("median") is None else p95["median"] <= 150,
        )
    )
    errors = errors_total(think) if think else None
    targets.append(
        Target(
            f"Errors under load ({label})",
            "0",
            f"{errors} in {plural(runs_of(think, speed), 'run')}" if think else NA,
            None if errors is None else errors == 0,
        )
    )
    ready = (speed.get("readiness") or {}).get("start_to_ready_s")
    targets.append(
        Target(
            "Start to ready (backend, action server, Rasa)",
            "<= 10 s",
            f"{seconds(ready)} (1 start)" if ready is not None else NA,
            None if ready is None else ready <= 10,
            f"33 s ({REF_DEFAULT}); 15 s ({REF_MEMO})",
            _vs(ready, ((33, 33), (15, 15))),
        )
    )
    rss = peak_rss(speed, "rasa")
    rss_mb = None if rss is None else rss * MB_PER_MIB
    targets.append(
        Target(
            "Assistant (Rasa) RSS, peak over idle and load",
            "<= 700 MB",
            f"{num(rss_mb, 0)} MB ({num(rss, 1)} MiB)" if rss is not None else NA,
            None if rss_mb is None else rss_mb <= 700,
            f"1.1 GB ({REF_DEFAULT}); 820 MB ({REF_MEMO})",
            _vs(rss_mb, ((1100, 1100), (820, 820))),
        )
    )
    return targets


def training_target(cost: Optional[Json]) -> Target:
    cold = ((cost or {}).get("training") or {}).get("cold") or {}
    value = cold.get("seconds")
    measured = NA if value is None else f"{seconds(value)} cold (1 run)"
    return Target(
        "Full training (`rasa train`, empty cache)",
        "<= 120 s",
        measured,
        None if value is None else value <= 120,
    )


def targets(inputs: Inputs) -> List[Target]:
    return [
        *accuracy_targets(inputs),
        *speed_targets(inputs.parts.get("speed")),
        training_target(inputs.parts.get("cost")),
    ]


# --------------------------------------------------------------------------------------
# Sections


def mode_text(inputs: Inputs) -> str:
    """The run's mode (from run.json, else the parts' own), and each part's."""
    modes = {p: d["mode"] for p, d in sorted(inputs.parts.items()) if d.get("mode")}
    overall = (inputs.run or {}).get("mode")
    if not overall:
        distinct = sorted(set(modes.values()))
        overall = distinct[0] if len(distinct) == 1 else ("mixed" if distinct else NA)
    if not modes:
        return overall
    return f"{overall} (" + ", ".join(f"{part}: {mode}" for part, mode in modes.items()) + ")"


def measured_between(inputs: Inputs) -> str:
    stamps = sorted(d["generated_at"] for d in inputs.parts.values() if d.get("generated_at"))
    if not stamps:
        return "no measurements"
    return stamps[0] if stamps[0] == stamps[-1] else f"{stamps[0]} to {stamps[-1]}"


def loadavg_text(context: Context, inputs: Inputs) -> str:
    def three(values: Sequence[float]) -> str:
        return " / ".join(f"{v:.2f}" for v in values)

    text = f"{three(context.loadavg)} when this report was rendered"
    host = (inputs.parts.get("speed") or {}).get("host") or {}
    if host.get("loadavg_at_start") and host.get("loadavg_at_end"):
        text += (
            f"; {three(host['loadavg_at_start'])} at the start of the speed run, "
            f"{three(host['loadavg_at_end'])} at its end"
        )
    return text


def calibration_text(inputs: Inputs) -> Optional[str]:
    """The speed run's machine calibration (tools/bench/calibration.py), if it recorded one."""
    host = (inputs.parts.get("speed") or {}).get("host") or {}
    start, end = host.get("calibration_ms_at_start"), host.get("calibration_ms_at_end")
    if start is None or end is None:
        return None
    return (
        f"{start:.1f} ms at the start of the speed run, {end:.1f} ms at its end (a fixed Python "
        "workload, `tools/bench/calibration.py`; speed figures compare only between runs whose "
        "calibration agrees)"
    )


def commit_text(context: Context, inputs: Inputs) -> str:
    measured = (inputs.run or {}).get("commit")
    if not measured or measured == context.commit:
        return context.commit
    return f"{measured} when the run started; {context.commit} when this report was rendered"


def header(context: Context, inputs: Inputs) -> List[str]:
    m = context.machine
    memory = f"{num(m.memory_gib, 1)} GiB memory (MemTotal)" if m.memory_gib else "memory unknown"
    cpus = f"{m.cpus} cores (os.cpu_count)" if m.cpus else "cores unknown"
    rows = [
        ["Machine", f"{cpus}, {memory}, CPU {m.cpu_model or 'unknown'}"],
        ["Date", f"rendered {context.rendered_at}; measured {measured_between(inputs)}"],
        ["Commit", commit_text(context, inputs)],
        ["Mode", mode_text(inputs)],
        ["Load average (1 / 5 / 15 min)", loadavg_text(context, inputs)],
    ]
    calibration = calibration_text(inputs)
    if calibration:
        rows.append(["Machine speed", calibration])
    speed_cpus = ((inputs.parts.get("speed") or {}).get("host") or {}).get("cpus")
    if speed_cpus and m.cpus and speed_cpus != m.cpus:
        rows.append(["Note", f"speed.json was measured on {speed_cpus} cores"])
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m tools.bench.report` from the JSON files in `reports/bench/`; "
        "`make bench` measures everything and rewrites this page, `make bench QUICK=1` is "
        "the short developer run.",
        "",
    ]
    return lines + table(["Item", "Value"], rows, "ll") + [""]


def run_summary(inputs: Inputs) -> List[str]:
    run = inputs.run
    if not run:
        return [
            "Step timings were not recorded (rendered by `python -m tools.bench.report` alone; "
            "`python -m tools.bench` records them).",
            "",
        ]
    steps = run.get("steps") or []
    total = sum(s.get("seconds") or 0 for s in steps)
    parts = ", ".join(f"{s['name']} {duration(s.get('seconds') or 0)}" for s in steps)
    lines = [
        f"This run (`{run.get('command', 'python -m tools.bench')}`, "
        f"started {run.get('started_at')}) "
        f"took {duration(total)}: {parts}.",
        "",
    ]
    failed = [s for s in steps if s.get("exit_code")]
    for step in failed:
        lines.append(
            f"- **Step `{step['name']}` failed** (exit code {step['exit_code']}; "
            f"`{step.get('command')}`; output in `{step.get('log')}`)."
        )
    return lines + ([""] if failed else [])


def headline(inputs: Inputs) -> List[str]:
    lines = ["## Headline", ""]
    accuracy = inputs.parts.get("accuracy")
    found = held_out(accuracy) if accuracy else None
    if not found:
        lines += ["Accuracy against the baselines:", "", *not_measured("accuracy", inputs)]
    else:
        name, dataset = found
        lines += ratio_table(name, dataset, accuracy)
    lines += targets_table(inputs)
    return lines


def ratio_table(name: str, dataset: Json, accuracy: Json) -> List[str]:
    results = dataset.get("results") or {}
    project = results.get("project") or {}
    rows = []
    for baseline in BASELINES:
        found = baseline_ratio(dataset, baseline)
        if found is None:
            reason = ((accuracy.get("systems") or {}).get(baseline) or {}).get("reason")
            rows.append([baseline, NA, NA, NA, NA, f"not measured in this run: {reason or ''}"])
            continue
        other = results.get(baseline) or {}
        rows.append(
            [
                baseline,
                f"{frac(project.get('overall_accuracy'))} / {frac(other.get('overall_accuracy'))}",
                ratio(found.get("accuracy_ratio")),
                ratio(found.get("error_rate_ratio")),
                f"{found.get('project_errors', NA)} / {found.get('baseline_errors', NA)}",
                "",
            ]
        )
    headers = ["Project vs", "accuracy (project / baseline)", "accuracy ratio"]
    headers += ["error-rate ratio", "errors (project / baseline)", "note"]
    return [
        f"Held-out set `{name}` ({dataset.get('examples')} examples), same training data for "
        "every system. Accuracy ratio = project accuracy / baseline accuracy (above 1: the "
        "project is ahead); error-rate ratio = project errors / baseline errors (below 1: "
        "fewer errors).",
        "",
        *table(headers, rows, "lrrrrl"),
        "",
    ]


def targets_table(inputs: Inputs) -> List[str]:
    found = targets(inputs)
    rows = [[t.name, t.goal, t.measured, t.status, t.reference, t.vs_reference] for t in found]
    headers = ["Target", "goal", "measured", "status", "reference (rasa init bot)"]
    headers.append("measured / reference")
    lines = ["### Targets", "", *table(headers, rows, "llllll"), ""]
    lines.append(
        "Reference figures are the issue's, for a `rasa init` bot over REST on this kind of "
        "machine; they were not measured by this run. MB = 10^6 bytes (the JSON records MiB)."
    )
    lines.append("")
    missed = [t.name for t in found if t.met is False]
    unknown = [t.name for t in found if t.met is None]
    if missed:
        lines += ["Not met: " + "; ".join(missed) + ".", ""]
    if unknown:
        lines += ["Not measured in this run: " + "; ".join(unknown) + ".", ""]
    return lines


# --------------------------------------------------------------------------------------
# 1. Understanding


def understanding(inputs: Inputs, doc_dir: str, root: Path) -> List[str]:
    lines = ["## 1. Understanding: the project's pipeline against two baselines", ""]
    accuracy = inputs.parts.get("accuracy")
    if not accuracy:
        return lines + not_measured("accuracy", inputs)
    lines += provenance("accuracy", accuracy, inputs)
    lines += systems_table(accuracy)
    datasets = accuracy.get("datasets") or {}
    order = sorted(datasets, key=lambda n: (not datasets[n].get("held_out"), n))
    for name in order:
        lines += dataset_section(name, datasets[name], doc_dir, root)
    lines += cross_validation(accuracy.get("cross_validation"))
    return lines


def systems_table(accuracy: Json) -> List[str]:
    training = accuracy.get("training_data") or {}
    systems = accuracy.get("systems") or {}
    rows = []
    for system in SYSTEMS:
        info = systems.get(system) or {}
        status = info.get("status", "absent")
        if info.get("reason"):
            status += f": {info['reason']}"
        rows.append(
            [
                f"`{system}`",
                SYSTEM_NAMES[system],
                status,
                seconds(info.get("train_seconds")),
                seconds(info.get("predict_seconds")),
            ]
        )
    intents = training.get("intents") or {}
    stale = []
    if (systems.get("project") or {}).get("model_matches_current_inputs") is False:
        stale = [
            "**The evaluated model was trained on other inputs** than the working tree's "
            "config.yml/domain.yml/data/nlu_components (`make train` retrains it).",
            "",
        ]
    return stale + [
        f"Every system learns from the same {training.get('examples', NA)} examples of "
        f"{len(intents)} intents in `{training.get('dir', 'data/nlu')}`. "
        f"Counting: {accuracy.get('counting', NA)}.",
        "",
        *table(["System", "what", "status", "training", "predicting"], rows, "lllrr"),
        "",
    ]


def dataset_section(name: str, dataset: Json, doc_dir: str, root: Path) -> List[str]:
    kind = "held-out set" if dataset.get("held_out") else "further evaluation file"
    lines = [f"### `{name}` ({kind}, {dataset.get('examples', NA)} examples)", ""]
    results = dataset.get("results") or {}
    present = [s for s in SYSTEMS if s in results]
    rows = [metric_row(s, results[s]) for s in present]
    headers = ["System", "overall", "hard", "out-of-scope recall", "in-scope false refusal"]
    headers += ["macro F1", "errors"]
    lines += table(headers, rows) + [""]
    absent = [s for s in SYSTEMS if s not in results]
    if absent:
        lines += ["Not evaluated on this file: " + ", ".join(f"`{s}`" for s in absent) + ".", ""]
    lines += dataset_ratios(dataset)
    lines += per_topic(results, present)
    lines += confusions(results.get("project") or {})
    plots = dataset.get("plots") or {}
    for key, title in (("confusion_project", "Confusion matrix"), ("f1_by_topic", "F1 per topic")):
        if plots.get(key):
            lines += image(f"{title}, {name}", plots[key], doc_dir, root)
    return lines


def metric_row(system: str, result: Json) -> List[str]:
    errors = result.get("errors")
    count = len(errors) if isinstance(errors, list) else NA
    return [
        f"`{system}`",
        frac(result.get("overall_accuracy")),
        frac(result.get("hard_accuracy")),
        frac(result.get("out_of_scope_recall")),
        frac(result.get("in_scope_false_refusal")),
        frac(result.get("macro_f1")),
        f"{count} / {result.get('examples', NA)}",
    ]


def dataset_ratios(dataset: Json) -> List[str]:
    rows = []
    for baseline in BASELINES:
        found = baseline_ratio(dataset, baseline)
        if found:
            rows.append(
                [
                    f"project / `{baseline}`",
                    ratio(found.get("accuracy_ratio")),
                    ratio(found.get("error_rate_ratio")),
                    num(found.get("hard_accuracy_difference"), 4),
                ]
            )
    if not rows:
        return []
    headers = ["Ratio", "accuracy", "error rate", "hard accuracy difference"]
    return table(headers, rows) + [""]


def per_topic(results: Json, present: Sequence[str]) -> List[str]:
    """F1 per topic the file contains (support > 0), sorted by topic."""
    topics: Dict[str, int] = {}
    for system in present:
        for topic, row in (results[system].get("per_topic") or {}).items():
            if row.get("support"):
                topics[topic] = row["support"]
    if not topics:
        return []
    rows = []
    for topic in sorted(topics):
        f1s = [
            frac(((results[s].get("per_topic") or {}).get(topic) or {}).get("f1")) for s in present
        ]
        rows.append([topic, str(topics[topic]), *f1s])
    headers = ["Topic", "examples", *(f"F1 `{s}`" for s in present)]
    return ["F1 per topic:", "", *table(headers, rows), ""]


def confusions(project: Json, limit: int = 5) -> List[str]:
    items = sorted(
        project.get("confusions") or [],
        key=lambda c: (-c.get("count", 0), c.get("expected", ""), c.get("predicted", "")),
    )[:limit]
    if not items:
        return []
    rows = [[c.get("expected", NA), c.get("predicted", NA), str(c.get("count", NA))] for c in items]
    return [
        f"The project's most frequent confusions (top {len(items)}):",
        "",
        *table(["Expected", "predicted", "count"], rows, "llr"),
        "",
    ]


def cross_validation(cv: Optional[Json]) -> List[str]:
    lines = ["### `rasa test nlu --cross-validation` of the project's config", ""]
    if not cv:
        return lines + [
            "Not measured in this run: `python -m tools.bench.accuracy` (full mode).",
            "",
        ]
    status = cv.get("status", NA)
    lines += [f"Command: `{cv.get('command', NA)}` ({status}).", ""]
    per_fold = cv.get("per_fold") or []
    if not per_fold:
        reason = cv.get("reason", "")
        return lines + [
            f"Not measured in this run ({reason}): `python -m tools.bench.accuracy`.",
            "",
        ]
    rows = [
        [
            str(i),
            frac(f.get("accuracy")),
            frac(f.get("macro_f1")),
            frac(f.get("weighted_f1")),
            str(f.get("examples", NA)),
            seconds(f.get("seconds")),
        ]
        for i, f in enumerate(per_fold, 1)
    ]
    headers = ["Fold", "accuracy", "macro F1", "weighted F1", "test examples", "seconds"]
    lines += table(headers, rows) + [""]
    lines += cv_summary(cv, per_fold)
    return lines


def cv_summary(cv: Json, per_fold: Sequence[Json]) -> List[str]:
    lines = []
    for metric in ("accuracy", "macro_f1", "weighted_f1"):
        values = sorted(f[metric] for f in per_fold if f.get(metric) is not None)
        if not values:
            continue
        stat = {"median": statistics.median(values), "min": values[0], "max": values[-1]}
        ms = (cv.get("mean_std") or {}).get(metric) or {}
        lines.append(
            f"- {metric.replace('_', ' ')}: {spread(stat, len(values), 4).replace('runs', 'folds')}"
            f"; mean {frac(ms.get('mean'))} ± {frac(ms.get('std'))}"
        )
    logged = (cv.get("rasa_logged") or {}).get("test") or {}
    if logged:
        figures = ", ".join(
            f"{k} {frac(v.get('mean'))} ({frac(v.get('std'))})" for k, v in sorted(logged.items())
        )
        lines.append(f"- Rasa's own log, test folds, mean (std): {figures}")
    pooled = cv.get("rasa_intent_report_pooled")
    if pooled:
        lines.append(
            f"- Rasa's intent_report.json, all test folds pooled: accuracy "
            f"{frac(pooled.get('accuracy'))}, macro F1 {frac(pooled.get('macro_f1'))}, weighted "
            f"F1 {frac(pooled.get('weighted_f1'))} (nlu_fallback counted as a wrong label)"
        )
    return lines + [""] if lines else []


# --------------------------------------------------------------------------------------
# 2. Speed and load


def speed_section(inputs: Inputs, doc_dir: str, root: Path) -> List[str]:
    lines = ["## 2. Speed and load", ""]
    speed = inputs.parts.get("speed")
    if not speed:
        return lines + not_measured("speed", inputs)
    lines += provenance("speed", speed, inputs)
    settings = speed.get("settings") or {}
    repeats = int(settings.get("repeats") or 1)
    runs_text = "1 run per point (no spread)" if repeats <= 1 else f"{repeats} runs per point"
    lines += [
        f"REST turns against the whole stack (Rasa server, action server, account backend), "
        f"load generator on the same machine: {runs_text} of {num(settings.get('duration_s'))} "
        f"s each, turn timeout {num(settings.get('turn_timeout_s'))} s. "
        "Cells: median (min-max) over the runs.",
        "",
    ]
    rows = [point_row(p) for p in speed.get("points") or []]
    headers = ["Load point", "turns/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    headers += ["turns", "mismatches", "Rasa CPU %"]
    lines += table(headers, rows) + [""]
    top = saturation(speed)
    if top:
        best = spread(top["turns_per_s"], runs_of(top, speed), 1, "turns/s")
        lines += [f"Saturation throughput: {best} at {top['label']}.", ""]
    lines += image("Throughput and latency against simulated users", SPEED_PLOT, doc_dir, root)
    return lines + notes("speed", speed)


def point_row(entry: Json) -> List[str]:
    cpu = (entry.get("cpu_percent_median") or {}).get("rasa")
    return [
        entry.get("label", NA),
        cell(entry.get("turns_per_s")),
        cell(entry.get("p50_ms")),
        cell(entry.get("p95_ms")),
        cell(entry.get("p99_ms")),
        cell(entry.get("max_ms")),
        errors_text(entry),
        str(entry.get("turns_total", NA)),
        str(entry.get("mismatches_total", NA)),
        num(cpu, 0),
    ]


# --------------------------------------------------------------------------------------
# 3. Cost


def cost_section(inputs: Inputs) -> List[str]:
    lines = ["## 3. Cost: training, start-up, size, memory", ""]
    cost, speed, profile = (inputs.parts.get(p) for p in ("cost", "speed", "profile"))
    lines += ["### Training", ""]
    lines += training_rows(cost, inputs) if cost else not_measured("cost", inputs)
    lines += ["### Start-up and model load", ""]
    lines += startup_rows(speed, profile)
    lines += ["### Model size", ""]
    lines += size_rows(cost) if cost else not_measured("cost", inputs)
    lines += ["### Memory (RSS, whole process tree)", ""]
    lines += rss_rows(speed) if speed else not_measured("speed", inputs)
    return lines


def training_rows(cost: Json, inputs: Inputs) -> List[str]:
    lines = provenance("cost", cost, inputs)
    training = cost.get("training") or {}
    model_inputs = (cost.get("model") or {}).get("training_inputs_sha256")
    rows = []
    for kind in sorted(training):
        entry = training[kind]
        same = entry.get("training_inputs_sha256")
        match = NA if not same or not model_inputs else ("yes" if same == model_inputs else "no")
        rows.append(
            [
                kind,
                seconds(entry.get("seconds")),
                entry.get("measured_at", NA),
                entry.get("source", NA),
                match,
            ]
        )
    if not rows:
        return lines + [
            "Training time: not measured in this run: "
            "`python -m tools.bench.cost --train-cold --train-warm` (full `make bench`).",
            "",
        ]
    headers = ["Training", "wall time (1 run)", "measured at", "source", "same inputs as model"]
    return lines + table(headers, rows, "lrlll") + [""] + notes("cost", cost)


def startup_rows(speed: Optional[Json], profile: Optional[Json]) -> List[str]:
    readiness = (speed or {}).get("readiness") or {}
    rows = [
        [
            "Start to ready: all three servers up, Rasa answering (speed.json)",
            seconds(readiness.get("start_to_ready_s")),
        ],
        [
            "Rasa model load, from its log timestamps, 1 s resolution (speed.json)",
            seconds(readiness.get("model_load_s")),
        ],
        [
            "Model load in-process, `load_agent` (profile.json)",
            seconds((profile or {}).get("model_load_in_process_s")),
        ],
    ]
    return table(["Measure (1 start each)", "seconds"], rows) + [""]


def size_rows(cost: Json, limit: int = 3) -> List[str]:
    model = cost.get("model") or {}
    components = model.get("components_mib") or {}
    ranked = sorted(components.items(), key=lambda item: (-item[1], item[0]))[:limit]
    top = ", ".join(f"{name} {num(size, 2)} MiB" for name, size in ranked)
    return [
        f"`{model.get('path', NA)}`: {num(model.get('compressed_mib'), 2)} MiB compressed, "
        f"{num(model.get('unpacked_mib'), 2)} MiB unpacked; largest parts: {top or NA}.",
        "",
    ]


def rss_rows(speed: Json) -> List[str]:
    phases = speed.get("rss_mib") or {}
    rows = []
    for process, name in (("rasa", "Rasa server (assistant)"), ("action_server", "action server")):
        row = [name]
        for phase in ("idle", "load", "idle_after_load"):
            found = (phases.get(phase) or {}).get(process) or {}
            row.append(
                f"{num(found.get('peak_mib'))} ({num(found.get('mean_mib'))})" if found else NA
            )
        rows.append(row)
    headers = ["Process", "idle", "under load, all points", "idle after load"]
    return [
        "MiB, peak (mean) over the samples of each phase:",
        "",
        *table(headers, rows),
        "",
    ]


# --------------------------------------------------------------------------------------
# 4. Where time goes


PROFILE_PARTS = (
    ("total_ms", "whole turn"),
    ("nlu_ms", "NLU (parse_message)"),
    ("policy_ms", "policy prediction"),
    ("action_server_ms", "action server round trips"),
    ("action_validation_ms", "checking the action server's answer"),
    ("other_ms", "other (tracker store, events, responses)"),
    ("actions_per_turn", "actions per turn (count)"),
)


def profile_section(inputs: Inputs) -> List[str]:
    lines = ["## 4. Where the time of one turn goes", ""]
    profile = inputs.parts.get("profile")
    if not profile:
        lines += not_measured("profile", inputs)
    else:
        lines += provenance("profile", profile, inputs)
        lines += breakdown(profile) + top_functions(profile) + side_measures(profile)
        lines += notes("profile", profile)
    lines += ["### What was changed because of it", ""]
    if inputs.findings:
        lines += [inputs.findings, ""]
    else:
        lines += ["`tools/bench/findings.md` is not present: nothing recorded.", ""]
    return lines


def breakdown(profile: Json) -> List[str]:
    per_turn = profile.get("per_turn_ms") or {}
    kinds = [k for k in ("all", "text", "button") if k in per_turn]
    rows = []
    for key, title in PROFILE_PARTS:
        row = [title]
        for kind in kinds:
            found = (per_turn[kind] or {}).get(key) or {}
            row += [num(found.get("mean")), num(found.get("p50")), num(found.get("p95"))]
        rows.append(row)
    headers = ["Part (ms)"]
    for kind in kinds:
        n = ((per_turn[kind] or {}).get("total_ms") or {}).get("n", NA)
        headers += [f"{kind} mean (n={n})", f"{kind} p50", f"{kind} p95"]
    return [
        f"{profile.get('turns_timed', NA)} turns of the scripted conversations, timed in-process:",
        "",
        *table(headers, rows),
        "",
    ]


def top_functions(profile: Json, limit: int = 10) -> List[str]:
    cp = profile.get("cprofile") or {}
    turns = cp.get("turns") or 0
    ranked = sorted(
        cp.get("top_cumulative") or [],
        key=lambda r: (-(r.get("cumulative_s") or 0), r.get("function", "")),
    )[:limit]
    if not ranked:
        return []
    rows = [
        [
            str(i),
            f"`{r.get('function', NA)}`",
            str(r.get("calls", NA)),
            num(r.get("cumulative_s"), 3),
            num(r["cumulative_s"] * 1000 / turns, 1) if turns and r.get("cumulative_s") else NA,
            num(r.get("self_s"), 3),
        ]
        for i, r in enumerate(ranked, 1)
    ]
    headers = ["#", "function", "calls", "cumulative s", "cumulative ms/turn", "own s"]
    return [
        f"cProfile over {turns} turns ({cp.get('conversations', NA)} conversations, "
        f"{seconds(cp.get('wall_s_with_profiler'))} wall with the profiler on), top {len(rows)} "
        "by cumulative time:",
        "",
        *table(headers, rows, "rlrrrr"),
        "",
    ]


def side_measures(profile: Json) -> List[str]:
    lines = []
    check = profile.get("action_answer_schema_check") or {}
    if check:
        lines.append(
            "- Checking one action-server answer against Rasa's events schema: "
            f"`jsonschema.validate` {num(check.get('jsonschema_validate_ms'), 2)} ms, "
            f"a validator built once {num(check.get('reused_validator_ms'), 2)} ms."
        )
    backend = profile.get("backend_lookup_ms") or {}
    for key, title in (
        ("backend_client_new_session", "backend look-up, new HTTP session per call"),
        ("kept_alive_session", "backend look-up, kept-alive session"),
    ):
        found = backend.get(key)
        if found:
            lines.append(
                f"- {title}: p50 {num(found.get('p50'))} ms, p95 {num(found.get('p95'))} ms "
                f"(n={found.get('n', NA)})."
            )
    nlu = profile.get("nlu_parse_alone_ms") or {}
    for kind in sorted(nlu):
        found = nlu[kind]
        lines.append(
            f"- NLU parse alone, {kind}: p50 {num(found.get('p50'))} ms, "
            f"p95 {num(found.get('p95'))} ms (n={found.get('n', NA)})."
        )
    return lines + [""] if lines else []


# --------------------------------------------------------------------------------------
# Model variants for long reports (tools.bench.variants)


def _variant_cells(figures: Json) -> List[str]:
    return [frac(figures.get("overall_accuracy")), frac(figures.get("confidently_wrong"))]


def variants_section(inputs: Inputs) -> List[str]:
    lines = ["### Model variants on the development sets", ""]
    data = inputs.parts.get("variants")
    if not data:
        return lines + not_measured("variants", inputs)
    variants = data.get("variants") or {}
    # every set not in the combined development figure gets its own columns (older reports
    # did not name the combined sets: every "dev" set was in it)
    combined = data.get("development_sets")
    extra = sorted({s for v in variants.values() for s in v.get("per_set", {})})
    extra = [
        s
        for s in extra
        if s != "dev_reports" and (s not in combined if combined else not s.startswith("dev"))
    ]
    headers = ["Variant", "what", "dev sets: accuracy", "confidently wrong"]
    headers += ["dev_reports: accuracy", "confidently wrong"]
    for name in extra:
        headers += [f"{name}: accuracy", "confidently wrong"]
    headers += ["training"]
    rows = []
    for name, result in variants.items():
        per_set = result.get("per_set") or {}
        row = [f"`{name}`", result.get("what", "")]
        row += _variant_cells(result.get("development_sets") or {})
        for set_name in ["dev_reports", *extra]:
            row += _variant_cells(per_set.get(set_name) or {})
        rows.append(row + [seconds(result.get("training_seconds"))])
    examples = next(iter(variants.values()), {}).get("development_sets", {}).get("examples", NA)
    return lines + [
        f"The project's intent model with other settings, trained on the same data and scored "
        f"as the assistant decides, on every development set together ({examples} examples; "
        "never the held-out set). Confidently wrong: a wrong topic above the out-of-scope cut.",
        "",
        *table(headers, rows, "ll" + "r" * (len(headers) - 2)),
        "",
    ]


# --------------------------------------------------------------------------------------
# Learning curve (tools.bench.curve)


def curve_section(inputs: Inputs) -> List[str]:
    lines = ["### Learning curve: development sets against training size", ""]
    data = inputs.parts.get("curve")
    points = (data or {}).get("points") or []
    if not points:
        return lines + not_measured("curve", inputs)
    sets = [key for key in points[0] if key not in ("fraction", "examples", "runs")]
    headers = ["share of the training data", "examples", "draws", *sets]
    rows = [
        [f"{point['fraction']:.0%}", str(point["examples"]), str(point["runs"])]
        + [frac(point.get(name)) for name in sets]
        for point in points
    ]
    first, last = points[0], points[-1]
    before_last = points[-2] if len(points) > 1 else first
    return lines + [
        "The kept model trained on a stratified share of the training data (each intent keeps "
        "its share; a share below 100% is the mean of its draws) and scored like the variants "
        "above (never the held-out set). `development_sets` is the combined figure.",
        "",
        *table(headers, rows, "l" + "r" * (len(headers) - 1)),
        "",
        f"From {first['examples']} to {last['examples']} examples the development sets went "
        f"from {frac(first.get('development_sets'))} to {frac(last.get('development_sets'))}; "
        f"the last step ({before_last['examples']} -> {last['examples']}) added "
        f"{(last['development_sets'] - before_last['development_sets']) * 100:.1f} points.",
        "",
    ]


# --------------------------------------------------------------------------------------
# The document


def render(inputs: Inputs, context: Context, doc_dir: str = "docs", root: Path = ROOT) -> str:
    """The whole document; `doc_dir` (relative to `root`) is where it will live, for links."""
    sections: List[Callable[[], List[str]]] = [
        lambda: header(context, inputs),
        lambda: run_summary(inputs),
        lambda: headline(inputs),
        lambda: understanding(inputs, doc_dir, root),
        lambda: variants_section(inputs),
        lambda: curve_section(inputs),
        lambda: speed_section(inputs, doc_dir, root),
        lambda: cost_section(inputs),
        lambda: profile_section(inputs),
    ]
    lines = [line for section in sections for line in section()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def doc_dir_of(out: Path, root: Path) -> str:
    parent = out.resolve().parent
    try:
        return parent.relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return parent.as_posix()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=REPORTS, help="the JSON files")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--findings", type=Path, default=FINDINGS)
    args = parser.parse_args(argv)
    inputs = load_inputs(args.reports, args.findings)
    text = render(inputs, current_context(), doc_dir_of(args.out, ROOT), ROOT)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    present = ", ".join(sorted(inputs.parts)) or "none"
    print(f"wrote {args.out} (parts: {present})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
