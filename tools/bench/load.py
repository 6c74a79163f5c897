"""Load generator: whole scripted conversations over the REST channel, in its own process.

    python -m tools.bench.load --url http://127.0.0.1:5005 --model closed --users 20 --duration 20
    python -m tools.bench.load --url http://127.0.0.1:5005 --model think --users 50 --think-time 1

Models: `closed` = each of `--users` simulated users sends its next turn as soon as the last
reply is in (concurrency = users); `think` = each user pauses `--think-time` seconds between
turns (users start staggered over one think time). Each user runs the conversation scripts
below round-robin, every conversation with a fresh sender id, and follows the buttons the
assistant sends. The run stops by itself after `--duration` seconds and/or `--max-turns`
turns; turns in flight at the deadline are finished. A turn is an error when the HTTP call
fails, times out (`--timeout`, 10 s) or the reply is empty; after an error the conversation
is abandoned. A reply that lacks a script's expected text is counted as a `mismatch` (the
flow went elsewhere, e.g. a look-up failed), not as an error.

Writes a JSON summary (`--out`) and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import aiohttp

from account_backend import identity
from actions.questions import plain
from common.identifiers import IDENTITY_TOKEN_FIELD

WORKED = '/affirm{"outcome": "worked"}'
NEXT = "/next_step"
CHOOSE = "/choose_path"
Replies = List[Dict[str, Any]]


@dataclass(frozen=True)
class Say:
    """Sends fixed text once; `expect` must appear in the reply."""

    text: str
    expect: Optional[str] = None


@dataclass(frozen=True)
class PressFirst:
    """Presses the first button of the last reply (e.g. the account question's Skip)."""

    expect: Optional[str] = None


@dataclass(frozen=True)
class Walk:
    """Follows the buttons: Next step while offered, option `choice` of a choice, then That
    worked on the last step; stops when no such button is left or after `max_turns`."""

    choice: int = 1
    max_turns: int = 10


Step = Union[Say, PressFirst, Walk]


@dataclass(frozen=True)
class Script:
    name: str
    steps: Sequence[Step]
    signed_in: Optional[str] = None  # the demo user a host page vouches for (identity token)


def metadata_for(script: Script, identity_secret: str) -> Dict[str, Any]:
    """The message metadata a help page sends: the signed-in user's identity token, if any."""
    if not script.signed_in:
        return {}
    return {IDENTITY_TOKEN_FIELD: identity.sign(script.signed_in, identity_secret)}


SCRIPTS: List[Script] = [
    Script(
        "password_reset",
        [
            Say("I forgot my nuget password", expect="Password sign-in has been discontinued"),
            Walk(),
        ],
        signed_in="LegacyDev",
    ),
    Script(
        "linked_account",
        [
            Say("which microsoft account is linked to my nuget account", expect="b***r@contoso"),
            Walk(choice=2),
        ],
        signed_in="ContosoBuild",
    ),
    Script(
        "change_login",
        [
            Say("how do I change the microsoft account I log in with", expect="Microsoft account"),
            Say("account2@outlook.com", expect="already the login of another nuget.org account"),
            Walk(choice=1),
        ],
        signed_in="MyNuGetAccount1",
    ),
    Script(
        "tenant",
        [
            Say("sign-in fails with my company email, unmanaged tenant", expect="tenant"),
            Say("builder@contoso.com", expect="unmanaged Azure AD tenant"),
            Walk(),
        ],
    ),
    Script(
        "delete_account",
        [Say("delete my nuget account", expect="signed in to nuget.org"), Walk()],
    ),
    Script(
        "small_talk",
        [Say("hi"), Say("are you a bot?", expect="automated assistant"), Say("thanks")],
    ),
]


def payloads(replies: Replies) -> List[str]:
    """The button payloads of the last reply message that has buttons."""
    for message in reversed(replies):
        buttons = message.get("buttons") or []
        if buttons:
            return [str(b.get("payload")) for b in buttons]
    return []


def next_message(step: Step, replies: Replies, sent: int) -> Optional[str]:
    """What the user sends next within `step` after `sent` turns of it (None: step over)."""
    if isinstance(step, Say):
        return step.text if sent == 0 else None
    options = payloads(replies[-1:])
    if isinstance(step, PressFirst):
        return options[0] if sent == 0 and options else None
    if sent >= step.max_turns:
        return None
    # compared without the question id each payload carries (actions/questions.py), sent with it
    said = [plain(option) for option in options]
    if NEXT in said:
        return options[said.index(NEXT)]
    choices = [
        option for option, what in zip(options, said, strict=True) if what.startswith(CHOOSE)
    ]
    if choices:
        return choices[min(step.choice, len(choices)) - 1]
    return options[said.index(WORKED)] if WORKED in said else None


# --- statistics --------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(latencies_ms: Sequence[float], errors: Dict[str, int], elapsed_s: float) -> dict:
    """Turns, throughput (successful turns per second) and latency of successful turns."""

    def rounded(value: Optional[float]) -> Optional[float]:
        return None if value is None else round(value, 1)

    error_count = sum(errors.values())
    turns = len(latencies_ms) + error_count
    return {
        "turns": turns,
        "ok_turns": len(latencies_ms),
        "turns_per_s": round(len(latencies_ms) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "latency_ms": {
            "p50": rounded(percentile(latencies_ms, 50)),
            "p95": rounded(percentile(latencies_ms, 95)),
            "p99": rounded(percentile(latencies_ms, 99)),
            "max": rounded(max(latencies_ms, default=None)),
            "mean": rounded(sum(latencies_ms) / len(latencies_ms) if latencies_ms else None),
        },
        "errors": dict(sorted(errors.items())),
        "error_count": error_count,
        "error_rate": round(error_count / turns, 4) if turns else 0.0,
    }


# --- the run -----------------------------------------------------------------------------


@dataclass
class Settings:
    url: str
    model: str = "closed"
    users: int = 1
    duration: float = 10.0
    max_turns: int = 0
    think_time: float = 1.0
    timeout: float = 10.0
    seed: int = 0
    connections: int = 0  # HTTP connection pool size; 0: one per user
    scripts: Sequence[Script] = tuple(SCRIPTS)
    identity_secret: str = ""  # signs the scripts' demo identities (the backend's secret)


@dataclass
class Recorder:
    settings: Settings
    started: float = field(default_factory=time.monotonic)
    turns_started: int = 0
    latencies_ms: List[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    mismatches: Counter = field(default_factory=Counter)
    conversations: Counter = field(default_factory=Counter)

    def done(self) -> bool:
        over_time = time.monotonic() - self.started >= self.settings.duration
        limit = self.settings.max_turns
        return over_time or (limit > 0 and self.turns_started >= limit)


async def send_turn(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    message: str,
    metadata: Optional[Dict[str, Any]] = None,
) -> tuple[float, Optional[str], Replies]:
    """One REST turn: (latency in s, error kind or None, replies)."""
    body = {"sender": sender, "message": message, "metadata": metadata or {}}
    start = time.perf_counter()
    try:
        async with session.post(url + "/webhooks/rest/webhook", json=body) as response:
            if response.status != 200:
                await response.read()
                return time.perf_counter() - start, f"http_{response.status}", []
            replies = await response.json(content_type=None)
    except asyncio.TimeoutError:
        return time.perf_counter() - start, "timeout", []
    except aiohttp.ClientError:
        return time.perf_counter() - start, "connection", []
    except ValueError:
        return time.perf_counter() - start, "bad_json", []
    if not isinstance(replies, list) or not replies:
        return time.perf_counter() - start, "empty", []
    return time.perf_counter() - start, None, replies


async def run_conversation(
    session: aiohttp.ClientSession, recorder: Recorder, script: Script, sender: str, pause
) -> None:
    replies: Replies = []
    metadata = metadata_for(script, recorder.settings.identity_secret)
    for step in script.steps:
        sent = 0
        while True:
            message = next_message(step, replies, sent)
            if message is None:
                break
            await pause()
            if recorder.done():
                recorder.conversations["cut_by_limit"] += 1
                return
            recorder.turns_started += 1
            latency, error, replies = await send_turn(
                session, recorder.settings.url, sender, message, metadata
            )
            if error:
                recorder.errors[error] += 1
                recorder.conversations["abandoned"] += 1
                return
            recorder.latencies_ms.append(latency * 1000)
            expect = getattr(step, "expect", None)
            if (
                sent == 0
                and expect
                and expect not in "\n".join(r.get("text") or "" for r in replies)
            ):
                recorder.mismatches[script.name] += 1
            sent += 1
        if isinstance(step, PressFirst) and sent == 0:
            recorder.mismatches[script.name] += 1
    recorder.conversations["completed"] += 1


async def simulate_user(index: int, session: aiohttp.ClientSession, recorder: Recorder) -> None:
    settings = recorder.settings
    rng = random.Random(settings.seed * 100_003 + index)
    first = True

    async def pause() -> None:
        nonlocal first
        if settings.model == "think":
            await asyncio.sleep(
                rng.uniform(0, settings.think_time) if first else settings.think_time
            )
        first = False

    run = uuid.uuid4().hex[:6]
    number = 0
    while not recorder.done():
        script = settings.scripts[(index + number) % len(settings.scripts)]
        await run_conversation(session, recorder, script, f"load-{run}-u{index}-c{number}", pause)
        number += 1


async def run_load(settings: Settings) -> dict:
    """Runs the load and returns the summary."""
    connector = aiohttp.TCPConnector(limit=max(1, settings.connections or settings.users))
    timeout = aiohttp.ClientTimeout(total=settings.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        recorder = Recorder(settings)
        await asyncio.gather(*(simulate_user(i, session, recorder) for i in range(settings.users)))
        elapsed = time.monotonic() - recorder.started
    return {
        "model": settings.model,
        "users": settings.users,
        "concurrency": settings.users,
        "think_time_s": settings.think_time if settings.model == "think" else 0.0,
        "duration_s": settings.duration,
        "elapsed_s": round(elapsed, 2),
        "timeout_s": settings.timeout,
        **summarize(recorder.latencies_ms, dict(recorder.errors), elapsed),
        "mismatches": dict(recorder.mismatches),
        "conversations": dict(recorder.conversations),
        "scripts": [script.name for script in settings.scripts],
    }


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--model", choices=["closed", "think"], default="closed")
    parser.add_argument("--users", type=int, default=1, help="simulated users (concurrency)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--max-turns", type=int, default=0, help="stop after N turns (0: none)")
    parser.add_argument("--think-time", type=float, default=1.0, help="seconds, model 'think'")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per turn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--connections", type=int, default=0, help="pool size (0: = users)")
    parser.add_argument("--scripts", help="comma-separated script names (default: all)")
    parser.add_argument(
        "--identity-secret",
        default=os.environ.get("IDENTITY_SECRET", ""),
        help="the backend's IDENTITY_SECRET, to sign the scripts' demo users (default: env)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports/bench/load.json"))
    return parser.parse_args(argv)


def choose_scripts(names: Optional[str]) -> List[Script]:
    if not names:
        return list(SCRIPTS)
    known = {script.name: script for script in SCRIPTS}
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SystemExit(f"unknown scripts {unknown}; known: {sorted(known)}")
    return [known[name] for name in wanted]


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        url=args.url.rstrip("/"),
        model=args.model,
        users=args.users,
        duration=args.duration,
        max_turns=args.max_turns,
        think_time=args.think_time,
        timeout=args.timeout,
        seed=args.seed,
        connections=args.connections,
        scripts=choose_scripts(args.scripts),
        identity_secret=args.identity_secret,
    )
    result = asyncio.run(run_load(settings))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
