"""What a typed message means for the question on screen, read before the topic classifier's guess.

Buttons are the easy way to answer, but people type: a button's words ("No, that's all"), its
number ("2"), its emoji (👍), "what?" or "go back" during the steps, or the text a step asks for
(an error message, a username). The NLU model reads every message as a new question, so these
answers used to start other topics or get "that's outside what I can help with". Only whole
short messages are read this way (up to MAX_WORDS words, each pattern matching all of it),
except at a step that asks for a text. English only, like the engine's "that worked" words.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterator, Optional

from actions import engine
from actions.engine import Button, State, Turn
from actions.questions import split_payload
from actions.typed_words import (
    AGAIN,
    BACK,
    DONE,
    FILLER,
    IT_DID,
    LAST,
    NO_THANKS,
    NONE,
    PARTLY,
    SKIP,
    STILL_STUCK,
    STOP,
    YES,
    command,
    means,
    step_number,
    words,
)

NEW_QUESTION = "new_question"  # the intent to pass for a clear question of another topic
# What is never taken as the text a step asks for: a request for a person, a new question.
NOT_A_REPLY = {"human_handoff", NEW_QUESTION}
# A short "yes", "no", "next" or "thanks" at a step that asks for a text answers the step.
CONTROL_INTENTS = {"next_step", "affirm", "deny", "thanks", "goodbye", "greet", "choose_path"}
MAX_CONTROL_WORDS = 3
MAX_WORDS = 16  # longer texts are questions of their own, for the classifier
_NUMBERED = re.compile(r"^\d+\.\s+")
_IN_STEPS = (engine.STEP, engine.OUTCOME)
_OFFERS = (engine.HANDOFF_CONFIRM, engine.OFFER_WALKTHROUGH)
_OPTIONS = (*engine.CHOICES, engine.DID_YOU_MEAN)
# Button payloads whose meaning needs only the state: the ones `current_question` shows.
PRESSES: Dict[str, Callable[[State, Dict[str, Any]], Turn]] = {
    "next_step": lambda state, found: engine.next_step(state),
    "affirm": lambda state, found: engine.affirm(state, found.get("outcome")),
    "deny": lambda state, found: engine.deny(state),
    "choose_path": lambda state, found: engine.choose(state, found.get("choice")),
    "feedback": lambda state, found: engine.feedback(state, found.get("helpful")),
}


def _buttons(state: State) -> Iterator[Button]:
    for message in engine.current_question(state):
        yield from message.buttons


def names_button(title: str, text: str) -> bool:
    """The typed text is the button's words (without its "2. "), or its leading emoji."""
    bare = _NUMBERED.sub("", title)
    symbol = bare.split()[0] if bare.split() and not words(bare.split()[0]) else None
    typed = text.strip()
    return (bool(words(bare)) and words(typed) == words(bare)) or typed == symbol


def _press(state: State, payload: str) -> Optional[Turn]:
    """What pressing the button of `payload` does (the engine's own buttons only)."""
    intent, found = split_payload(payload)
    act = PRESSES.get(intent.lstrip("/"))
    return act(state, found) if act else None


def _numbered(state: State, text: str) -> Optional[Turn]:
    """An option's number: a numbered choice, or a "did you mean" topic (one past them is
    its "Something else")."""
    if state.awaiting in engine.CHOICES and means(LAST, text):
        return engine.choose(state, str(len(engine.current_choices(state))))
    number = engine.choice_number(text)
    if number is None:
        return None
    if state.awaiting in engine.CHOICES:
        return engine.choose(state, text)
    if state.awaiting == engine.DID_YOU_MEAN and 0 < number <= len(state.suggestions):
        return engine.start(state, state.suggestions[number - 1])
    if state.awaiting == engine.DID_YOU_MEAN and number == len(state.suggestions) + 1:
        return engine.deny(state)
    return None


