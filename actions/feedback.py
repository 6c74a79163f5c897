""" "Did this help?": the answer to the feedback buttons, and the comment after a thumbs down.

A thumbs up gets thanks. A thumbs down asks what was missing: the feedback form takes the
next typed text as an optional comment (cut to MAX_COMMENT characters, never refused; the
tracker store masks addresses in it as in every slot), Skip ends it without one, and a clear
new question typed there is answered as a question instead, as in the account form. Then a
person is offered, since the answer did not help.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import engine, questions
from actions.account_check import ActionStartPlaybook
from actions.actions import EngineAction, apply_turn, latest_entity
from actions.dialogue_state import read_state
from actions.engine import FEEDBACK_FORM, State, Turn
from actions.typed_words import AGAIN, BACK, STOP, command, means

SLOT = "feedback_comment"
REQUESTED = "requested_slot"
MAX_COMMENT = 500  # a comment is a hint for the team, not a report: the rest is cut
# "no", "skip", the Skip button, "a person please": no comment. Longer texts are comments
# even when they start with "no" ("no, step 3 is not on the page any more").
SKIP_INTENTS = {"deny", "human_handoff"}
MAX_SKIP_WORDS = 4
# Typed skips the classifier has no intent for ("skip" is out of scope to it).
SKIP_WORDS = {"skip", "skip it", "no comment", "nothing", "none", "n/a", "pass", "ok", "okay"}
SKIP_BUTTON = {"title": "Skip", "payload": "/deny"}


class ActionFeedback(EngineAction):
    """The thumbs up or down (a button, or typed: "that was helpful", "not helpful")."""

    action_name = "action_feedback"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        text = tracker.latest_message.get("text")
        return engine.feedback(state, latest_entity(tracker, "helpful"), text)


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def skipped(tracker: Tracker) -> bool:
    """Skip, or a short "no": the user gives no comment."""
    intent = _intent(tracker)
    text = str(tracker.latest_message.get("text") or "")
    if " ".join(re.findall(r"[\w/]+", text.lower())) in SKIP_WORDS:
        return True
    if command(STOP, text) or command(BACK, text) or means(AGAIN, text):  # "cancel", "what?"
        return True
    return intent in SKIP_INTENTS and len(text.split()) <= MAX_SKIP_WORDS


def comment_of(value: Any) -> Optional[str]:
    """The comment as kept: at most MAX_COMMENT characters, None when nothing is said."""
    text = str(value or "").strip()
    return text[:MAX_COMMENT].rstrip() or None


class ActionAskFeedbackComment(questions.AskWithButton):
    action_name = "action_ask_feedback_comment"
    response = "utter_ask_feedback_comment"
    form = FEEDBACK_FORM
    button = SKIP_BUTTON


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    async def extract_feedback_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The typed text, already cut: a from_text mapping would set the whole of it first."""
        if tracker.get_slot(REQUESTED) != SLOT:
            return {}
        return {SLOT: comment_of(tracker.latest_message.get("text"))}

    async def validate_feedback_comment(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        if questions.refused_as_stale(tracker, dispatcher, FEEDBACK_FORM):
            return {SLOT: None}
        comment = comment_of(value)
        if comment is None or skipped(tracker) or questions.new_question(tracker):
            # no comment: the form ends with its slot empty (requested_slot None ends it)
            return {SLOT: None, REQUESTED: None}
        return {SLOT: comment}


class ActionFeedbackNoted(Action):
    """The feedback form is done: thanks and the offer of a person, or the new question."""

    def name(self) -> str:
        return "action_feedback_noted"

    async def decide(self, state: State, tracker: Tracker) -> Turn:
        if questions.new_question(tracker):
            return await ActionStartPlaybook().decide(state, tracker)
        return engine.feedback_noted(state)

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = read_state(tracker)
        events = await apply_turn(dispatcher, tracker, state, await self.decide(state, tracker))
        # emptied for the next thumbs down (the form asks only for an empty slot); the
        # comment stays in the events that set it
        return events + [SlotSet(SLOT, None)]
