"""Where the milliseconds of one turn go: NLU, policy prediction, action server, backend.

    python -m tools.bench.profile_turn [--conversations 20] [--profile-conversations 5] [--quick]

Starts the account backend (fresh SQLite) and the action server (tools.bench.stack), loads the
model in this process with `rasa.core.agent.load_agent` pointing at that action server, and
runs the load generator's scripted conversations through `agent.handle_message`, each turn
with a fresh timer on: the processor's `parse_message` (NLU), `_predict_next_with_tracker`
(policy prediction, once per action in the turn), `EndpointConfig.request` (the HTTP round
trip to the action server, per action name) and `RemoteAction._validate_action_result`
(Rasa checking the action server's answer against its events JSON schema). "other" is the
rest of the turn (tracker store, applying events, domain responses). The backend look-ups
the actions make are timed separately with the actions' own client
(`actions.backend_client`, a new HTTP session per call, as in the action server) and with
one kept-alive session. Then cProfile runs over a further batch of conversations.
Writes reports/bench/profile.json.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import aiohttp

from tools.bench.load import SCRIPTS, Say, Script, metadata_for, next_message, percentile
from tools.bench.stack import start_actions
from tools.servers import IDENTITY_SECRET, MODEL, NO_LIMITS, Backend, start_backend, stop

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "reports" / "bench" / "profile.json"
PARTS = ("nlu_ms", "policy_ms", "action_server_ms", "action_validation_ms")


class TurnTimer:
    """Accumulates time spent in wrapped functions during the current turn."""

    def __init__(self) -> None:
        self.parts: Dict[str, float] = defaultdict(float)
        self.counts: Dict[str, int] = defaultdict(int)
        self.actions: Dict[str, List[float]] = defaultdict(list)
        self.validations: List[tuple[int, float]] = []  # (events in the response, ms)

    def reset(self) -> None:
        self.parts.clear()
        self.counts.clear()

    def add(self, part: str, seconds: float) -> None:
        self.parts[part] += seconds * 1000
        self.counts[part] += 1

    def wrap_sync(self, part: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(part, time.perf_counter() - start)

        return timed

    def wrap_async(self, part: str, function: Callable) -> Callable:
        @functools.wraps(function)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - start
                self.add(part, seconds)
                name = (kwargs.get("json") or {}).get("next_action")
                if part == "action_server_ms" and name:
                    self.actions[name].append(seconds * 1000)

        return timed

    def wrap_validation(self, function: Callable) -> Callable:
        """Times Rasa's JSON-schema check of an action server response, with its size."""

        @functools.wraps(function)
        def timed(action: Any, result: Dict[str, Any]) -> Any:
            start = time.perf_counter()
            try:
                return function(action, result)
            finally:
                seconds = time.perf_counter() - start
                self.add("action_validation_ms", seconds)
                self.validations.append((len(result.get("events") or []), seconds * 1000))

        return timed


