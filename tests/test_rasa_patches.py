"""rasa_plugins/patches.py: each speed fix gives the results of the Rasa code it replaces."""

from __future__ import annotations

import ast
import asyncio
import copy
import importlib
import inspect
import json
import os
import subprocess
import sys

import pytest
from aiohttp import web
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.core.channels import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig

import rasa_plugins  # noqa: F401  (applies the patches, as loading the model does)
from rasa_plugins import patches as rasa_patches
from rasa_plugins.patches import validate_action_result
from tools.servers import ROOT, free_port

GOOD = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "topic", "value": "delete_account"}],
        "responses": [{"text": "hi", "buttons": []}],
    },
]
BAD = [
    {"events": "nope"},
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["not an object"]},
]


def test_the_patch_is_applied_when_the_components_load():
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_results_pass_as_before(result):
    validate(result, RemoteAction.action_response_format_spec())
    assert validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_results_fail_as_before(result):
    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, result)


# --- event classes and the graph runner -----------------------------------------------------


TEXTS = [
    "forgot pwd",
    "Failed to update the Microsoft account with j@outlook.com: already linked to another "
    "NuGet account",
    "how do I delete my account, I own Contoso.Http alone",
    "what's the weather",
    "my username is [JohnDev]",
    "",
    "<script>alert(1)</script>",
]


def test_event_types_resolve_as_before():
    assert Event.resolve_by_type is rasa_patches.resolve_by_type
    for name in ("user", "bot", "slot", "action", "session_started", "active_loop"):
        assert Event.resolve_by_type(name) is rasa_patches._slow_resolve_by_type(name)
    assert Event.resolve_by_type("slot")(**{"key": "topic", "value": 1}) == SlotSet("topic", 1)
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered


def _parse_and_predict(agent, text):
    processor = agent.processor
    parsed = asyncio.run(processor.parse_message(UserMessage(text)))
    tracker = asyncio.run(processor.fetch_tracker_and_update_session("runner-test"))
    tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed))
    prediction = processor._predict_next_with_tracker(tracker)
    return parsed, (prediction.max_confidence_index, prediction.policy_name)


@pytest.mark.model
def test_the_graph_runs_to_the_same_results_without_dask(agent, monkeypatch):
    assert DaskGraphRunner.run is rasa_patches.run_graph
    patched = [_parse_and_predict(agent, text) for text in TEXTS]
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_patches._dask_run)
    original = [_parse_and_predict(agent, text) for text in TEXTS]
    assert patched == original
    assert {parsed["intent"]["name"] for parsed, _ in patched} > {"out_of_scope"}


@pytest.mark.model
@pytest.mark.parametrize("run", [rasa_patches.run_graph, rasa_patches._dask_run])
def test_an_input_named_like_a_node_is_refused_as_before(agent, monkeypatch, run):
    monkeypatch.setattr(DaskGraphRunner, "run", run)
    runner = agent.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run(inputs={"__message__": node}, targets=[node])


# --- the action server's HTTP session ----------------------------------------------------


