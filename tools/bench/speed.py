"""Speed and load benchmark of the whole stack; how to run every benchmark module.

All commands from the repository root after `source scripts/env.sh`; each module writes JSON
under reports/bench/ and plots under docs/images/bench/. The model is used as it is
(models/assistant.tar.gz); nothing here trains except `tools.bench.cost --train-*`.

    python -m tools.bench.speed [--quick] [--repeats 3] [--duration 20]
        Starts backend (fresh SQLite in a temp dir), action server and Rasa server once,
        measures start-to-ready, idle RSS, warms up, then runs each load point as a separate
        `tools.bench.load` process: closed loop at 1, 5, 20, 50 users and 50 users with 1 s think
        time, `--repeats` times each, sampling RSS meanwhile. Writes reports/bench/speed.json
        and docs/images/bench/throughput_latency.png. Full: about 7 min (start-up ~0.5-1
        min, warm-up 8 s, 15 runs of 20 s plus their drain); --quick (one 5-second run per
        point): 1.5-2 min.
    python -m tools.bench.load --url http://127.0.0.1:5005 --model closed --users 20 --duration 20
        The load generator alone against a running assistant (`make run`); see its --help.
    python -m tools.bench.stack
        Starts the stack, prints start-to-ready and idle RSS, stops it.
    python -m tools.bench.cost [--train-cold] [--train-warm] [--cold-seconds S --warm-seconds S]
        Model size on disk; optional cold (empty cache) and warm (same cache) training runs,
        or figures measured earlier. Writes reports/bench/cost.json.
    python -m tools.bench.profile_turn [--conversations 20] [--quick]
        Loads the model in-process against a real action server and backend, times NLU,
        policy prediction and action-server calls per turn, times the backend look-ups, and
        runs cProfile over a batch of turns. Writes reports/bench/profile.json.

Figures on a shared 2-core machine are noisy; the JSON records the host's CPU count and load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from tools.bench.calibration import calibration_ms
from tools.bench.stack import RssSampler, Stack, sample_idle, start_stack, summarize_rss
from tools.servers import IDENTITY_SECRET

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "reports" / "bench" / "speed.json"
PLOT = ROOT / "docs" / "images" / "bench" / "throughput_latency.png"


@dataclass(frozen=True)
class Point:
    model: str
    users: int
    think_time: float = 0.0

    @property
    def label(self) -> str:
        if self.model == "think":
            return f"{self.users} users, {self.think_time:g} s think"
        return f"{self.users} concurrent"


POINTS = [Point("closed", 1), Point("closed", 5), Point("closed", 20), Point("closed", 50)]
POINTS.append(Point("think", 50, 1.0))
METRICS = ("turns_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "error_count")


def host_info() -> dict:
    return {
        "cpus": os.cpu_count(),
        "loadavg_at_start": list(os.getloadavg()),
        "calibration_ms_at_start": calibration_ms(),
    }


def run_load(url: str, point: Point, duration: float, out: Path, seed: int = 0) -> dict:
    """One `tools.bench.load` process; returns its summary."""
    command = [sys.executable, "-m", "tools.bench.load", "--url", url, "--model", point.model]
    command += ["--users", str(point.users), "--duration", str(duration), "--seed", str(seed)]
    command += ["--out", str(out), "--identity-secret", IDENTITY_SECRET]
    if point.model == "think":
        command += ["--think-time", str(point.think_time)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=duration + 60)
    return json.loads(out.read_text())


def flatten(result: dict) -> Dict[str, float]:
    latency = result["latency_ms"]
    return {
        "turns_per_s": result["turns_per_s"],
        "p50_ms": latency["p50"],
        "p95_ms": latency["p95"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "error_count": result["error_count"],
    }


def aggregate(runs: Sequence[Dict[str, float]]) -> Dict[str, dict]:
    """Median, min and max over repeats of each metric (None values left out)."""
    summary = {}
    for metric in METRICS:
        values = [run[metric] for run in runs if run.get(metric) is not None]
        summary[metric] = {
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
        }
    return summary


def measure_point(stack: Stack, point: Point, repeats: int, duration: float, tmp: Path) -> dict:
    runs, samples = [], {"rasa": [], "action_server": []}
    cpu: Dict[str, List[float]] = {"rasa": [], "action_server": []}
    for repeat in range(repeats):
        out = tmp / f"{point.model}-{point.users}-{repeat}.json"
        with RssSampler(stack.pids()) as sampler:
            result = run_load(stack.url, point, duration, out, seed=repeat)
        for name, values in sampler.samples.items():
            samples[name] += values
            if sampler.cpu_percent.get(name) is not None:
                cpu[name].append(sampler.cpu_percent[name])
        result["cpu_percent"] = dict(sampler.cpu_percent)
        runs.append(result)
        print(
            f"  {point.label} #{repeat + 1}: {result['turns_per_s']} turns/s, "
            f"p50 {result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms, "
            f"errors {result['error_count']}, CPU % {result['cpu_percent']}",
            flush=True,
        )
    errors: Dict[str, int] = {}
    for run in runs:
        for kind, count in run["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    return {
        "model": point.model,
        "users": point.users,
        "think_time_s": point.think_time,
        "label": point.label,
        **aggregate([flatten(run) for run in runs]),
        "turns_total": sum(run["turns"] for run in runs),
        "errors_total": errors,
        "mismatches_total": sum(sum(run["mismatches"].values()) for run in runs),
        "rss_samples": samples,
        "cpu_percent_median": {
            name: statistics.median(values) if values else None for name, values in cpu.items()
        },
        "runs": runs,
    }


def rss_under_load(points: List[dict]) -> Dict[str, dict]:
    merged: Dict[str, List[int]] = {}
    for point in points:
        samples = point.pop("rss_samples")
        point["rss_mib"] = {name: summarize_rss(values) for name, values in samples.items()}
        for name, values in samples.items():
            merged.setdefault(name, []).extend(values)
    return {name: summarize_rss(values) for name, values in merged.items()}


def warm_up(stack: Stack, seconds: float, tmp: Path) -> None:
    """Every script a few times, so first-call costs do not land in the first point."""
    run_load(stack.url, Point("closed", 5), seconds, tmp / "warm-up.json")


def plot(points: List[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    closed = [p for p in points if p["model"] == "closed"]
    think = [p for p in points if p["model"] == "think"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))

    def series(axis, chosen, metric, **style):
        xs = [p["users"] for p in chosen]
        mid = [p[metric]["median"] for p in chosen]
        low = [m - p[metric]["min"] for p, m in zip(chosen, mid, strict=True)]
        high = [p[metric]["max"] - m for p, m in zip(chosen, mid, strict=True)]
        axis.errorbar(xs, mid, yerr=[low, high], capsize=3, **style)

    series(left, closed, "turns_per_s", marker="o", label="closed loop, no think time")
    series(left, think, "turns_per_s", marker="s", linestyle="none", label="1 s think time")
    left.set_ylabel("turns / s (median, min-max)")
    left.set_ylim(bottom=0)
    series(right, closed, "p50_ms", marker="o", label="p50, closed loop")
    series(right, closed, "p95_ms", marker="^", label="p95, closed loop")
    series(right, think, "p50_ms", marker="s", linestyle="none", label="p50, 1 s think")
    series(right, think, "p95_ms", marker="D", linestyle="none", label="p95, 1 s think")
    right.set_ylabel("latency per turn, ms")
    right.set_yscale("log")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_xticks([p["users"] for p in closed])
        axis.set_xticklabels([str(p["users"]) for p in closed])
        axis.set_xlabel("simulated users")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("REST turns against the full stack (Rasa + action server + backend)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def measure_all(stack: Stack, quick: bool, repeats: int, duration: float, tmp: Path) -> tuple:
    """Idle RSS, warm-up, every load point, idle RSS again."""
    idle = sample_idle(stack, 3.0)
    warm_up(stack, 3.0 if quick else 8.0, tmp)
    points = [measure_point(stack, p, repeats, duration, tmp) for p in POINTS]
    return idle, points, sample_idle(stack, 2.0)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="speed and load benchmark of the stack")
    parser.add_argument("--quick", action="store_true", help="one 5-second repeat per point")
    parser.add_argument("--repeats", type=int, help="runs per point (default 3; quick: 1)")
    parser.add_argument("--duration", type=float, help="seconds per run (default 20; quick: 5)")
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--plot", type=Path, default=PLOT)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    duration = args.duration or (5.0 if args.quick else 20.0)
    began = time.monotonic()
    host = host_info()
    tmp = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    try:
        stack = start_stack(tmp / "stack")
        print(f"stack ready: {stack.readiness}", flush=True)
        try:
            idle, points, idle_after = measure_all(stack, args.quick, repeats, duration, tmp)
        finally:
            stack.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_rss = rss_under_load(points)
    report = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "host": {
            **host,
            "loadavg_at_end": list(os.getloadavg()),
            "calibration_ms_at_end": calibration_ms(),
        },
        "settings": {"repeats": repeats, "duration_s": duration, "turn_timeout_s": 10.0},
        "readiness": stack.readiness,
        "rss_mib": {"idle": idle, "load": load_rss, "idle_after_load": idle_after},
        "points": points,
        "notes": (
            "turns_per_s counts successful turns over the run's wall time; latencies are of "
            "successful turns; the load generator runs on the same machine; model_load_s is "
            "from Rasa's log timestamps (1 s resolution); cpu_percent is CPU time of the "
            "process tree over wall time (100 = one core busy) during each run, drain included."
        ),
    }
    report["runtime_s"] = round(time.monotonic() - began, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    plot(points, args.plot)
    print(f"wrote {args.out} and {args.plot} in {report['runtime_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
