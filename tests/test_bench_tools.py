"""The benchmark's bookkeeping: repeats, memory, Rasa's log, model size, turn breakdowns."""

from __future__ import annotations

import cProfile
import io
import json
import os
import subprocess
import sys
import tarfile
import time

import pytest

from tools.bench import cost, profile_turn, speed, stack


def test_repeats_give_median_min_and_max_and_skip_missing_values():
    runs = [
        {"turns_per_s": 10.0, "p50_ms": 50.0, "p95_ms": None},
        {"turns_per_s": 14.0, "p50_ms": 40.0, "p95_ms": 90.0},
        {"turns_per_s": 12.0, "p50_ms": 45.0, "p95_ms": 80.0},
    ]
    summary = speed.aggregate(runs)
    assert summary["turns_per_s"] == {"median": 12.0, "min": 10.0, "max": 14.0}
    assert summary["p95_ms"] == {"median": 85.0, "min": 80.0, "max": 90.0}
    assert summary["error_count"] == {"median": None, "min": None, "max": None}


def test_rss_summary_in_mib():
    summary = stack.summarize_rss([100 * 2**20, 300 * 2**20])
    assert summary == {"peak_mib": 300.0, "mean_mib": 200.0, "samples": 2}
    assert stack.summarize_rss([])["peak_mib"] is None


def test_rss_includes_child_processes():
    alone = stack.rss_bytes(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        with_child = stack.rss_bytes(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert alone > 0
    assert with_child > alone
    assert stack.rss_bytes(child.pid) == 0  # gone


def test_sampler_collects_while_running():
    with stack.RssSampler({"me": os.getpid()}, interval=0.05) as sampler:
        time.sleep(0.3)
    summary = sampler.summary()["me"]
    assert summary["samples"] >= 3
    assert summary["peak_mib"] >= summary["mean_mib"] > 1


def test_model_load_time_from_rasa_log(tmp_path):
    log = tmp_path / "rasa.log"
    log.write_text(
        "2026-11-25 02:51:00 INFO     rasa.core.processor  - Loading model models/x.tar.gz...\n"
        "some traceback line without a time\n"
        "2026-11-25 02:51:23 INFO     root  - Rasa server is up and running.\n"
    )
    assert stack.log_times(log) == {"model_load_s": 23.0}
    log.write_text("2026-11-25 02:51:00 INFO  nothing here\n")
    assert stack.log_times(log) == {"model_load_s": None}


def test_model_size_per_component(tmp_path):
    source = tmp_path / "src"
    (source / "components" / "train_DIET1").mkdir(parents=True)
    (source / "components" / "train_DIET1" / "weights").write_bytes(b"x" * 2**20)
    (source / "metadata.json").write_text("{}")
    model = tmp_path / "m.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        archive.add(source, arcname="/")
    size = cost.model_size(model)
    assert size["components_mib"]["train_DIET1"] == 1.0
    assert list(size["components_mib"])[0] == "train_DIET1"
    assert size["unpacked_mib"] == pytest.approx(1.0, abs=0.01)
    assert size["compressed_mib"] < 0.1  # a megabyte of one byte packs to almost nothing


def test_given_training_figures_are_kept_until_replaced(tmp_path, monkeypatch):
    model = tmp_path / "m.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("metadata.json"), io.BytesIO(b""))
    out = tmp_path / "cost.json"
    common = ["--model", str(model), "--out", str(out)]
    assert cost.main([*common, "--cold-seconds", "400", "--note", "make train"]) == 0
    assert cost.main(common) == 0
    training = json.loads(out.read_text())["training"]
    assert training["cold"]["seconds"] == 400
    assert training["cold"]["source"] == "make train"
    assert "warm" not in training


def test_turn_breakdown_splits_text_and_buttons():
    turns = [
        {"kind": "text", "total_ms": 60.0, "nlu_ms": 10.0, "policy_ms": 5.0},
        {"kind": "button", "total_ms": 20.0, "nlu_ms": 4.0, "policy_ms": 3.0},
    ]
    for turn in turns:
        turn.update(action_server_ms=1.0, action_validation_ms=2.0, actions_per_turn=2)
        turn["other_ms"] = turn["total_ms"] - 10
    result = profile_turn.breakdown(turns)
    assert result["all"]["total_ms"]["mean"] == 40.0
    assert result["text"]["nlu_ms"]["mean"] == 10.0
    assert result["button"]["total_ms"]["n"] == 1


def test_timer_wrappers_add_up_per_turn():
    timer = profile_turn.TurnTimer()
    slow = timer.wrap_sync("policy_ms", lambda: sum(range(10_000)))
    slow()
    slow()
    assert timer.counts["policy_ms"] == 2
    assert timer.parts["policy_ms"] > 0
    timer.reset()
    assert timer.parts.get("policy_ms", 0.0) == 0.0


def test_profile_rows_leave_out_the_harness():
    profiler = cProfile.Profile()
    profiler.enable()
    sorted(str(n) for n in range(20_000))
    profiler.disable()
    rows = profile_turn.profile_rows(profiler, "tottime", limit=3)
    assert 1 <= len(rows) <= 3
    assert all("bench/" not in row["function"] for row in rows)
    assert {"function", "calls", "self_s", "cumulative_s"} <= set(rows[0])


def cpu_percent_of(code: str) -> float:
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.3)
        with stack.RssSampler({"child": child.pid}, interval=0.1) as sampler:
            time.sleep(0.8)
    finally:
        child.kill()
        child.wait()
    assert stack.cpu_seconds(child.pid) is None
    return sampler.summary()["child"]["cpu_percent"]


def test_sampler_measures_cpu():
    busy = cpu_percent_of("import time\nend = time.time() + 3\nwhile time.time() < end: pass")
    idle = cpu_percent_of("import time; time.sleep(3)")
    assert busy > 10  # a spinning process; the cores may be shared with other work
    assert idle < 5


def test_a_process_gone_has_no_figures():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with stack.RssSampler({"gone": child.pid}) as sampler:
        pass
    assert sampler.summary()["gone"] == {
        "peak_mib": None,
        "mean_mib": None,
        "samples": 0,
        "cpu_percent": None,
    }
