"""Maps the engine's `State` to Rasa slots and back."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.engine import State

SLOTS = {
    "topic": "topic",
    "path": "playbook_path",
    "step": "playbook_step",
    "awaiting": "awaiting",
    "suggestions": "suggestions",
    "fallbacks": "fallback_count",
    "finding": "finding",
}


def read_state(tracker: Tracker) -> State:
    slot = tracker.get_slot
    return State(
        topic=slot("topic"),
        path=slot("playbook_path"),
        step=int(slot("playbook_step") or 0),
        awaiting=slot("awaiting"),
        suggestions=tuple(slot("suggestions") or ()),
        fallbacks=int(slot("fallback_count") or 0),
        finding=slot("finding"),
    )


def _slot_value(field: str, value: Any) -> Any:
    if field in ("step", "fallbacks"):
        return float(value)
    if field == "suggestions":
        return list(value)
    return value


def state_events(old: State, new: State) -> List[Dict[str, Any]]:
    """SlotSet events for the fields that changed."""
    return [
        SlotSet(slot, _slot_value(field, getattr(new, field)))
        for field, slot in SLOTS.items()
        if getattr(old, field) != getattr(new, field)
    ]
