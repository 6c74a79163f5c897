"""Thin rasa-sdk adapters: read the state, ask the engine, send its messages."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import engine, questions, specific_answers, typed_replies
from actions.backend_client import BackendClient, BackendUnavailable, LookupLimited
from actions.dialogue_state import read_state, state_events
from actions.engine import Message, State, Turn
from actions.support_requests import transcript
from common.conversation import client_key_in
from common.logs import log_event
from common.masking import mask_email

log = logging.getLogger(__name__)
# A statement this long ("login fails because of an unmanaged azure ad tenant") can be a new
# problem; a shorter one at a step that asks for a text is a pasted error ("Account disabled").
MIN_STATEMENT_WORDS = 5
OUTCOME_SLOT = "conversation_outcome"  # read by the team's figures (team_console/)
FEEDBACK_SLOT = "conversation_feedback"  # "up" or "down", read there too


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def send(
    dispatcher: CollectingDispatcher,
    messages: tuple[Message, ...],
    question: Optional[str] = None,
) -> None:
    """Sends `messages`; their buttons' payloads carry the id of the `question` they answer."""
    for message in messages:
        buttons = [
            {"title": title, "payload": questions.tagged(payload, question)}
            for title, payload in message.buttons
        ]
        if message.response:
            dispatcher.utter_message(
                response=message.response, buttons=buttons or None, **dict(message.values)
            )
        else:
            dispatcher.utter_message(text=message.text, buttons=buttons or None)


def _channel(tracker: Tracker) -> Optional[str]:
    channel = (tracker.get_latest_input_channel() or "").lower()
    return channel if channel.isidentifier() and len(channel) <= 32 else None


def _opened_message(reference: str, contact: Optional[str]) -> Message:
    """How and when the team replies: by email to the address given (masked here, as in the
    transcript), with no time promised; without an address, where to quote the reference."""
    if contact:
        values = (("reference", reference), ("address", mask_email(contact)))
        return Message(response="utter_support_request_opened", values=values)
    values = (("reference", reference),)
    return Message(response="utter_support_request_opened_no_address", values=values)


def outcome_events(outcome: Optional[str], feedback: Optional[str] = None) -> List[Dict[str, Any]]:
    """The milestone a turn reached and the feedback it took, set again each time (the last
    one counts). Only a turn that answered the question asked sets them: a stale thumbs down
    never reaches the engine's feedback()."""
    events = [SlotSet(OUTCOME_SLOT, outcome)] if outcome else []
    return events + ([SlotSet(FEEDBACK_SLOT, feedback)] if feedback else [])


async def open_support_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact: Optional[str] = None
) -> Optional[str]:
    """Stores the masked conversation (and `contact`, the reply address the user chose to
    give) with the account backend and tells the user the reference; returns it, or None
    when no request was opened."""
    topic = tracker.get_slot("topic")
    # The budget per client is the network client's the channel saw (REST, widget), so new
    # conversations from one script share it; else the conversation's.
    client = client_key_in((tracker.latest_message or {}).get("metadata"))
    backend = BackendClient.from_env(tracker.sender_id, client=client)
    try:
        reference = await backend.create_support_request(
            topic, _channel(tracker), transcript(tracker.events), contact
        )
    except LookupLimited:
        log_event(log, "support_request_limited", logging.WARNING, topic=topic)
        dispatcher.utter_message(response="utter_support_request_limited")
        return None
    except BackendUnavailable as error:
        log_event(log, "support_request_failed", logging.WARNING, topic=topic, error=error)
        dispatcher.utter_message(response="utter_support_request_failed")
        return None
    log_event(
        log, "support_request_opened", topic=topic, reference=reference, contact=bool(contact)
    )
    send(dispatcher, (_opened_message(reference, contact),))
    return reference


async def apply_turn(
    dispatcher: CollectingDispatcher, tracker: Tracker, state: State, turn: Turn
) -> List[Dict[str, Any]]:
    """Sends a turn's messages (their buttons naming the question the turn ends with) and
    returns its slot events, its outcome and its follow-up."""
    send(dispatcher, turn.messages, questions.question_of(turn.state))
    log_event(log, "turn", topic=turn.state.topic, step=turn.state.step, outcome=turn.outcome)
    followup = [FollowupAction(turn.followup)] if turn.followup else []
    return state_events(state, turn.state) + outcome_events(turn.outcome, turn.feedback) + followup


class EngineAction(Action):
    """Runs one engine function on the tracker's state and applies its turn."""

    action_name = ""

    def name(self) -> str:
        return self.action_name

    def decide(self, state: State, tracker: Tracker) -> Turn:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        state = read_state(tracker)
        turn = answer_turn(state, tracker) or self.decide(state, tracker)
        return await apply_turn(dispatcher, tracker, state, turn)


def stale_turn(state: State, tracker: Tracker) -> Optional[Turn]:
    """The turn for a button of an earlier question, else None (the message is an answer).

    Only for actions that answer the user's message directly: a follow-up action runs after
    the state has moved on, and would take the same button for a stale one."""
    if not questions.is_stale(questions.answered(tracker), questions.question_of(state)):
        return None
    log_event(log, "stale_button", awaiting=state.awaiting, topic=state.topic)
    return engine.stale_button(state)


def typed_answer(state: State, tracker: Tracker) -> Optional[Turn]:
    """The turn for a typed answer to the question on screen ("2", "No, that's all", "go
    back", the text a step asks for), else None: the classifier's intent decides."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    text = str(message.get("text") or "")
    # a step asking for a text takes a pasted "Account disabled" or "403", not a new topic:
    # only a clear question or statement of another topic leaves it
    said_enough = specific_answers.is_question(text) or len(text.split()) >= MIN_STATEMENT_WORDS
    if said_enough and questions.new_question(tracker):
        intent = typed_replies.NEW_QUESTION
    turn = typed_replies.typed_turn(state, text, intent)
    if turn is not None:
        log_event(log, "typed_answer", awaiting=state.awaiting, topic=state.topic, intent=intent)
    return turn


def answer_turn(state: State, tracker: Tracker) -> Optional[Turn]:
    """What the user's message answers before its intent counts: an earlier question's
    button (stale), or the question on screen, typed."""
    return stale_turn(state, tracker) or typed_answer(state, tracker)


class ActionInform(EngineAction):
    """A username or an address on its own: a step may have asked for it; else ask what the
    problem is."""

    action_name = "action_inform"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return Turn((Message(response="utter_inform_received"),), state)


class ActionNextStep(EngineAction):
    action_name = "action_next_step"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.next_step(state)


class ActionAffirm(EngineAction):
    action_name = "action_affirm"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        text = tracker.latest_message.get("text")
        return engine.affirm(state, latest_entity(tracker, "outcome"), text)


class ActionDeny(EngineAction):
    action_name = "action_deny"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.deny(state)


class ActionChoosePath(EngineAction):
    action_name = "action_choose_path"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.choose(state, latest_entity(tracker, "choice"))


class ActionOfferHandoff(EngineAction):
    action_name = "action_offer_handoff"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.handoff_requested(state)


class ActionDidYouMean(EngineAction):
    action_name = "action_did_you_mean"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.fallback(state, tracker.latest_message.get("intent_ranking", []))


class ActionThanks(EngineAction):
    action_name = "action_thanks"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.thanks(state, tracker.latest_message.get("text"))


class ActionWrongTopic(EngineAction):
    action_name = "action_wrong_topic"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return engine.wrong_topic(state)