async def _serve(port: int, peers: list) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [{"text": "ok"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_calls_to_an_endpoint_share_one_kept_alive_connection_and_survive_a_restart():
    assert EndpointConfig.session is rasa_patches.kept_session

    async def scenario() -> tuple:
        port, peers = free_port(), []
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await _serve(port, peers)
        answers = [await endpoint.request(json={"n": n}) for n in range(3)]
        await runner.cleanup()  # the action server goes away and comes back
        runner = await _serve(port, peers)
        answers.append(await endpoint.request(json={"n": 3}))
        await runner.cleanup()
        async with endpoint.session() as session:
            await session.close()
        return answers, peers

    answers, peers = asyncio.run(scenario())
    assert answers == [{"events": [], "responses": [{"text": "ok"}]}] * 4
    assert len(set(peers[:3])) == 1  # one client port: the same connection
    assert peers[3] != peers[0]  # a new connection after the restart


def test_kept_connections_are_dropped_before_the_action_server_closes_them():
    """A fresh-clone CI run caught an action failing on a connection Sanic was closing: the
    client kept idle connections for aiohttp's default 15 s, the server only 5 s."""
    from sanic.config import DEFAULT_CONFIG

    async def kept_alive() -> float:
        endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
        async with endpoint.session() as session:
            seconds = session.connector._keepalive_timeout
            headers = dict(session.headers)
            await session.close()
        return seconds, headers

    seconds, _ = asyncio.run(kept_alive())
    assert seconds == rasa_patches.KEEPALIVE_SECONDS < DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]


def test_the_kept_session_sends_rasas_headers():
    async def headers() -> dict:
        endpoint = EndpointConfig("http://127.0.0.1:9/webhook", headers={"X-Token": "t"})
        async with endpoint.session() as session:
            found = dict(session.headers)
            await session.close()
        return found

    assert asyncio.run(headers())["X-Token"] == "t"


# --- deep copies made only for debug logs ------------------------------------------------


def _deepcopy_calls_outside_log_calls(source: str) -> list:
    """Lines of `copy.deepcopy(...)` calls that are not inside a `structlogger.x(...)` call."""
    tree = ast.parse(source)
    inside_logs = set()
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "structlogger":
            inside_logs.update(id(child) for child in ast.walk(node))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "deepcopy"
        and getattr(node.func.value, "id", "") == "copy"
        and id(node) not in inside_logs
    ]


@pytest.mark.parametrize("name", rasa_patches.LOG_ARGUMENT_COPIERS)
def test_those_modules_deep_copy_only_log_arguments(name):
    module = importlib.import_module(name)
    assert module.copy.deepcopy is rasa_patches._no_copy
    assert module.copy.copy is copy.copy  # the rest of `copy` is the real module
    assert _deepcopy_calls_outside_log_calls(inspect.getsource(module)) == []


def test_the_source_check_finds_a_deep_copy_outside_a_log_call():
    source = "x = copy.deepcopy(y)\nstructlogger.debug('e', v=copy.deepcopy(z))\n"
    assert _deepcopy_calls_outside_log_calls(source) == [1]


def test_other_modules_keep_the_real_deepcopy():
    from rasa.nlu.classifiers import fallback_classifier

    assert fallback_classifier.copy.deepcopy is copy.deepcopy


# --- the switch and the version guard --------------------------------------------------------

PROBE = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
import rasa
rasa.__version__ = sys.argv[1]
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
stock = (RemoteAction._validate_action_result, DaskGraphRunner.run)
import rasa_plugins
print(json.dumps({"patched": [RemoteAction._validate_action_result is not stock[0],
                              DaskGraphRunner.run is not stock[1]]}))