def instrument(agent: Any, timer: TurnTimer) -> None:
    """Wraps the processor's NLU and policy steps, the action endpoint's HTTP request and
    the check of the action server's answer (class attributes: this process only)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    processor = agent.processor
    processor.parse_message = timer.wrap_async("nlu_ms", processor.parse_message)
    processor._predict_next_with_tracker = timer.wrap_sync(
        "policy_ms", processor._predict_next_with_tracker
    )
    EndpointConfig.request = timer.wrap_async("action_server_ms", EndpointConfig.request)
    RemoteAction._validate_action_result = timer.wrap_validation(
        RemoteAction._validate_action_result
    )


async def say(
    agent: Any, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    message = UserMessage(text, CollectingOutputChannel(), sender, metadata=metadata or {})
    return await agent.handle_message(message) or []


async def converse(agent: Any, script: Script, on_turn: Optional[Callable] = None) -> int:
    """Runs one scripted conversation; `on_turn(text, seconds)` after each turn."""
    sender, replies, turns = f"profile-{uuid.uuid4().hex[:10]}", [], 0
    metadata = metadata_for(script, IDENTITY_SECRET)  # the backend below signs with it
    for step in script.steps:
        sent = 0
        while (text := next_message(step, replies, sent)) is not None:
            start = time.perf_counter()
            replies = await say(agent, sender, text, metadata)
            if on_turn:
                on_turn(text, time.perf_counter() - start)
            sent, turns = sent + 1, turns + 1
    return turns


def describe(values: Sequence[float]) -> Dict[str, Optional[float]]:
    if not values:
        return {"mean": None, "p50": None, "p95": None, "n": 0}
    return {
        "mean": round(statistics.fmean(values), 2),
        "p50": round(percentile(values, 50), 2),
        "p95": round(percentile(values, 95), 2),
        "n": len(values),
    }


def breakdown(turns: List[Dict[str, float]]) -> Dict[str, dict]:
    """Mean/p50/p95 of each part, per kind of turn (typed text or button payload)."""
    result = {}
    for kind in ("all", "text", "button"):
        chosen = [t for t in turns if kind == "all" or t["kind"] == kind]
        result[kind] = {
            part: describe([t[part] for t in chosen])
            for part in ("total_ms", *PARTS, "other_ms", "actions_per_turn")
        }
    return result


async def timed_turns(agent: Any, timer: TurnTimer, conversations: int) -> List[Dict[str, float]]:
    turns: List[Dict[str, float]] = []

    def record(text: str, seconds: float) -> None:
        total = seconds * 1000
        parts = {part: timer.parts.get(part, 0.0) for part in PARTS}
        turns.append(
            {
                "kind": "button" if text.startswith("/") else "text",
                "total_ms": total,
                **parts,
                "other_ms": total - sum(parts.values()),
                "actions_per_turn": timer.counts.get("policy_ms", 0),
            }
        )
        timer.reset()

    for number in range(conversations):
        timer.reset()
        await converse(agent, SCRIPTS[number % len(SCRIPTS)], record)
    return turns


async def nlu_alone(agent: Any, repeats: int) -> Dict[str, dict]:
    """`agent.parse_message` on each script's typed texts and on a button payload."""
    texts = sorted({s.text for script in SCRIPTS for s in script.steps if isinstance(s, Say)})
    samples: Dict[str, List[float]] = {"text": [], "button": []}
    for _ in range(repeats):
        for text in [*texts, "/next_step"]:
            start = time.perf_counter()
            await agent.parse_message(text)
            kind = "button" if text.startswith("/") else "text"
            samples[kind].append((time.perf_counter() - start) * 1000)
    return {kind: describe(values) for kind, values in samples.items()}


LOOKUPS = (
    ("account", "LegacyDev"),
    ("account", "ContosoBuild"),
    ("login_owner", "account2@outlook.com"),
)


