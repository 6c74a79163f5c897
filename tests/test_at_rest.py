"""A turn's events are stored without identity tokens and with email addresses masked
(rasa_plugins/at_rest.py), and the tracker kept in memory matches what the rows give back."""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.at_rest import clean_turn, cleaned
from rasa_plugins.tracker_store import ResilientSQLTrackerStore

TOKEN = "eyJzdWIiOiAiTXlOdUdldEFjY291bnQxIn0.c2lnbmF0dXJl"
TEXT = "it's account1@outlook.com or jöhn.doe＠exämple.de"
MASKED = "it's a***1@outlook.com or j***e＠exämple.de"
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  email: {type: text, mappings: [{type: custom}]}
  username: {type: text, mappings: [{type: custom}]}
"""
)  # and Rasa's own `session_started_metadata`


def _slots():
    return DOMAIN.slots


def _signed_in_turn(tracker: DialogueStateTracker) -> None:
    metadata = {"identity_token": TOKEN, "client_key": "0" * 32}
    tracker.update(SlotSet("session_started_metadata", dict(metadata)))
    entity = {"entity": "email", "value": "account1@outlook.com", "start": 5, "end": 25}
    tracker.update(
        UserUttered(
            TEXT,
            intent={"name": "inform", "confidence": 0.9},
            entities=[entity],
            parse_data={"text": TEXT, "entities": [dict(entity)], "metadata": dict(metadata)},
            metadata=metadata,
        )
    )
    tracker.update(SlotSet("email", "account1@outlook.com"))
    tracker.update(BotUttered("I'll check account1@outlook.com"))
    tracker.update(ActionExecuted("action_listen"))


def _json(tracker: DialogueStateTracker) -> str:
    return json.dumps([e.as_dict() for e in tracker.events], ensure_ascii=False)


def test_cleaning_drops_tokens_and_masks_addresses_everywhere():
    tracker = DialogueStateTracker("someone", slots=_slots())
    _signed_in_turn(tracker)
    clean_turn(tracker, list(tracker.events))
    stored = _json(tracker)
    assert "identity_token" not in stored and TOKEN not in stored
    for address in ("account1@outlook.com", "jöhn.doe＠exämple.de"):
        assert address not in stored
    assert MASKED in stored and '"client_key"' in stored  # the rest stays
    assert tracker.latest_message.text == MASKED
    assert tracker.get_slot("email") == "a***1@outlook.com"
    assert tracker.get_slot("session_started_metadata") == {"client_key": "0" * 32}
    assert not tracker.slots["username"].has_been_set  # an empty slot is left alone


def test_cleaning_twice_changes_nothing_more():
    value = {"text": TEXT, "metadata": {"identity_token": TOKEN}, "list": [TEXT, 1, None]}
    once = json.dumps(cleaned(value))
    assert json.dumps(cleaned(json.loads(once))) == once


def test_the_store_keeps_no_token_or_address_and_its_kept_tracker_matches_the_rows(tmp_path):
    store = ResilientSQLTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    tracker = DialogueStateTracker("someone", slots=_slots())
    _signed_in_turn(tracker)
    asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        rows = [r[0] for r in connection.execute(sa.text("SELECT data FROM events"))]
    stored = json.dumps([json.loads(r) for r in rows], ensure_ascii=False)
    assert TOKEN not in stored and "account1@outlook.com" not in stored
    assert "jöhn.doe" not in stored and MASKED in stored
    kept = asyncio.run(store.retrieve("someone"))
    reread = ResilientSQLTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}")
    loaded = asyncio.run(reread.retrieve("someone"))
    assert kept is tracker  # the kept one, cleaned as well
    assert _json(kept) == _json(loaded)
    assert kept.current_slot_values() == loaded.current_slot_values()
