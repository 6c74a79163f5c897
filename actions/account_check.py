"""The account check: a form asks for the account, the backend is queried, the diagnosis
picks the branch. Faults in the backend end in the general steps, never in an error."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import diagnosis, engine, questions, specific_answers
from actions.actions import answer_turn, apply_turn
from actions.backend_client import BackendClient, BackendUnavailable, LookupLimited
from actions.dialogue_state import read_state
from actions.engine import State, Turn
from actions.knowledge import Fact, knowledge
from actions.playbooks import account_topics, playbooks
from actions.typed_words import AGAIN, STOP, command, means, question_marked
from common.conversation import client_key_in
from common.identifiers import IDENTITY_TOKEN_FIELD, MAX_IDENTITY_TOKEN
from common.logs import log_event

log = logging.getLogger(__name__)
SLOT = "account_identifier"
WAY_OUT_INTENTS = {"deny", "goodbye", "out_of_scope"}
MAX_ATTEMPTS = 2
# "/deny" inside the form is a way out: the general steps without a look-up.
SKIP_BUTTON = {"title": "Skip: show me the steps", "payload": "/deny"}


def _metadata(tracker: Tracker) -> Dict[str, Any]:
    """The newest user message's metadata (what the channel and the host page sent)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = event.get("metadata")
            return found if isinstance(found, dict) else {}
    return {}


def identity_token(tracker: Tracker) -> Optional[str]:
    """The signed identity the newest user message carries in its metadata, if any."""
    token = _metadata(tracker).get(IDENTITY_TOKEN_FIELD)
    return token if isinstance(token, str) and len(token) < MAX_IDENTITY_TOKEN else None


class ActionAskAccountIdentifier(Action):
    def name(self) -> str:
        return "action_ask_account_identifier"

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        book = playbooks().get(tracker.get_slot("topic") or "")
        question = book.ask if book and book.ask else "Which account is it?"
        # rasa shell turns buttons into a menu where Enter picks the first one; there the
        # question's own "(Say "skip" ...)" is enough and a typed username goes straight in.
        terminal = tracker.get_latest_input_channel() == "cmdline"
        asked = questions.asked_by_form(tracker, engine.ACCOUNT_FORM)
        skip = {**SKIP_BUTTON, "payload": questions.tagged(SKIP_BUTTON["payload"], asked)}
        dispatcher.utter_message(text=question, buttons=None if terminal else [skip])
        return []