async def backend_lookups(backend: Backend, repeats: int) -> Dict[str, dict]:
    """The actions' look-ups, with their client (new session per call) and kept alive."""
    from actions.backend_client import BackendClient

    client = BackendClient(backend.url, backend.token)
    fresh: List[float] = []
    kept: List[float] = []
    headers = {"Authorization": f"Bearer {backend.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(repeats):
            for method, argument in LOOKUPS:
                start = time.perf_counter()
                await getattr(client, method)(argument)
                fresh.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                if method == "account":
                    request = session.get(f"{backend.url}/v1/accounts/{argument}")
                else:
                    body = {"email": argument}
                    request = session.post(f"{backend.url}/v1/microsoft-logins/lookup", json=body)
                async with request as response:
                    await response.read()
                kept.append((time.perf_counter() - start) * 1000)
    return {"backend_client_new_session": describe(fresh), "kept_alive_session": describe(kept)}


def schema_check_cost(repeats: int = 10) -> Dict[str, float]:
    """What Rasa's check of one action answer costs as it is done (`jsonschema.validate`,
    which checks the constant schema itself on every call) and with one validator reused."""
    from jsonschema import validate, validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    answer = {"events": [{"event": "slot", "name": "awaiting", "value": "step"}], "responses": []}
    reused = validators.validator_for(schema)(schema)
    timings = {}
    for name, check in (
        ("jsonschema_validate_ms", lambda: validate(answer, schema)),
        ("reused_validator_ms", lambda: reused.validate(answer)),
    ):
        start = time.perf_counter()
        for _ in range(repeats):
            check()
        timings[name] = round((time.perf_counter() - start) / repeats * 1000, 2)
    return timings


HARNESS = ("asyncio/", "bench/", "_contextvars", "{method 'disable'")


def profile_rows(profiler: cProfile.Profile, sort: str, limit: int = 15) -> List[dict]:
    """The top `limit` functions, leaving out the event loop and this harness's frames.

    `calls` counts coroutine resumptions too, so it overstates calls of async functions."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    stats.sort_stats(sort)
    rows = []
    for key in stats.fcn_list:  # type: ignore[attr-defined]
        calls, _, self_time, cumulative, _ = stats.stats[key]  # type: ignore[attr-defined]
        filename, line, name = key
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        function = f"{where}:{line}({name})"
        if any(part in function for part in HARNESS):
            continue
        row = {"function": function, "calls": calls, "self_s": round(self_time, 4)}
        rows.append({**row, "cumulative_s": round(cumulative, 4)})
        if len(rows) == limit:
            break
    return rows


async def profiled(agent: Any, conversations: int) -> dict:
    profiler = cProfile.Profile()
    turns = 0
    start = time.perf_counter()
    profiler.enable()
    for number in range(conversations):
        turns += await converse(agent, SCRIPTS[number % len(SCRIPTS)])
    profiler.disable()
    return {
        "conversations": conversations,
        "turns": turns,
        "wall_s_with_profiler": round(time.perf_counter() - start, 2),
        "top_cumulative": profile_rows(profiler, "cumulative"),
        "top_self": profile_rows(profiler, "tottime"),
    }


def per_action(timer: TurnTimer) -> Dict[str, dict]:
    return {name: describe(values) for name, values in sorted(timer.actions.items())}


def validation_by_events(timer: TurnTimer) -> Dict[str, dict]:
    """Validation time of action server answers grouped by how many events they carry."""
    groups: Dict[str, List[float]] = defaultdict(list)
    for events, ms in timer.validations:
        low = 0 if events == 0 else 1 if events < 5 else 5 if events < 10 else 10
        groups[{0: "0", 1: "1-4", 5: "5-9", 10: "10+"}[low] + " events"].append(ms)
    return {name: describe(values) for name, values in sorted(groups.items())}


async def run(args: argparse.Namespace, backend: Backend, action_url: str) -> dict:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    start = time.perf_counter()
    endpoints = AvailableEndpoints(action=EndpointConfig(url=action_url))
    agent = await load_agent(model_path=str(args.model), endpoints=endpoints)
    load_s = time.perf_counter() - start
    timer = TurnTimer()
    instrument(agent, timer)
    for script in SCRIPTS:  # warm-up: first calls build TF functions and caches
        await converse(agent, script)
    timer.actions.clear()
    timer.validations.clear()
    turns = await timed_turns(agent, timer, args.conversations)
    return {
        "model_load_in_process_s": round(load_s, 2),
        "turns_timed": len(turns),
        "per_turn_ms": breakdown(turns),
        "action_server_round_trip_ms_by_action": per_action(timer),
        "action_validation_ms_by_events": validation_by_events(timer),
        "nlu_parse_alone_ms": await nlu_alone(agent, args.nlu_repeats),
        "backend_lookup_ms": await backend_lookups(backend, args.backend_repeats),
        "action_answer_schema_check": schema_check_cost(),
        "cprofile": await profiled(agent, args.profile_conversations),
    }


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="where the time of one turn goes")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--conversations", type=int, default=20, help="timed conversations")
    parser.add_argument("--profile-conversations", type=int, default=5)
    parser.add_argument("--nlu-repeats", type=int, default=20)
    parser.add_argument("--backend-repeats", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="few conversations and repeats")
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations, args.profile_conversations = 5, 5
        args.nlu_repeats, args.backend_repeats = 5, 10
    return args


def configure_logging() -> None:
    """The same log set-up as `rasa run` (INFO unless LOG_LEVEL says otherwise): Rasa's
    debug logging left on in-process would cost more than some of the parts measured."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(None, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    configure_logging()
    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    backend, backend_process = start_backend(tmp, limits=NO_LIMITS)
    processes = [backend_process]
    try:
        action_url, action_process = start_actions(tmp, backend)
        processes.append(action_process)
        result = asyncio.run(run(args, backend, action_url))
    finally:
        stop(processes)
        shutil.rmtree(tmp, ignore_errors=True)
    report = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": str(args.model),
        "mode": "quick" if args.quick else "full",
        **result,
        "notes": (
            "Rasa runs in this process (no HTTP channel, in-memory tracker store), the action "
            "server and backend as separate processes on loopback. action_server_ms is the "
            "HTTP round trip seen from Rasa and includes the backend look-ups the action made. "
            "cProfile adds overhead; compare its rows with each other, not with the timings."
        ),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = report["per_turn_ms"]["all"]
    print(json.dumps({k: v["mean"] for k, v in summary.items()}))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