def _partly_titled(state: State, text: str) -> Optional[Turn]:
    """An option named by some of its words ("locked", "admin approval", "change"): the one
    option whose words begin with every word typed."""
    typed = [w for w in words(text).split() if w not in FILLER]
    if state.awaiting not in engine.CHOICES or not 0 < len(typed) <= 4:
        return None
    if any(len(word) < 4 for word in typed):
        return None
    found = []
    for title, payload in _buttons(state):
        title_words = words(_NUMBERED.sub("", title)).split()
        if all(any(w.startswith(t) or t.startswith(w) for w in title_words) for t in typed):
            found.append(payload)
    return _press(state, found[0]) if len(found) == 1 else None


def _pressed(state: State, text: str) -> Optional[Turn]:
    """The button whose words (or number, or some of its words, for numbered options) were
    typed; "none of these" to options without such a button is the no they take."""
    turn = _numbered(state, text)
    if turn is not None:
        return turn
    for title, payload in _buttons(state):
        if names_button(title, text):
            return _press(state, payload)
    turn = _partly_titled(state, text)
    if turn is not None:
        return turn
    if state.awaiting in _OPTIONS and means(NONE, text):
        return engine.deny(state)
    return None


def _go_to_step(state: State, text: str) -> Optional[Turn]:
    named = step_number(text)
    number = engine.choice_number(named) if named else None
    return engine.show_step(state, number) if number else None


def _in_steps(state: State, text: str) -> Optional[Turn]:
    if command(BACK, text):
        return engine.previous_step(state)
    if command(SKIP, text) and state.awaiting == engine.STEP:
        return engine.next_step(state)
    if state.awaiting == engine.OUTCOME and (means(IT_DID, text) or engine.said_it_worked(text)):
        return engine.worked(state)
    if command(YES, text) and state.awaiting == engine.STEP:
        return engine.affirm(state)  # "got it", "ok": on to the next step, nothing resolved
    if means(PARTLY, text):
        return engine.deny(state)
    return _go_to_step(state, text)


def _at_question(state: State, text: str) -> Optional[Turn]:
    """Words that answer the other questions, or ask for them again."""
    if state.awaiting == engine.FEEDBACK and means(PARTLY, text):
        return engine.feedback(state, "no")  # half helpful: what was missing?
    if state.awaiting == engine.FEEDBACK and (means(DONE, text) or means(NO_THANKS, text)):
        return engine.nothing_more(state)
    if state.awaiting == engine.HANDOFF_CONFIRM and means(STILL_STUCK, text):
        return engine.affirm(state)
    if state.awaiting in _OFFERS and command(YES, text):
        return engine.affirm(state)
    if state.awaiting in _OFFERS and means(NO_THANKS, text):
        return engine.deny(state)
    said = words(text)
    if not said or means(AGAIN, text) or means(PARTLY, text) or means(NONE, text):
        return engine.again(state)  # "what?", a shrug, or no answer to this question
    return None


def _answer(state: State, text: str) -> Optional[Turn]:
    turn = _pressed(state, text)
    if turn is None and command(STOP, text):
        return engine.stop_steps(state)
    if turn is None and state.awaiting in _IN_STEPS and state.topic:
        turn = _in_steps(state, text)
    if turn is None and state.awaiting:
        turn = _at_question(state, text)
    return turn


def _is_reply(state: State, text: str, intent: Optional[str]) -> bool:
    """What a step that asks for a text takes as that text."""
    short = len(text.split()) <= MAX_CONTROL_WORDS
    return (
        engine.takes_reply(state)
        and intent not in NOT_A_REPLY
        and not (short and intent in CONTROL_INTENTS)
    )


def typed_turn(state: State, text: Optional[str], intent: Optional[str]) -> Optional[Turn]:
    """The turn a typed message makes as an answer to the question on screen, or None when it
    is not one (then the classifier's intent decides). `intent` is that guess (NEW_QUESTION
    for a clear question of another topic): those in NOT_A_REPLY are never a step's text."""
    typed = (text or "").strip()
    if not typed or typed.startswith("/") or not state.awaiting:
        return None  # nothing typed, a button's payload, or nothing asked
    turn = _answer(state, typed) if len(typed.split()) <= MAX_WORDS else None
    if turn is None and _is_reply(state, typed, intent):
        return engine.reply_noted(state)
    return turn
