"""The load generator's maths and its behaviour against a stand-in for Rasa's REST channel."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from typing import Dict, List

import pytest
from aiohttp import web

from tools.bench import load
from tools.bench.load import WORKED, PressFirst, Say, Script, Settings, Walk, next_message

NEXT_BUTTONS = [{"title": "Next step", "payload": "/next_step"}, {"payload": WORKED}]
STEPS = Script("steps", [Say("hi", expect="Hello"), Walk(max_turns=3)])


class StandIn:
    """A REST channel on a free loopback port in a thread: answers "Hello" with Next step
    and That worked buttons, or fails the way `mode` says ("500", "slow", "empty")."""

    def __init__(self, mode: str = "ok", delay: float = 0.0) -> None:
        self.mode = mode
        self.delay = delay
        self.received: Dict[str, List[str]] = defaultdict(list)
        self.in_flight = 0
        self.most_in_flight = 0
        self.loop = asyncio.new_event_loop()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received[body["sender"]].append(body["message"])
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(2 if self.mode == "slow" else self.delay)
        finally:
            self.in_flight -= 1
        if self.mode == "500":
            return web.Response(status=500, text="boom")
        if self.mode == "empty":
            return web.json_response([])
        reply = {"recipient_id": body["sender"], "text": "Hello", "buttons": NEXT_BUTTONS}
        return web.json_response([reply])

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.handle)
        self.runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0, shutdown_timeout=0.2).start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    def __enter__(self) -> StandIn:
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    @property
    def turns(self) -> int:
        return sum(len(messages) for messages in self.received.values())


def run(server: StandIn, **settings) -> dict:
    settings.setdefault("scripts", [STEPS])
    return asyncio.run(load.run_load(Settings(url=server.url, **settings)))


# --- maths -------------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    assert load.percentile([4, 1, 3, 2], 50) == 2.5
    assert load.percentile([4, 1, 3, 2], 0) == 1
    assert load.percentile([4, 1, 3, 2], 100) == 4
    assert load.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert load.percentile([7.0], 99) == 7.0
    assert load.percentile([], 50) is None


def test_summary_counts_errors_as_turns_but_not_in_throughput_or_latency():
    summary = load.summarize([10.0, 20.0, 30.0, 40.0], {"timeout": 1}, elapsed_s=2.0)
    assert summary["turns"] == 5
    assert summary["ok_turns"] == 4
    assert summary["turns_per_s"] == 2.0
    assert summary["latency_ms"]["p50"] == 25.0
    assert summary["latency_ms"]["max"] == 40.0
    assert summary["error_count"] == 1
    assert summary["error_rate"] == 0.2


def test_summary_of_nothing():
    summary = load.summarize([], {}, elapsed_s=1.0)
    assert summary["turns"] == 0
    assert summary["latency_ms"]["p95"] is None
    assert summary["error_rate"] == 0.0


# --- scripts follow the buttons ----------------------------------------------------------


def reply(*payloads: str) -> dict:
    return {"text": "x", "buttons": [{"payload": p} for p in payloads]}


def test_say_sends_its_text_once():
    assert next_message(Say("hi"), [], 0) == "hi"
    assert next_message(Say("hi"), [reply()], 1) is None


def test_press_first_takes_the_offered_button():
    assert next_message(PressFirst(), [reply("/deny")], 0) == "/deny"
    assert next_message(PressFirst(), [reply()], 0) is None


def test_walk_prefers_next_step_then_the_choice_then_that_worked():
    walk = Walk(choice=2)
    assert next_message(walk, [reply("/next_step", WORKED, "/deny")], 0) == "/next_step"
    choices = ['/choose_path{"choice": "1"}', '/choose_path{"choice": "2"}']
    assert next_message(walk, [reply(*choices)], 1) == choices[1]
    assert next_message(Walk(choice=5), [reply(*choices)], 1) == choices[1]
    assert next_message(walk, [reply(WORKED, "/deny")], 2) == WORKED
    assert next_message(walk, [{"text": "done"}], 3) is None
    assert next_message(Walk(max_turns=2), [reply("/next_step")], 2) is None


def test_walk_looks_at_the_last_message_only():
    replies = [reply("/next_step"), {"text": "Anything else?"}]
    assert next_message(Walk(), replies, 1) is None


# --- against the stand-in ----------------------------------------------------------------


def test_counts_every_turn_and_uses_a_fresh_sender_per_conversation():
    with StandIn(delay=0.01) as server:
        result = run(server, users=3, duration=0.6)
    assert result["turns"] == result["ok_turns"] == server.turns > 10
    assert result["error_count"] == 0
    assert result["mismatches"] == {}
    conversations = list(server.received.values())
    assert len(conversations) == result["conversations"]["completed"] + result["conversations"].get(
        "cut_by_limit", 0
    )
    finished = [m for m in conversations if len(m) == 4]
    assert len(finished) >= result["conversations"]["completed"]
    assert all(m == ["hi", "/next_step", "/next_step", "/next_step"] for m in finished)
    assert result["latency_ms"]["p50"] >= 10


def test_concurrency_is_the_number_of_users_unless_the_pool_is_smaller():
    with StandIn(delay=0.05) as server:
        run(server, users=6, duration=0.5)
    assert server.most_in_flight == 6
    with StandIn(delay=0.05) as server:
        result = run(server, users=6, duration=0.5, connections=2)
    assert server.most_in_flight == 2
    assert result["concurrency"] == 6


def test_stops_after_the_duration():
    with StandIn(delay=0.02) as server:
        start = time.monotonic()
        result = run(server, users=4, duration=1.0)
        took = time.monotonic() - start
    assert 1.0 <= took < 1.5
    assert 1.0 <= result["elapsed_s"] < 1.5
    assert result["turns_per_s"] == pytest.approx(result["ok_turns"] / result["elapsed_s"], 0.02)


def test_stops_after_max_turns():
    with StandIn() as server:
        result = run(server, users=3, duration=30, max_turns=17)
    assert result["turns"] == server.turns == 17


def test_think_time_paces_each_user():
    with StandIn() as server:
        result = run(server, model="think", users=2, duration=1.0, think_time=0.3)
    # each user: a start within one think time, then a turn every 0.3 s: at most 4 in 1 s
    assert 2 <= result["turns"] <= 8
    assert result["think_time_s"] == 0.3


def test_server_errors_count_and_abandon_the_conversation():
    with StandIn(mode="500") as server:
        result = run(server, users=2, duration=0.5)
    assert result["ok_turns"] == 0
    assert result["errors"] == {"http_500": server.turns}
    assert result["error_rate"] == 1.0
    assert all(messages == ["hi"] for messages in server.received.values())


def test_timeouts_count_as_errors():
    with StandIn(mode="slow") as server:
        result = run(server, users=2, duration=0.5, timeout=0.2)
    assert result["errors"]["timeout"] >= 2
    assert result["ok_turns"] == 0
    assert result["latency_ms"]["p50"] is None


def test_empty_replies_count_as_errors():
    with StandIn(mode="empty") as server:
        result = run(server, users=1, duration=0.3)
    assert result["errors"] == {"empty": server.turns}


def test_refused_connections_count_as_errors():
    with StandIn() as server:
        url = server.url
    result = asyncio.run(load.run_load(Settings(url=url, duration=0.3, scripts=[STEPS])))
    assert result["errors"]["connection"] >= 1
    assert result["ok_turns"] == 0


def test_a_missing_expected_text_is_a_mismatch_not_an_error():
    script = Script("odd", [Say("hi", expect="Goodbye")])
    with StandIn() as server:
        result = run(server, users=1, duration=0.3, scripts=[script])
    assert result["mismatches"]["odd"] == result["turns"] > 0
    assert result["error_count"] == 0


def test_command_line_writes_the_summary(tmp_path, capsys):
    out = tmp_path / "load.json"
    with StandIn() as server:
        code = load.main(
            ["--url", server.url, "--users", "2", "--duration", "5", "--max-turns", "9"]
            + ["--out", str(out)]
        )
    assert code == 0
    written = json.loads(out.read_text())
    assert written["turns"] == 9
    assert written["model"] == "closed"
    assert written["scripts"] == [script.name for script in load.SCRIPTS]
    assert json.loads(capsys.readouterr().out) == written
