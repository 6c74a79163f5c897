"""What happened in one conversation, read from its stored events: a plain function of them.

A conversation is one Rasa session (from `action_session_start` to the next). The actions
mark milestones in the slot `conversation_outcome` (resolved, escalated, refused) and the
answer to "Did this help?" they took in `conversation_feedback` (up, down; a stale button is
never taken); a topic recognised later starts a new walk-through and the last of these wins.
Slots Rasa carries over into a new session (set again before its first message) are state,
not news. A walk-through still waiting on the user when the events end is `in_progress`:
figures.py calls it abandoned once it has been idle long enough, else open; one that waits
only on "Did this help?" or on the offer of a walk-through after an answer is `unconfirmed`.
Where the user left (the last step shown) and where they said "Still stuck" come from the
engine's slots.

Review candidates are the user messages the assistant was unsure about: a fallback, a "did
you mean", low confidence, out of scope, the question a user corrected ("no, that's not my
question") and the question a thumbs down was about. Messages typed while a form is asking
(an address, a username, a feedback comment) are never candidates: they answer a question
and may be personal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

OUTCOME_SLOT = "conversation_outcome"
SESSION_START = "action_session_start"
MILESTONES = ("resolved", "escalated", "refused")
STUCK_AWAITING = ("step", "outcome")  # a "no" there is "Still stuck" (actions/engine.py)
# What the assistant may wait on when nothing more is needed: "Did this help?", the offer of
# a walk-through after a specific answer. Left there, a conversation is unconfirmed, not
# abandoned; so is one left in the feedback form.
ANSWERED_AWAITING = (None, "", "feedback", "offer_walkthrough")
ANSWERED_LOOPS = (None, "feedback_form")
FEEDBACK_SLOT = "conversation_feedback"
LOW_CONFIDENCE = 0.7  # below this a recognised topic is worth a second look
# Intents that answer the assistant rather than ask something: never review candidates.
REPLIES = frozenset(
    {
        "affirm",
        "deny",
        "next_step",
        "choose_path",
        "thanks",
        "greet",
        "goodbye",
        "feedback",
        "inform",
        "wrong_topic",
        "human_handoff",
        "bot_challenge",
    }
)
Event = Mapping[str, Any]


@dataclass(frozen=True)
class Candidate:
    event_id: int
    text: str
    predicted: Optional[str]
    confidence: Optional[float]
    reason: str


@dataclass
class Summary:
    started: float
    last_active: float = 0.0
    channel: Optional[str] = None
    user_messages: int = 0
    topic: Optional[str] = None  # the first topic recognised
    state: str = "no_topic"
    left: Tuple[Optional[str], Optional[str], Optional[int]] = (None, None, None)
    stuck: Tuple[Optional[str], Optional[str], Optional[int]] = (None, None, None)
    feedback: Optional[str] = None
    comment: Optional[str] = None
    furthest: Dict[Tuple[str, str], int] = field(default_factory=dict)
    candidates: List[Candidate] = field(default_factory=list)


def sessions(rows: Iterable[Tuple[int, Event]]) -> List[List[Tuple[int, Event]]]:
    """A sender's (event id, event) rows split into sessions: each begins at Rasa's
    `action_session_start` or, without one just before it, at `session_started`."""
    found: List[List[Tuple[int, Event]]] = []
    previous: Optional[Event] = None
    for row in rows:
        if not found or _starts_session(row[1], previous):
            found.append([])
        found[-1].append(row)
        previous = row[1]
    return found


def _is_session_start_action(event: Optional[Event]) -> bool:
    return bool(event) and event.get("event") == "action" and event.get("name") == SESSION_START


def _starts_session(event: Event, previous: Optional[Event]) -> bool:
    if _is_session_start_action(event):
        return True
    return event.get("event") == "session_started" and not _is_session_start_action(previous)


def _intent(event: Event) -> Tuple[Optional[str], Optional[float]]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), float(confidence) if confidence is not None else None


def _best_topic(event: Event) -> Tuple[Optional[str], Optional[float]]:
    """The intent the classifier ranked first apart from its fallback."""
    for item in (event.get("parse_data") or {}).get("intent_ranking") or ():
        if item.get("name") != "nlu_fallback":
            return item.get("name"), item.get("confidence")
    return _intent(event)


class _Reader:
    """Reads one session's events in order, keeping the slots the summary needs."""

    def __init__(self, started: float) -> None:
        self.summary = Summary(started=started)
        self.slots: Dict[str, Any] = {}
        self.active_loop: Optional[str] = None
        self.question: Optional[Tuple[int, Event]] = None  # the last user message asking
        self.topic_question: Optional[Tuple[int, Event]] = None  # the one the topic came from
        self.flagged: Dict[int, Candidate] = {}

    def flag(self, row: Optional[Tuple[int, Event]], reason: str) -> None:
        if row is None or row[0] in self.flagged:
            return
        text = str(row[1].get("text") or "")
        if not text.strip() or text.startswith("/"):
            return
        predicted, confidence = _best_topic(row[1])
        self.flagged[row[0]] = Candidate(row[0], text, predicted, confidence, reason)

    def user(self, row: Tuple[int, Event]) -> None:
        event, summary = row[1], self.summary
        summary.user_messages += 1
        summary.channel = summary.channel or event.get("input_channel")
        name, confidence = _intent(event)
        awaiting = self.slots.get("awaiting")
        if name == "deny" and awaiting in STUCK_AWAITING:
            summary.stuck = self._place()
        if name == "wrong_topic":
            self.flag(self.topic_question, "corrected")
        if self.active_loop or name in REPLIES:
            return
        self.question = row
        if name == "nlu_fallback":
            self.flag(row, "fallback")
        elif name == "out_of_scope":
            self.flag(row, "out_of_scope")
        elif confidence is not None and confidence < LOW_CONFIDENCE:
            self.flag(row, "low_confidence")

    def _place(self) -> Tuple[Optional[str], Optional[str], Optional[int]]:
        step = self.slots.get("playbook_step")
        return (self.slots.get("topic"), self.slots.get("playbook_path"), _int(step))

    def slot(self, name: str, value: Any) -> None:
        summary = self.summary
        previous = self.slots.get(name)
        self.slots[name] = value
        if not summary.user_messages:
            return  # slots carried over from the last session: its state, not new milestones
        if name == "topic" and value and value != previous:
            summary.topic = summary.topic or value
            summary.state = "in_progress"
            self.topic_question = self.question
        elif name == OUTCOME_SLOT and value in MILESTONES:
            summary.state = value
        elif name == FEEDBACK_SLOT and value in ("up", "down"):
            summary.feedback = value
            if value == "down":
                self.flag(self.topic_question, "thumbs_down")
        elif name == "feedback_comment" and value:
            summary.comment = str(value)
        elif name == "playbook_step":
            self._reached()

    def _reached(self) -> None:
        topic, path, step = self._place()
        if topic and path and step:
            key = (topic, path)
            self.summary.furthest[key] = max(step, self.summary.furthest.get(key, 0))

    def action(self, name: Optional[str]) -> None:
        if name == "action_did_you_mean":
            self.flag(self.question, "did_you_mean")

    def finish(self) -> Summary:
        summary = self.summary
        if summary.state == "in_progress":
            summary.left = self._place()
            waiting = self.slots.get("awaiting") not in ANSWERED_AWAITING
            if not waiting and self.active_loop in ANSWERED_LOOPS:
                summary.state = "unconfirmed"  # the answer was given, nothing is asked
        summary.candidates = sorted(self.flagged.values(), key=lambda c: c.event_id)
        return summary


def _int(value: Any) -> Optional[int]:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def summarize(session: List[Tuple[int, Event]]) -> Optional[Summary]:
    """What happened in one session; None if the user never wrote in it."""
    if not session:
        return None
    reader = _Reader(started=float(session[0][1].get("timestamp") or 0.0))
    for event_id, event in session:
        kind = event.get("event")
        reader.summary.last_active = max(
            reader.summary.last_active, float(event.get("timestamp") or 0.0)
        )
        if kind == "user":
            reader.user((event_id, event))
        elif kind == "slot":
            reader.slot(str(event.get("name")), event.get("value"))
        elif kind == "active_loop":
            reader.active_loop = event.get("name")
        elif kind == "action":
            reader.action(event.get("name"))
        elif kind == "restart":
            reader.slots.clear()
    summary = reader.finish()
    return summary if summary.user_messages else None
