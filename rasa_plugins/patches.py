"""Speed fixes for Rasa 3.6 internals, and the list of Rasa's private members this project
relies on: the checklist for any Rasa upgrade.

The fixes are applied once per process by `apply()`, which `rasa_plugins/__init__.py` calls:
that package is the first code of ours every Rasa process imports (the tracker store from
endpoints.yml, the channels from credentials.yml, the components from config.yml), so it is the
one place where they are switched on. `apply()` refuses to patch any Rasa but `PINNED_RASA`
(it logs `rasa_patches_refused` and leaves Rasa stock), and logs one line
`rasa_patches_applied` naming what it applied. `RASA_SPEEDUPS` chooses: unset or `all` for
every fix, `0` (or `none`) for stock Rasa, or a comma-separated list of names from `FIXES` to
bisect one fix at a time.

Each fix was found by a profile in docs/benchmarks.md and gives the same results as the code
it replaces (tests/test_rasa_patches.py):

- `validator`: `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks
  the events schema against its meta-schema on every call before validating the action
  server's answer (20-30 ms per custom action call). A validator built once gives the same
  result; it checks each event against its own type's sub-schema only (`DispatchingValidator`:
  the same answers as Rasa's `oneOf`), and Rasa's schema words any error.
- `event_classes`: `Event.resolve_by_type` walks the whole Event class tree for every event it
  deserialises: 8% of a turn's CPU went there when a tracker was loaded from the SQL store.
  Classes found are remembered (classes are never unregistered; unknown names still take the
  slow path).
- `graph_runner`: `DaskGraphRunner.run` hands every NLU and policy run to dask's scheduler,
  which costs more than the small graph it runs (7% of a turn). The same graph is evaluated
  in dependency order here, with the schema pruned once per set of targets.
- `intent_payloads`: with `graph_runner`, a button payload (`/intent{...}`) is handed to
  `RegexMessageHandler` as soon as the text sanitizer has run, instead of after the NLU models
  whose results the handler throws away (rasa_plugins/intent_payloads.py).
- `kept_session`: `EndpointConfig.request` opens a new HTTP session, hence a new TCP
  connection, for every call to the action server (8% of a turn's CPU in setting it up). One
  session per endpoint and event loop is kept instead, with its connections kept alive for
  `KEEPALIVE_SECONDS`, less than the action server's own 5 s, so a turn never reuses a
  connection the server is closing; a connection the server closed (e.g. an action server
  restarted) is dropped by aiohttp's pool.

- `rule_index` and `shared_states`: the rule policy checks fewer rules per prediction and
  builds the conversation's states once per tracker state (rasa_plugins/rule_speed.py).
- `log_copies`: the processor, the rule and memoization policies and the form action
  deep-copy the arguments of their debug log calls (states, events, slots) before the logger
  decides whether to log at all. In those modules `copy.deepcopy` is used for nothing else
  (tests/test_rasa_patches.py parses Rasa's source to prove it), so there it hands the value
  to the logger as it is; the logger renders it at once, so a debug log reads the same.
  Measured with tools/bench/profile_turn.py (3 paired runs, in-process turns): 2-3 ms of a
  20-25 ms turn. Kept because Rasa is frozen at `PINNED_RASA` (no other version is patched)
  and the source check fails if a copy in those modules ever feeds anything but a log call,
  so nothing can alias state; `RASA_SPEEDUPS` without it measures the difference again.

Private Rasa members the project relies on (check each on an upgrade):
- here: `RemoteAction._validate_action_result`, `RemoteAction.action_response_format_spec`,
  `Event.resolve_by_type`, `DaskGraphRunner.run`, `DaskGraphRunner._graph_schema`,
  `DaskGraphRunner._instantiated_nodes`, `GraphSchema.minimal_graph_schema`,
  `EndpointConfig.session`.
- rasa_plugins/rule_speed.py: `RulePolicy._get_possible_keys`, `._is_rule_applicable`, the
  JSON layout of its rule keys, `SHOULD_NOT_BE_SET`, and `TrackerFeaturizer._create_states`.
- rasa_plugins/tracker_store.py: `SQLTrackerStore` internals `_event_query` (rebuilt as
  statements), `SQLEvent`, `engine`, `sessionmaker`, `create_engine_kwargs`,
  `TrackerStore._stream_new_events`, and the events table layout (`sender_id`, `type_name`,
  `timestamp`, `data`).
- rasa_plugins/at_rest.py: that an event's `as_dict` is built from its instance attributes
  (`vars(event)`), that the processor saves a tracker only once its turn's actions have run,
  and `Slot.value`'s setter (it marks the slot as set).
- rasa_plugins/channels/socketio.py: `SocketIOInput.sio`, `.namespace`,
  `.session_persistence`, `.user_message_evt`, `.bot_message_evt`, `.metadata_key`, and
  python-engineio's `AsyncServer._cors_headers`.
- rasa_plugins/channels/slack.py: `SlackBot._post_message`, `SlackInput._is_user_message`,
  `._is_supported_channel`, `._sanitize_user_message`, `._is_interactive_message`,
  `._get_interactive_response`, `.slack_channel`, `.use_threads`, `.proxy`.
- rasa_plugins/channels/rest.py: `RestInput.blueprint` and its route names.
- rasa_plugins/lock_store.py: the `LockStore` interface (`get_lock`, `save_lock`,
  `delete_lock`, `issue_ticket`).
- common/sanic_deadlines.py (applied in this package and by the action server): Sanic 21.12's
  `HttpProtocol` and `Http` internals, listed in its docstring.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import logging
import os
import types
import weakref
from functools import lru_cache
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type

import aiohttp
import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from common.logs import log_event
from rasa_plugins import intent_payloads, rule_speed

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate would each time
    return validator_class(schema)


class DispatchingValidator:
    """Accepts exactly what Rasa's events schema accepts, checking each event against the
    sub-schema of its own type only.

    Rasa's schema says an event is valid when exactly one of 23 sub-schemas, one per `event`
    value, accepts it: jsonschema then checks every event against all 23 and collects every
    error of the 22 that do not apply (13% of the server's CPU a turn, by py-spy). With `event`
    required and each sub-schema fixing it to a different constant, that is the same as "the
    rest of the schema accepts the answer, the value is one of the 23, and that value's
    sub-schema accepts the event". (An if/then per value in the schema itself was slower than
    the `oneOf`: jsonschema's cost is per sub-schema visited.)"""

    def __init__(self, rest: Any, branches: Dict[str, Any]) -> None:
        self.rest = rest
        self.branches = branches

    @classmethod
    def for_schema(cls, schema: Dict[str, Any]) -> Optional[DispatchingValidator]:
        """None when the schema is not of that shape (a Rasa upgrade): Rasa's validator then."""
        items = schema.get("properties", {}).get("events", {}).get("items", {})
        branches = items.get("oneOf")
        if not isinstance(branches, list) or "event" not in items.get("required", []):
            return None
        kinds = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
        if None in kinds or len(set(kinds)) != len(kinds):
            return None
        rest = copy.deepcopy(schema)
        event_items = rest["properties"]["events"]["items"]
        del event_items["oneOf"]
        event_items["properties"]["event"] = {**event_items["properties"]["event"], "enum": kinds}
        validator_class = validator_for(schema)
        validator_class.check_schema(rest)
        return cls(
            validator_class(rest),
            {kind: validator_class(branch) for kind, branch in zip(kinds, branches, strict=True)},
        )

    def is_valid(self, result: Any) -> bool:
        if not self.rest.is_valid(result):
            return False
        events = result.get("events", []) if isinstance(result, dict) else []
        return all(self.branches[event["event"]].is_valid(event) for event in events)


@lru_cache(maxsize=1)
def _fast_action_result_validator() -> Any:
    """A validator that accepts exactly what Rasa's does, faster; Rasa's when that can't be."""
    schema = RemoteAction.action_response_format_spec()
    return DispatchingValidator.for_schema(schema) or _action_result_validator()


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if _fast_action_result_validator().is_valid(result):
        return True
    try:  # Rasa's own schema decides and words the error
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. See {DOCS_BASE_URL}/custom-actions"
        )
        raise


