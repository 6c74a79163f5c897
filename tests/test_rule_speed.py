"""The rule policy's speed fixes (rasa_plugins/rule_speed.py) give the stock answers."""

from __future__ import annotations

import json

import pytest
from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.test import _create_data_generator
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_plugins  # noqa: F401  (applies the patches, as loading the model does)
from rasa_plugins import rule_speed
from tools.servers import ROOT

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def policy(agent) -> RulePolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return next(n._component for n in nodes if isinstance(n._component, RulePolicy))


@pytest.fixture(scope="module")
def prefixes(agent):
    """Every point of the conversation tests where the policy predicts: the tracker before
    each action, as `rasa test` replays them."""
    generator = _create_data_generator(
        str(ROOT / "tests" / "stories"), agent, use_conversation_test_files=True
    )
    found = []
    for story in generator.generate_story_trackers():
        tracker = DialogueStateTracker(story.sender_id, story.slots.values())
        for event in story.events:
            if isinstance(event, ActionExecuted):
                found.append(tracker.copy())
            tracker.update(event)
    return found


def test_the_fixes_are_applied():
    assert RulePolicy._get_possible_keys is rule_speed.get_possible_keys
    assert TrackerFeaturizer._create_states is rule_speed.create_states


def _predictions(policy, agent, prefixes):
    out = []
    for tracker in prefixes:
        prediction, source = policy._predict(tracker, agent.domain)
        out.append((prediction.max_confidence_index, source, prediction.events))
    return out


def test_every_prediction_of_the_conversation_tests_is_the_stock_one(
    policy, agent, prefixes, monkeypatch
):
    assert len(prefixes) >= 90  # the 16 stories were found and replayed
    patched = _predictions(policy, agent, prefixes)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", rule_speed._stock_get_possible_keys)
    monkeypatch.setattr(
        TrackerFeaturizer, "_create_states", staticmethod(rule_speed._stock_create_states)
    )
    assert patched == _predictions(policy, agent, prefixes)
    assert len({source for _, source, _ in patched}) > 20  # many different rules applied


def _distinct(states):
    return list({json.dumps(state, sort_keys=True): state for state in states}.values())


def _states_of_rules(policy):
    """Conversations made of the rules' own states: every state any rule holds, followed by
    every last state of a rule as it is, without its user part, or with another intent;
    matches and near misses of every rule."""
    rules = [json.loads(key) for key in policy.lookup["rules"]]
    intents = sorted({s.get("user", {}).get("intent") for r in rules for s in r} - {None})
    lasts = []
    for last in _distinct(states[-1] for states in rules):
        lasts.append(last)
        lasts.append({name: sub for name, sub in last.items() if name != "user"})
        lasts.append({**last, "user": {"intent": intents[0]}})
    firsts = _distinct([{"prev_action": {"action_name": "action_listen"}}] + sum(rules, []))
    for last in _distinct(lasts):
        yield [last]
        for first in firsts:
            yield [first, last]


def test_possible_keys_are_the_stock_ones_for_rule_states_in_every_pair(policy):
    lookup = policy.lookup["rules"]
    checked = matched = 0
    for states in _states_of_rules(policy):
        found = rule_speed.get_possible_keys(policy, lookup, states)
        assert found == rule_speed._stock_get_possible_keys(policy, lookup, states), states
        checked, matched = checked + 1, matched + bool(found)
    assert checked > 9000 and matched > 1000


def test_the_index_keeps_only_rules_whose_last_state_can_match(policy):
    index = rule_speed.RuleIndex.of(policy.lookup["rules"])
    state = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    candidates = index.candidates(state)
    assert 0 < len(candidates) < len(policy.lookup["rules"]) / 4
    for key in candidates:
        last = json.loads(key)[-1]
        assert last.get("user", {}).get("intent") in (None, "greet")


def test_a_new_lookup_gets_a_new_index(policy):
    first = {'[{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "a"}}]': "x"}
    second = {'[{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "b"}}]': "y"}
    state = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "b"}}]
    assert rule_speed.get_possible_keys(policy, first, state) == set()
    assert rule_speed.get_possible_keys(policy, second, state) == set(second)


LISTEN = {"action_name": "action_listen"}
SYNTHETIC = {  # shapes the trained rules lack: nested lengths, a rule naming no action or intent
    json.dumps([{"prev_action": LISTEN, "user": {"intent": "a"}}]): "one",
    json.dumps(
        [{"prev_action": {"action_name": "x"}}, {"prev_action": LISTEN, "user": {"intent": "a"}}]
    ): "two",
    json.dumps([{"prev_action": LISTEN}]): "any_intent",
    json.dumps([{"user": {"intent": "a"}}]): "any_action",
    json.dumps([{}]): "conversation_start",
    json.dumps([{"prev_action": {"action_text": "hi"}, "user": {"intent": "a"}}]): "bot_text",
}


@pytest.mark.parametrize(
    "states",
    [
        [{"prev_action": LISTEN, "user": {"intent": "a"}}],
        [{"prev_action": {"action_name": "y"}}, {"prev_action": LISTEN, "user": {"intent": "a"}}],
        [{"prev_action": {"action_name": "x"}}, {"prev_action": LISTEN, "user": {"intent": "a"}}],
        [{"prev_action": {"action_name": "x"}}, {"prev_action": LISTEN, "user": {"intent": "b"}}],
        [{"prev_action": {"action_name": "x"}}, {"prev_action": LISTEN, "user": {"text": "hi"}}],
        [{"prev_action": {"action_name": "z"}, "user": {"intent": "a"}}],
        [{}],
        [{"prev_action": {"action_text": "hi"}, "user": {"intent": "a"}}],
        [{"prev_action": {"action_name": "x", "action_text": "hi"}, "user": {"intent": "a"}}],
    ],
)
def test_possible_keys_are_the_stock_ones_for_other_shapes_of_rules(policy, states):
    found = rule_speed.get_possible_keys(policy, SYNTHETIC, states)
    assert found == rule_speed._stock_get_possible_keys(policy, SYNTHETIC, states)


def test_states_are_computed_once_per_tracker_state_and_each_caller_owns_its_copy(
    agent, monkeypatch
):
    calls, stock = [], rule_speed._stock_create_states

    def counted(*args, **kwargs):
        calls.append(args[0])
        return stock(*args, **kwargs)

    monkeypatch.setattr(rule_speed, "_stock_create_states", counted)
    tracker = DialogueStateTracker("s", agent.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
    first = rule_speed.create_states(tracker, agent.domain)
    first[-1]["user"].clear()  # what the featurizer does to choose text or intent
    second = rule_speed.create_states(tracker, agent.domain)
    assert len(calls) == 1 and second[-1]["user"]["intent"] == "greet"
    assert second == stock(tracker, agent.domain)

    tracker.update(SlotSet("awaiting", "x"))  # a new event: computed again
    rule_speed.create_states(tracker, agent.domain)
    twin = tracker.copy()  # equal events, another object: computed again
    rule_speed.create_states(twin, agent.domain)
    rule_speed.create_states(twin, agent.domain, ignore_rule_only_turns=True)
    assert len(calls) == 4
