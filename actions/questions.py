"""Which question a button answers: stale buttons are recognised on the server.

A button pressed long after its question was asked (an old "Skip" at step 4, an old "Still
stuck" while a support request is offered) used to be read as an answer to the current
question. Every button payload now carries the id of the question it answers, as the
`question` entity (`/deny{"question": "3f2a9c1e"}`); a payload whose id is not the current
question's is stale. Typed text carries no id and answers whatever is asked now, as before;
so do payloads sent without one (old transcripts, hand-written REST calls). Slack, Teams, REST
and the widget all send the payload back unchanged, so every channel is covered.

A question's id is a digest of what identifies it (what is awaited, the topic, the path, the
step...), so the same question asked again has the same id, and no slot is needed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import DID_YOU_MEAN, FINDING_CHOICE, State
from actions.playbooks import account_topics
from common.logs import log_event

ENTITY = "question"
# A clear new question leaves the check (a whole question scores about 1.0); an answer-like
# fragment ("the company one", "my personal account") can reach 0.9 on some topic: asked again.
SWITCH_CONFIDENCE = 0.95

log = logging.getLogger(__name__)


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:8]


def question_of(state: State) -> Optional[str]:
    """The id of the question the engine's `state` waits on; None when it asks nothing."""
    if state.awaiting is None:
        return None
    # suggestions and findings only tell questions apart where they are what is asked
    suggestions = ",".join(state.suggestions) if state.awaiting == DID_YOU_MEAN else ""
    finding = state.finding if state.awaiting == FINDING_CHOICE else ""
    return _digest(state.awaiting, state.topic, state.path, state.step, finding, suggestions)


def form_question(form: str, topic: Optional[str]) -> str:
    """The id of a form's question (the account form, the contact address)."""
    return _digest("form", form, topic)


def split_payload(payload: str) -> tuple[str, Dict[str, Any]]:
    """'/affirm{"outcome": "worked"}' -> ("/affirm", {"outcome": "worked"})."""
    intent, brace, rest = payload.partition("{")
    entities = json.loads(brace + rest) if brace else {}
    return intent, entities if isinstance(entities, dict) else {}


def _join(intent: str, entities: Dict[str, Any]) -> str:
    return intent + json.dumps(entities) if entities else intent


def tagged(payload: str, question: Optional[str]) -> str:
    """`payload` carrying the id of the question it answers (unchanged without one)."""
    if question is None or not payload.startswith("/"):
        return payload
    intent, entities = split_payload(payload)
    return _join(intent, {**entities, ENTITY: question})


def plain(payload: str) -> str:
    """`payload` without its question id: what it says, for comparing and testing."""
    if not payload.startswith("/") or "{" not in payload:
        return payload
    intent, entities = split_payload(payload)
    entities.pop(ENTITY, None)
    return _join(intent, entities)


def answered(tracker: Tracker) -> Optional[str]:
    """The question id the latest message's button carried, if it came from a button."""
    value = next(tracker.get_latest_entity_values(ENTITY), None)
    return str(value) if value is not None else None


def is_stale(answered_id: Optional[str], current_id: Optional[str]) -> bool:
    """A button that names a question other than the one asked now."""
    return answered_id is not None and answered_id != current_id


def refused_as_stale(tracker: Tracker, dispatcher: CollectingDispatcher, form: str) -> bool:
    """A button of an earlier question answering `form`: says so (the form then asks its own
    question again) and returns True; False for an answer to the question asked."""
    if not is_stale(answered(tracker), asked_by_form(tracker, form)):
        return False
    log_event(log, "stale_button", awaiting=form)
    dispatcher.utter_message(response="utter_stale_button")
    return True


def asked_by_form(tracker: Tracker, form: str) -> str:
    """The id of the question `form` asks in this conversation's topic."""
    return form_question(form, tracker.get_slot("topic"))


class AskWithButton(Action):
    """Asks a form's question (`response`) with its one way out as a button naming the
    question. `rasa shell` makes buttons a menu that cannot take typed text, so there the
    button is left out (a typed "no" does the same)."""

    action_name = ""
    response = ""
    form = ""
    button: Dict[str, str] = {}

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        payload = tagged(self.button["payload"], asked_by_form(tracker, self.form))
        terminal = tracker.get_latest_input_channel() == "cmdline"
        buttons = None if terminal else [{**self.button, "payload": payload}]
        dispatcher.utter_message(response=self.response, buttons=buttons)
        return []


def new_question(tracker: Tracker) -> Optional[str]:
    """The topic of a clear new question typed where the bot waits for an answer (a username,
    a comment, a step's text), else None: another account topic, at SWITCH_CONFIDENCE or
    above."""
    latest = tracker.latest_message.get("intent") or {}
    intent, confidence = latest.get("name"), float(latest.get("confidence") or 0)
    switching = intent in account_topics() and intent != tracker.get_slot("topic")
    return intent if switching and confidence >= SWITCH_CONFIDENCE else None
