"""What of a conversation is kept: its events without identity tokens, email addresses masked.

The tracker store (tracker_store.py) cleans each turn's new events, and the slots, in place
just before it stores them: the turn's actions have already run, so the action that verifies
the signed-in user read the token from the message it came with, and the kept tracker in
memory is then the same as the one the stored rows give back (a later turn behaves alike
whichever it gets). The host page sends the token with every message, so nothing later needs
a stored one.

- `identity_token` is dropped wherever it is: the message's metadata, its copy in the parse
  data, the `session_started_metadata` slot Rasa fills from the first message's metadata.
- Every string (user texts, entity and slot values, bot texts) has its addresses masked
  (`a***1@outlook.com`, common/masking.py), not encrypted: an address the user typed is used
  only in the turn it was typed (the account form's answer is checked, and its slot cleared,
  before the turn ends); support transcripts and logs are masked already; and a masked
  address cannot be read back by anyone who gets the database, with or without a key.
"""

from __future__ import annotations

from typing import Any, Iterable

from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from common.identifiers import IDENTITY_TOKEN_FIELD
from common.masking import AT_SIGNS, mask_text


def _has_at_sign(text: str) -> bool:
    return any(sign in text for sign in AT_SIGNS)


def cleaned(value: Any) -> Any:
    """`value` without token fields and with addresses masked: dicts and lists are changed in
    place (an event's parse data is shared with the tracker's active loop), strings returned."""
    if isinstance(value, str):
        return mask_text(value) if _has_at_sign(value) else value
    if isinstance(value, dict):
        value.pop(IDENTITY_TOKEN_FIELD, None)
        for key, item in value.items():
            value[key] = cleaned(item)
    elif isinstance(value, list):
        value[:] = [cleaned(item) for item in value]
    return value


def clean_event(event: Event) -> None:
    for name, value in list(vars(event).items()):
        new = cleaned(value)
        if new is not value:
            setattr(event, name, new)


def clean_turn(tracker: DialogueStateTracker, new_events: Iterable[Event]) -> None:
    """Cleans the events about to be stored and the tracker's slot values, in place."""
    for event in new_events:
        clean_event(event)
    for slot in tracker.slots.values():
        value = slot.value
        new = cleaned(value)
        if new is not value:  # the setter marks a slot as set: only for one that had a value
            slot.value = new
