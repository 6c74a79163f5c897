"""Cost of the model: size on disk and training time, cold and warm.

    python -m tools.bench.cost                                  # model size only
    python -m tools.bench.cost --train-cold --train-warm        # + two trainings (minutes each)
    python -m tools.bench.cost --cold-seconds 420 --warm-seconds 12 --note "make train, 2 cores"

Training uses Rasa's own cache: Rasa 3.6 keeps it in `RASA_CACHE_DIRECTORY` (default
`.rasa/cache`). A cold run trains into an empty temporary cache and a temporary output
directory (`rasa train --out <tmp> --fixed-model-name x`); a warm run trains again with the
same cache into another empty output directory (so Rasa's "nothing changed" shortcut does
not apply, but every cached component is restored). `--train-warm` does a cold run first to
fill the cache. models/ and .rasa/ are left alone. Training figures from earlier runs are
kept in reports/bench/cost.json until measured or given again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"
REPORT = ROOT / "reports" / "bench" / "cost.json"
MIB = 2**20


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def model_size(path: Path) -> dict:
    """Compressed and unpacked size, and the unpacked size of each graph component."""
    components: Dict[str, int] = defaultdict(int)
    unpacked = 0
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            unpacked += member.size
            parts = Path(member.name.lstrip("/")).parts
            name = parts[1] if len(parts) > 2 and parts[0] == "components" else parts[0]
            components[name] += member.size
    ranked = sorted(components.items(), key=lambda item: -item[1])
    return {
        "path": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "compressed_mib": round(path.stat().st_size / MIB, 2),
        "unpacked_mib": round(unpacked / MIB, 2),
        "components_mib": {name: round(size / MIB, 3) for name, size in ranked},
    }


def directory_mib(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MIB, 2)


def train_once(cache: Path, out: Path, config: Path) -> dict:
    """One `rasa train` with `cache` as Rasa's cache directory; wall-clock seconds."""
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)}
    command = ["rasa", "train", "--config", str(config), "--domain", "domain.yml", "--data"]
    command += ["data", "--out", str(out), "--fixed-model-name", "x"]
    log = out.parent / f"{out.name}.log"
    start = time.monotonic()
    with log.open("w") as handle:
        code = subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    model = out / "x.tar.gz"
    if code.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train failed ({code.returncode}): {log.read_text()[-2000:]}")
    return {
        "seconds": round(seconds, 1),
        "measured_at": now(),
        "source": "measured by tools.bench.cost",
        "config": str(config),
        "cache_after_mib": directory_mib(cache),
        "loadavg_at_end": list(os.getloadavg()),
    }


def measure_training(cold: bool, warm: bool, config: Path) -> Dict[str, dict]:
    results: Dict[str, dict] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-cost-"))
    try:
        cache = tmp / "cache"
        cache.mkdir()
        if cold or warm:
            print("training cold (empty cache) ...", flush=True)
            results["cold"] = train_once(cache, tmp / "cold", config)
        if warm:
            print("training warm (same cache) ...", flush=True)
            results["warm"] = train_once(cache, tmp / "warm", config)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def given(seconds: float, note: Optional[str]) -> dict:
    return {"seconds": seconds, "measured_at": now(), "source": note or "given on the command line"}


# the same fingerprint as scripts/train.sh computes for models/assistant.inputs.sha256
FINGERPRINT = (
    "inputs=$(find config.yml domain.yml data rasa_plugins/nlu -type f "
    "\\( -name '*.yml' -o -name '*.py' \\) | sort); "
    "(cat $inputs; grep -i '^rasa' requirements/base.lock | cut -d' ' -f1) "
    "| sha256sum | cut -d' ' -f1"
)


def inputs_fingerprint() -> Optional[str]:
    """The training inputs' fingerprint in the working tree now."""
    done = subprocess.run(["bash", "-c", FINGERPRINT], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or None


def model_fingerprint() -> Optional[str]:
    stamp = ROOT / "models" / "assistant.inputs.sha256"
    return stamp.read_text().strip() if stamp.exists() else None


def previous_training(path: Path) -> Dict[str, dict]:
    try:
        return dict(json.loads(path.read_text()).get("training", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="model size and training time")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--train-cold", action="store_true", help="train with an empty cache")
    parser.add_argument("--train-warm", action="store_true", help="then again with that cache")
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--cold-seconds", type=float, help="a cold training time measured before")
    parser.add_argument("--warm-seconds", type=float, help="a warm training time measured before")
    parser.add_argument("--note", help="where the given figures come from")
    parser.add_argument("--out", type=Path, default=REPORT)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if not args.model.exists():
        print(f"{args.model} is missing: run `make train`", file=sys.stderr)
        return 1
    training = previous_training(args.out)
    if args.cold_seconds is not None:
        training["cold"] = given(args.cold_seconds, args.note)
    if args.warm_seconds is not None:
        training["warm"] = given(args.warm_seconds, args.note)
    training.update(measure_training(args.train_cold, args.train_warm, args.config))
    fingerprint = inputs_fingerprint()
    for entry in training.values():
        entry.setdefault("training_inputs_sha256", fingerprint)
    report = {
        "generated_at": now(),
        "host": {"cpus": os.cpu_count()},
        "model": {**model_size(args.model), "training_inputs_sha256": model_fingerprint()},
        "working_tree_inputs_sha256": fingerprint,
        "training": training,
        "notes": (
            "cold: empty RASA_CACHE_DIRECTORY; warm: the same cache, a new output directory. "
            "Each training entry carries the fingerprint of the inputs it was measured on."
        ),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