class ValidateAccountForm(FormValidationAction):
    def name(self) -> str:
        return "validate_account_form"

    async def validate_account_identifier(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        if questions.refused_as_stale(tracker, dispatcher, engine.ACCOUNT_FORM):
            return {SLOT: None}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        typed = str(tracker.latest_message.get("text") or "")
        if command(STOP, typed):  # leave the topic ("cancel" can look like account deletion)
            return {SLOT: "stop:", "identifier_attempts": None}
        if question_marked(typed) and means(AGAIN, typed):  # "what?", "why?" (not a username)
            return {SLOT: None}  # the question again, no attempt spent
        candidates = [
            *tracker.get_latest_entity_values("email"),
            *tracker.get_latest_entity_values("username"),
            str(value or ""),
        ]
        for candidate in candidates:
            found = diagnosis.parse_identifier(str(candidate))
            if found:
                return {SLOT: f"{found.kind}:{found.value}", "identifier_attempts": None}
        if intent == "human_handoff":
            return {SLOT: "handoff", "identifier_attempts": None}
        switched = questions.new_question(tracker)
        if switched:
            return {SLOT: f"topic:{switched}", "identifier_attempts": None}
        attempts = int(tracker.get_slot("identifier_attempts") or 0) + 1
        if intent in WAY_OUT_INTENTS or attempts >= MAX_ATTEMPTS:
            return {SLOT: "skip:", "identifier_attempts": None}
        dispatcher.utter_message(response="utter_invalid_identifier")
        return {SLOT: None, "identifier_attempts": float(attempts)}


async def _verified_username(tracker: Tracker, client: BackendClient) -> Optional[str]:
    """The username of the signed-in user the host page vouched for, else None."""
    token = identity_token(tracker)
    return await client.verified_username(token) if token else None


Lookup = Callable[..., Awaitable[diagnosis.Finding]]


async def _account(topic: str, found: Optional[diagnosis.Identifier], client, verified: str):
    """The signed-in account itself: never an account named by what the user typed."""
    account = await client.own_account(verified)
    return diagnosis.account_finding(topic, account, verified, date.today())


async def _login_target(topic: str, found: Optional[diagnosis.Identifier], client, verified):
    if found is None or found.kind != "email":
        return None
    owner = await client.login_owner(found.value)
    return diagnosis.target_finding(found.value, owner, verified)


async def _own_sign_in(topic: str, found: Optional[diagnosis.Identifier], client, verified):
    """Before asking which Microsoft account to switch to: the signed-in account's own state.
    A finding when it makes the question moot (locked, an organization, no Microsoft account
    linked to change); None when the question is to be asked."""
    finding = await _account(topic, found, client, verified)
    return None if finding is None or finding[0] == "linked" else finding


async def _tenant(topic: str, found: Optional[diagnosis.Identifier], client, verified):
    domain = diagnosis.domain_of(found) if found else None
    return diagnosis.tenant_finding(domain, await client.tenant_state(domain)) if domain else None


@dataclass(frozen=True)
class Check:
    """What a playbook's `check:` looks at before its steps."""

    lookup: Lookup
    asks: bool  # the account form asks the playbook's `ask` question first
    needs_identity: bool  # only for a signed-in user the host page vouched for
    before_asking: Optional[Lookup] = None  # a finding that makes the question moot, if any


# An unverified user learns nothing about any account: not whether it exists, not its
# username. Checks of an account or a Microsoft login need a verified identity; the state of
# an email domain's tenant is not about an account, so anyone may ask.
CHECKS: Dict[str, Check] = {
    "account": Check(_account, asks=False, needs_identity=True),
    "login_target": Check(
        _login_target, asks=True, needs_identity=True, before_asking=_own_sign_in
    ),
    "tenant": Check(_tenant, asks=True, needs_identity=False),
}


async def diagnose(
    state: State,
    tracker: Tracker,
    found: Optional[diagnosis.Identifier] = None,
    before_asking: bool = False,
) -> Turn:
    """Runs the topic's check (asking nothing more) and takes the branch its finding gives.
    `before_asking`: the check's look-up before its question instead; no finding then asks it."""
    check = CHECKS[playbooks()[state.topic].check]
    lookup = check.before_asking if before_asking else check.lookup
    client = BackendClient.from_env(tracker.sender_id)
    try:
        verified = await _verified_username(tracker, client) if check.needs_identity else None
        if check.needs_identity and not verified:
            log_event(log, "account_check_unverified", topic=state.topic)
            return engine.general_steps(state, reason="utter_sign_in_to_check")
        # unverified: one budget for a script however many conversations it opens
        client = client.for_client(verified, client_key_in(_metadata(tracker)))
        finding = await lookup(state.topic, found, client, verified)
    except LookupLimited:
        log_event(log, "account_check_limited", logging.WARNING, topic=state.topic)
        return engine.general_steps(state, reason="utter_lookup_limited")
    except BackendUnavailable as error:
        log_event(log, "account_check_failed", logging.WARNING, topic=state.topic, error=error)
        return engine.general_steps(state, reason="utter_could_not_check")
    log_event(log, "account_checked", topic=state.topic, finding=finding and finding[0])
    if finding:
        return engine.apply_finding(state, *finding)
    return engine.begin_account_check(state.topic) if before_asking else engine.general_steps(state)


async def start_topic(state: State, topic: str, tracker: Tracker) -> Turn:
    """The user asked about `topic`: its steps, its check first, or the question the check needs."""
    check = CHECKS.get(playbooks()[topic].check or "")
    if check is None:
        return engine.start(state, topic)
    if check.asks and (not check.needs_identity or identity_token(tracker)):
        if check.before_asking:  # the account's own state may make the question moot
            return await diagnose(State(topic=topic), tracker, before_asking=True)
        return engine.begin_account_check(topic)
    return await diagnose(State(topic=topic), tracker)


def _alternatives(topic: str, tracker: Tracker) -> Tuple[str, ...]:
    """The next likely topics of the message, for "no, that's not my question"."""
    ranking = tracker.latest_message.get("intent_ranking", [])
    return tuple(t for t in engine.top_topics(ranking, 4) if t != topic)[:3]


async def answer_or_start(
    state: State, topic: str, alternatives: Tuple[str, ...], tracker: Tracker
) -> Turn:
    """A specific question gets its fact (or an honest "not documented") first, from `topic`
    or one of its likely `alternatives`; anything else starts the topic's walk-through."""
    check = CHECKS.get(playbooks()[topic].check or "")
    if check and check.needs_identity and identity_token(tracker):
        # a signed-in user's own account answers better than a general fact
        return await start_topic(state, topic, tracker)
    text = str(tracker.latest_message.get("text") or "")
    found = specific_answers.specific_answer_among((topic, *alternatives), text)
    kind = type(found[1]).__name__.lower() if found else None
    log_event(log, "topic_asked", topic=topic, specific=kind)
    if found is None:
        return await start_topic(state, topic, tracker)
    answered, answer = found
    if isinstance(answer, Fact):
        return engine.answer_fact(state, answered, answer.says, knowledge().source_url(answer))
    return engine.answer_unknown(state, answered)


class ActionStartPlaybook(Action):
    def name(self) -> str:
        return "action_start_playbook"

    async def decide(self, state: State, tracker: Tracker) -> Turn:
        topic = tracker.get_intent_of_latest_message()
        if topic not in account_topics():
            return engine.fallback(state, tracker.latest_message.get("intent_ranking", []))
        alternatives = _alternatives(topic, tracker)
        turn = await answer_or_start(state, topic, alternatives, tracker)
        return replace(turn, state=replace(turn.state, suggestions=alternatives))

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = read_state(tracker)
        # an old "did you mean" topic button is stale too
        turn = answer_turn(state, tracker) or await self.decide(state, tracker)
        return await apply_turn(dispatcher, tracker, state, turn)


class ActionStartWalkthrough(Action):
    """The user took the offer of the whole walk-through after a specific answer."""

    def name(self) -> str:
        return engine.START_WALKTHROUGH

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = read_state(tracker)
        if state.topic not in account_topics():
            turn = Turn((engine.Message(response="utter_how_can_i_help"),), state)
        else:
            turn = await start_topic(state, state.topic, tracker)
        return await apply_turn(dispatcher, tracker, state, turn)


class ActionDiagnose(Action):
    def name(self) -> str:
        return "action_diagnose"

    async def decide(self, state: State, tracker: Tracker) -> Turn:
        kind, _, value = str(tracker.get_slot(SLOT) or "skip:").partition(":")
        if kind == "handoff":
            return engine.handoff_requested(state)
        if kind == "stop":
            return engine.stop_steps(state)
        if kind == "topic" and value in account_topics():
            return await start_topic(state, value, tracker)
        if kind not in ("email", "username", "domain") or not state.topic:
            return engine.general_steps(state)
        return await diagnose(state, tracker, diagnosis.Identifier(kind, value))

    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = read_state(tracker)
        events = await apply_turn(dispatcher, tracker, state, await self.decide(state, tracker))
        return events + [SlotSet(SLOT, None)]