"""


def probe(version: str, speedups: str = "") -> tuple:
    env = {**os.environ, "RASA_SPEEDUPS": speedups} if speedups else dict(os.environ)
    if not speedups:
        env.pop("RASA_SPEEDUPS", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, version], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    events = {line.get("event"): line for line in lines if "event" in line}
    return lines[-1]["patched"], events


def test_the_pinned_rasa_gets_every_fix_and_one_log_line_names_them():
    patched, events = probe(rasa_patches.PINNED_RASA)
    assert patched == [True, True]
    assert events["rasa_patches_applied"]["patches"] == ",".join(rasa_patches.FIXES)


def test_rasa_speedups_0_runs_stock_rasa():
    patched, events = probe(rasa_patches.PINNED_RASA, "0")
    assert patched == [False, False]
    assert events["rasa_patches_applied"]["patches"] == "none"


def test_one_fix_can_be_chosen_alone_for_bisecting():
    patched, events = probe(rasa_patches.PINNED_RASA, "graph_runner")
    assert patched == [False, True]
    assert events["rasa_patches_applied"]["patches"] == "graph_runner"


def test_another_rasa_version_is_not_patched():
    patched, events = probe("3.7.0")
    assert patched == [False, False]
    assert events["rasa_patches_refused"]["rasa"] == "3.7.0"
    assert events["rasa_patches_applied"]["patches"] == "none"


@pytest.mark.parametrize(
    "setting, names",
    [(None, tuple(rasa_patches.FIXES)), ("all", tuple(rasa_patches.FIXES)), ("0", ()),
     ("none", ()), (" Validator , kept_session", ("validator", "kept_session"))],
)  # fmt: skip
def test_the_setting_names_the_fixes(setting, names):
    assert rasa_patches.chosen(setting) == names


def test_an_unknown_fix_name_is_an_error():
    with pytest.raises(ValueError, match="unknown fixes"):
        rasa_patches.chosen("validator,warp_drive")


# --- the dispatching events schema ----------------------------------------------------------


def _events_corpus():
    """Valid events of every kind Rasa serialises, and near misses of each."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        FollowupAction,
        Restarted,
        SessionStarted,
        SlotSet,
        UserUtteranceReverted,
        UserUttered,
    )

    events = [
        UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "e", "value": "v"}]),
        ActionExecuted("action_listen"),
        SlotSet("topic", "delete_account"),
        SlotSet("awaiting", None),
        BotUttered("hello", {"buttons": [{"title": "Next", "payload": "/next_step"}]}),
        ActiveLoop("contact_form"),
        ActiveLoop(None),
        FollowupAction("action_listen"),
        AllSlotsReset(),
        Restarted(),
        SessionStarted(),
        ConversationPaused(),
        ConversationResumed(),
        UserUtteranceReverted(),
    ]
    good = [event.as_dict() for event in events]
    bad = [
        {"event": "slot", "value": "no name"},
        {"event": "slot", "name": 3, "value": "x"},
        {"event": "user", "text": 5},
        {"event": "user", "parse_data": "not an object"},
        {"event": "action", "name": {"a": 1}},
        {"event": "action", "policy": 3},
        {"event": "no_such_event"},
        {"event": 5},
        {"name": "topic", "value": "x"},
        {"event": "followup", "timestamp": "yesterday"},
        "not an event",
    ]
    return good, bad


def test_the_dispatching_schema_accepts_and_refuses_exactly_what_rasas_does():
    from jsonschema.validators import validator_for

    from rasa_plugins.patches import DispatchingValidator

    schema = RemoteAction.action_response_format_spec()
    fast = DispatchingValidator.for_schema(schema)
    assert fast is not None, "Rasa's events schema changed shape: the fast path is off"
    original = validator_for(schema)(schema)
    good, bad = _events_corpus()
    for event in good:
        assert original.is_valid({"events": [event]}), event
        assert fast.is_valid({"events": [event]}), event
    for event in bad:
        assert not original.is_valid({"events": [event]}), event
        assert not fast.is_valid({"events": [event]}), event
    # what Rasa's schema leaves untyped stays accepted
    for event in [{"event": "bot", "text": ["a list"]}, {"event": "active_loop", "name": 7}]:
        assert original.is_valid({"events": [event]}) and fast.is_valid({"events": [event]})
    assert fast.is_valid({"events": good}) and not fast.is_valid({"events": good + bad[:1]})


def test_a_schema_of_another_shape_gets_no_fast_path():
    from rasa_plugins.patches import DispatchingValidator

    assert DispatchingValidator.for_schema({"type": "object"}) is None
    two_alike = {
        "properties": {
            "events": {
                "items": {
                    "required": ["event"],
                    "properties": {"event": {"type": "string"}},
                    "oneOf": [
                        {"properties": {"event": {"const": "a"}}},
                        {"properties": {"event": {"const": "a"}}},
                    ],
                }
            }
        }
    }
    assert DispatchingValidator.for_schema(two_alike) is None


def test_a_refused_event_gets_rasas_error_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, {"events": [{"event": "slot", "value": "no name"}]})