_slow_resolve_by_type = Event.resolve_by_type
_dask_run = DaskGraphRunner.run  # kept for the tests that compare both
_event_classes: Dict[str, Type[Event]] = {}


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    found = _event_classes.get(type_name)
    if found is None:
        found = _slow_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


def _minimal_schema(
    runner: DaskGraphRunner, targets: Tuple[str, ...]
) -> Tuple[GraphSchema, Optional[intent_payloads.Shortcut]]:
    """The graph that computes `targets`, and the button payloads' shortcut through it."""
    schemas = runner.__dict__.setdefault("_minimal_schemas", {})
    if targets not in schemas:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        schemas[targets] = (schema, intent_payloads.find(schema))
    return schemas[targets]


def run_graph(
    self: DaskGraphRunner,
    inputs: Optional[Dict[str, Any]] = None,
    targets: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """DaskGraphRunner.run without dask: each node once, after the nodes it needs."""
    run_targets = list(targets if targets else self._graph_schema.target_names)
    schema, shortcut = _minimal_schema(self, tuple(run_targets))
    nodes = self._instantiated_nodes
    results: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of "
                "the input names passed to the `run` method are the same as node names in "
                "the graph schema."
            )
        results[name] = (name, value)

    def compute(name: str) -> Any:
        if name in results:
            return results[name]
        if _payload_shortcut and shortcut is not None and name == shortcut.handler:
            found = intent_payloads.handler_output(shortcut, nodes, compute)
            if found is not None:
                results[name] = found
                return found
        results[name] = nodes[name](*(compute(n) for n in schema.nodes[name].needs.values()))
        return results[name]

    try:
        return dict(compute(target) for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


_new_session = EndpointConfig.session
# The action server (rasa-sdk on Sanic) closes an idle connection after 5 s. A kept connection
# must be dropped by this side first, or a turn can start writing to a connection the server is
# closing at that moment ("Cannot write to closing transport": the action fails).
KEEPALIVE_SECONDS = 2.0


def _kept_alive_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for `endpoint` (same headers, auth and timeout), idle connections
    dropped after KEEPALIVE_SECONDS."""
    stock = _new_session(endpoint)
    session = aiohttp.ClientSession(
        headers=stock.headers,
        auth=stock.auth,
        timeout=stock.timeout,
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )
    asyncio.get_running_loop().create_task(stock.close())
    return session


class _KeptSession:
    """`async with` gives the endpoint's kept session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def kept_session(self: EndpointConfig) -> _KeptSession:
    sessions = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    session = sessions.get(loop)
    if session is None or session.closed:
        session = sessions[loop] = _kept_alive_session(self)
    return _KeptSession(session)


# Modules whose `copy.deepcopy` calls all build arguments of structlog calls.
LOG_ARGUMENT_COPIERS = (
    "rasa.core.processor",
    "rasa.core.policies.rule_policy",
    "rasa.core.policies.memoization",
    "rasa.core.actions.forms",
)


def _no_copy(value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
    return value


def _log_argument_copy() -> types.ModuleType:
    """The `copy` module as those modules see it: everything but deepcopy is the real one."""
    module = types.ModuleType("copy")
    module.__dict__.update(copy.__dict__)
    module.deepcopy = _no_copy
    return module


def _patch_validator() -> None:
    RemoteAction._validate_action_result = validate_action_result


def _patch_event_classes() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _patch_graph_runner() -> None:
    DaskGraphRunner.run = run_graph


_payload_shortcut = False  # set by the `intent_payloads` fix; needs `graph_runner` too


def _patch_intent_payloads() -> None:
    global _payload_shortcut
    _payload_shortcut = True


def _patch_kept_session() -> None:
    EndpointConfig.session = kept_session


def _patch_log_copies() -> None:
    shim = _log_argument_copy()
    for name in LOG_ARGUMENT_COPIERS:
        importlib.import_module(name).copy = shim


PINNED_RASA = "3.6.21"
FIXES: Dict[str, Callable[[], None]] = {
    "rule_index": rule_speed.patch_rule_index,
    "shared_states": rule_speed.patch_shared_states,
    "validator": _patch_validator,
    "event_classes": _patch_event_classes,
    "graph_runner": _patch_graph_runner,
    "intent_payloads": _patch_intent_payloads,
    "kept_session": _patch_kept_session,
    "log_copies": _patch_log_copies,
}
_applied: Optional[Tuple[str, ...]] = None


def chosen(setting: Optional[str]) -> Tuple[str, ...]:
    """The fixes `RASA_SPEEDUPS` asks for: unset/"all" every one, "0"/"none" none, or a list."""
    value = (setting or "all").strip().lower()
    if value in ("all", "1"):
        return tuple(FIXES)
    if value in ("0", "none", ""):
        return ()
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = sorted(set(names) - set(FIXES))
    if unknown:
        raise ValueError(f"RASA_SPEEDUPS names unknown fixes {unknown}; known: {sorted(FIXES)}")
    return names


def apply(
    environ: Optional[Mapping[str, str]] = None, version: str = rasa.__version__
) -> Tuple[str, ...]:
    """Applies the chosen fixes once per process; returns their names (empty: stock Rasa)."""
    global _applied
    if _applied is not None:
        return _applied
    names = chosen((os.environ if environ is None else environ).get("RASA_SPEEDUPS"))
    if names and version != PINNED_RASA:
        log_event(log, "rasa_patches_refused", logging.WARNING, rasa=version, pinned=PINNED_RASA)
        names = ()
    for name in names:
        FIXES[name]()
    _applied = names
    log_event(log, "rasa_patches_applied", rasa=version, patches=",".join(names) or "none")
    return names
