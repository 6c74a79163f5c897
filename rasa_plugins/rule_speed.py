"""Two speed fixes for Rasa 3.6's RulePolicy, applied by `patches.apply()` (names `rule_index`
and `shared_states` in `patches.FIXES`); both give exactly the results of the code they replace
(tests/test_rule_speed.py compares them on every rule of the trained model).

- `rule_index`: `RulePolicy._get_possible_keys` checks every learnt rule (79 here) against the
  last state of the conversation, then the survivors against each earlier state, back to the
  conversation's start. A rule can only match if the previous action and the intent its last
  state names (when it names them) are the conversation's, so the rules are indexed by those
  two once, and only the few that can match are checked. The walk back stops once it is past
  the longest surviving rule: `_is_rule_applicable` accepts every rule from there on.
- `shared_states`: after a user message the policy turns the whole conversation into states
  twice, once with the message's text and once with its intent, and the two differ only in the
  last state's user part, which the featurizer edits afterwards. The states of the last
  tracker asked for are remembered (the same tracker object, with the same events) and each
  caller gets its own copy of them to edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

# The two features of a rule's last state the index is keyed by: (sub-state, key).
INDEXED = ((PREVIOUS_ACTION, ACTION_NAME), (USER, INTENT))
Requirement = Tuple[Optional[str], ...]

_stock_get_possible_keys = RulePolicy._get_possible_keys
_stock_create_states = TrackerFeaturizer._create_states


def required_value(state: State, sub_state: str, key: str) -> Optional[str]:
    """The value a rule state demands for one feature, or None if it demands none (absent,
    empty, "should not be set", or a value the index cannot key by)."""
    value = state.get(sub_state, {}).get(key)
    if not value or value == SHOULD_NOT_BE_SET or not isinstance(value, str):
        return None
    return value


def conversation_value(state: State, sub_state: str, key: str) -> Optional[str]:
    value = state.get(sub_state, {}).get(key)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RuleIndex:
    """The rule keys of one look-up, grouped by what their last state demands."""

    by_requirement: Dict[Requirement, Tuple[str, ...]]
    length: Dict[str, int]

    @classmethod
    def of(cls, keys: Iterable[str]) -> RuleIndex:
        groups: Dict[Requirement, List[str]] = {}
        length = {}
        for key in keys:
            states = json.loads(key)
            length[key] = len(states)
            last = states[-1] if states else {}
            demand = tuple(required_value(last, sub, name) for sub, name in INDEXED)
            groups.setdefault(demand, []).append(key)
        return cls({demand: tuple(keys) for demand, keys in groups.items()}, length)

    def candidates(self, last_state: State) -> Set[str]:
        """The keys whose last state can match `last_state`: every demand is met or absent."""
        values = [conversation_value(last_state, sub, name) for sub, name in INDEXED]
        found: Set[str] = set()
        for action in {values[0], None}:
            for intent in {values[1], None}:
                found.update(self.by_requirement.get((action, intent), ()))
        return found


def _index_of(policy: RulePolicy, lookup: Dict[str, str]) -> RuleIndex:
    """The index of `lookup`, built once; rebuilt if the policy is given another look-up."""
    cache = policy.__dict__.setdefault("_rule_indexes", {})
    entry = cache.get(id(lookup))
    if entry is None or entry[0] is not lookup or entry[1] != len(lookup):
        entry = cache[id(lookup)] = (lookup, len(lookup), RuleIndex.of(lookup))
    return entry[2]


def get_possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Set[str]:
    """`RulePolicy._get_possible_keys` on the keys that can match the last state only."""
    if not states or not states[-1].get(PREVIOUS_ACTION):
        # A conversation's first state: rules without a previous action match it, which the
        # index does not model; the stock walk is short here anyway.
        return _stock_get_possible_keys(self, lookup, states)
    index = _index_of(self, lookup)
    possible = index.candidates(states[-1])
    for turn, state in enumerate(reversed(states)):
        if not possible or turn >= max(index.length[key] for key in possible):
            break  # every survivor is shorter than the walk: applicable from here on
        possible = {key for key in possible if self._is_rule_applicable(key, turn, state)}
    return possible


@dataclass
class _LastStates:
    tracker: Optional[DialogueStateTracker] = None
    events: int = -1
    last_event: Any = None
    arguments: Tuple[Any, ...] = ()
    states: Tuple[State, ...] = ()


_last = _LastStates()


def _own_copy(states: Iterable[State]) -> List[State]:
    """States the caller may edit: sub-state dicts are copied, their values are immutable."""
    return [{name: dict(sub) for name, sub in state.items()} for state in states]


def create_states(
    tracker: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """`TrackerFeaturizer._create_states`, remembered for the last tracker state asked for.

    The remembered tracker is held, so its id cannot be reused by another object; a tracker
    only changes by events appended to it, so the same object with as many events and the same
    last one has the same states."""
    arguments = (domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    last_event = tracker.events[-1] if tracker.events else None
    same = (
        _last.tracker is tracker
        and _last.events == len(tracker.events)
        and _last.last_event is last_event
        and _last.arguments[0] is domain
        and _last.arguments[1:] == arguments[1:]
    )
    if not same:
        states = _stock_create_states(tracker, domain, *arguments[1:])
        _last.tracker, _last.events, _last.last_event = tracker, len(tracker.events), last_event
        _last.arguments, _last.states = arguments, tuple(states)  # never handed out itself
    return _own_copy(_last.states)


def patch_rule_index() -> None:
    RulePolicy._get_possible_keys = get_possible_keys


def patch_shared_states() -> None:
    TrackerFeaturizer._create_states = staticmethod(create_states)
