"""Where the team replies to a support request: asked, with consent, before it is opened.

Once the user says yes to a support request, the contact form asks whether they want a reply
by email and, if so, to which address. The address goes only into the support request (the
backend's `contact_email`); the request's transcript, the bot's own confirmation and the logs
show it masked. The slot holds "given" or "none", never the address: the opening action reads
the address from the message that gave it, in the same turn.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import questions
from actions.account_check import ActionStartPlaybook
from actions.actions import apply_turn, open_support_request, outcome_events
from actions.dialogue_state import read_state
from actions.engine import CONTACT_FORM, ESCALATED
from actions.support_requests import contact_address_in, tried_an_address
from actions.typed_replies import names_button
from actions.typed_words import BACK, STOP, command

SLOT = "contact_address"
ATTEMPTS = "contact_attempts"
GIVEN, NONE = "given", "none"
NEW_QUESTION = "new_question"  # a clear question of another topic instead: no request
CANCELLED = "cancelled"  # "cancel", "stop", "go back": no request after all
WAY_OUT_INTENTS = {"deny", "goodbye", "out_of_scope"}
MAX_ATTEMPTS = 2  # then the request is opened without an address, as the user asked for it
NO_ADDRESS_BUTTON = {"title": "Open it without an address", "payload": "/deny"}


class ActionAskContactAddress(questions.AskWithButton):
    action_name = "action_ask_contact_address"
    response = "utter_ask_contact_address"
    form = CONTACT_FORM
    button = NO_ADDRESS_BUTTON


class ValidateContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_contact_form"

    async def validate_contact_address(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        if questions.refused_as_stale(tracker, dispatcher, CONTACT_FORM):
            return {SLOT: None}
        text = tracker.latest_message.get("text")
        if contact_address_in(text):
            return {SLOT: GIVEN, ATTEMPTS: None}
        if command(STOP, text or "") or command(BACK, text or ""):
            return {SLOT: CANCELLED, ATTEMPTS: None}  # no request after all
        if questions.new_question(tracker):
            return {SLOT: NEW_QUESTION, ATTEMPTS: None}
        if names_button(NO_ADDRESS_BUTTON["title"], text or ""):
            return {SLOT: NONE, ATTEMPTS: None}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        attempts = int(tracker.get_slot(ATTEMPTS) or 0) + 1
        tried = tried_an_address(text)
        # a typo is asked about once more than other answers: the user is giving an address
        if (intent in WAY_OUT_INTENTS and not tried) or attempts >= MAX_ATTEMPTS + tried:
            return {SLOT: NONE, ATTEMPTS: None}
        dispatcher.utter_message(response="utter_invalid_contact_address")
        return {SLOT: None, ATTEMPTS: float(attempts)}


def given_address(tracker: Tracker) -> Optional[str]:
    """The address the contact form took, from the message that gave it."""
    if tracker.get_slot(SLOT) != GIVEN:
        return None
    return contact_address_in(tracker.latest_message.get("text"))


class ActionOpenSupportRequest(Action):
    """The contact form is done: open the request, with the address if one was given; once it
    has a reference the conversation is escalated."""

    def name(self) -> str:
        return "action_open_support_request"

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        if tracker.get_slot(SLOT) == CANCELLED:
            dispatcher.utter_message(response="utter_no_request")
            return [SlotSet(SLOT, None)]
        if tracker.get_slot(SLOT) == NEW_QUESTION:
            state = read_state(tracker)
            turn = await ActionStartPlaybook().decide(state, tracker)
            return [SlotSet(SLOT, None)] + await apply_turn(dispatcher, tracker, state, turn)
        reference = await open_support_request(dispatcher, tracker, given_address(tracker))
        return [SlotSet(SLOT, None)] + outcome_events(ESCALATED if reference else None)
