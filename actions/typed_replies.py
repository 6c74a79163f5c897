"""What a typed message means for the question on screen, read before the topic classifier's guess.

Buttons are the easy way to answer, but people type: a button's words ("No, that's all"), its
number ("2"), its emoji (👍), "what?" or "go back" during the steps, or the text a step asks for
(an error message, a username). The NLU model reads every message as a new question, so these
answers used to start other topics or get "that's outside what I can help with". Only whole
short messages are read this way (up to MAX_WORDS words, each pattern matching all of it),
except at a step that asks for a text. English only, like the engine's "that worked" words.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterator, Optional

from actions import engine
from actions.engine import Button, State, Turn

NEW_QUESTION = "new_question"  # the intent to pass for a clear question of another topic
# What is never taken as the text a step asks for: a request for a person, a new question.
NOT_A_REPLY = {"human_handoff", NEW_QUESTION}
MAX_WORDS = 16  # longer texts are questions of their own, for the classifier
_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$", re.DOTALL)
_NUMBERED = re.compile(r"^\d+\.\s+")
_WORD = re.compile(r"[\w']+")
_IN_STEPS = (engine.STEP, engine.OUTCOME)
# Every pattern matches a whole message (its lower-case words): "back up my packages" is no
# "back", and "stop sending me emails" no "stop".
_POLITE = r"(?:please |can (?:i|we|you) |could (?:i|we|you) |let's |i want to |i'd like to )?"
_THANKS = r"(?: please| thanks| thank you)?"
_AGAIN = re.compile(
    r"^(what|huh|pardon|sorry|come again|repeat( that| it| please)?|say (that|it) again"
    r"|again( please)?|i don'?t understand|what do you mean)$"
)
_BACK = re.compile(
    rf"^{_POLITE}(go |take me |step )?back( to the (previous|last) step| one step| a step)?"
    rf"{_THANKS}$|^{_POLITE}(show me )?(the )?(previous|last) step{_THANKS}$|^undo$"
)
_STOP = re.compile(
    rf"^{_POLITE}(stop|cancel|quit|exit|abort|reset|restart|start over|start again"
    rf"|never ?mind|forget it|(show me |go |go back |back )?(to )?(the )?(main )?menu)"
    rf"( this| that| it)?{_THANKS}$"
)
# Half a yes to "Did that work?" (or to a step) is still stuck: the step's own help next.
_PARTLY = re.compile(
    r"^(kind of|kinda|sort of|partly|partially|half|almost|not really|not quite|somewhat"
    r"|a bit|a little|maybe|more or less)( worked| it worked| yes| helpful)?$"
)
_NONE = re.compile(r"^(none|neither|none of (those|these|them|the above)|something else)$")
# "Did this help?" answered with being done: no rating, nothing more asked.
_DONE = re.compile(
    r"^(no |nope |ok |okay )?(that's all|that is all|that's it|i'm done|im done|all done"
    r"|nothing else|no more questions)( thanks| thank you)?$"
)
# "Shall I open a support request?" answered with still being stuck: that is a yes.
_STILL_STUCK = re.compile(r"^(i'm |i am )?(still stuck|stuck|still not working|it didn't work)$")
_OPTIONS = (*engine.CHOICES, engine.DID_YOU_MEAN)
# Button payloads whose meaning needs only the state: the ones `current_question` shows.
PRESSES: Dict[str, Callable[[State, Dict[str, Any]], Turn]] = {
    "next_step": lambda state, found: engine.next_step(state),
    "affirm": lambda state, found: engine.affirm(state, found.get("outcome")),
    "deny": lambda state, found: engine.deny(state),
    "choose_path": lambda state, found: engine.choose(state, found.get("choice")),
    "feedback": lambda state, found: engine.feedback(state, found.get("helpful")),
}


def words(text: str) -> str:
    """Lower-case words only: "No, that’s all!" -> "no that's all" (phones type ’)."""
    return " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))


def _buttons(state: State) -> Iterator[Button]:
    for message in engine.current_question(state):
        yield from message.buttons


def _title_matches(title: str, text: str) -> bool:
    """The typed text is the button's words (without its "2. "), or its leading emoji."""
    bare = _NUMBERED.sub("", title)
    symbol = bare.split()[0] if bare.split() and not _WORD.match(bare) else None
    typed = text.strip()
    return (bool(words(bare)) and words(typed) == words(bare)) or typed == symbol


def _press(state: State, payload: str) -> Optional[Turn]:
    match = _PAYLOAD.match(payload)
    act = PRESSES.get(match.group("intent")) if match else None
    if act is None:
        return None
    try:
        found = json.loads(match.group("entities") or "{}")
    except ValueError:
        found = {}
    return act(state, found if isinstance(found, dict) else {})


def _numbered(state: State, text: str) -> Optional[Turn]:
    """An option's number: a numbered choice, or a "did you mean" topic."""
    number = engine.choice_number(text)
    if number is None:
        return None
    if state.awaiting in engine.CHOICES:
        return engine.choose(state, text)
    if state.awaiting == engine.DID_YOU_MEAN and 0 < number <= len(state.suggestions):
        return engine.start(state, state.suggestions[number - 1])
    return None


def _pressed(state: State, text: str) -> Optional[Turn]:
    """The button whose words (or number, for numbered options) were typed; "none of these"
    to options without such a button is the no they take."""
    turn = _numbered(state, text)
    if turn is not None:
        return turn
    for title, payload in _buttons(state):
        if _title_matches(title, text):
            return _press(state, payload)
    if state.awaiting in _OPTIONS and _NONE.match(words(text)):
        return engine.deny(state)
    return None


def _in_steps(state: State, said: str) -> Optional[Turn]:
    if _BACK.match(said):
        return engine.previous_step(state)
    if _STOP.match(said):
        return engine.stop_steps(state)
    if _PARTLY.match(said):
        return engine.deny(state)
    return None


def _at_question(state: State, said: str) -> Optional[Turn]:
    """Words that answer the other questions, or ask for them again."""
    if state.awaiting == engine.FEEDBACK and _PARTLY.match(said):
        return engine.feedback(state, "no")  # half helpful: what was missing?
    if state.awaiting == engine.FEEDBACK and _DONE.match(said):
        return engine.nothing_more(state)
    if state.awaiting == engine.HANDOFF_CONFIRM and _STILL_STUCK.match(said):
        return engine.affirm(state)
    if not said or _AGAIN.match(said) or _PARTLY.match(said) or _NONE.match(said):
        return engine.again(state)  # "what?", a shrug, or no answer to this question
    return None


def typed_turn(state: State, text: Optional[str], intent: Optional[str]) -> Optional[Turn]:
    """The turn a typed message makes as an answer to the question on screen, or None when it
    is not one (then the classifier's intent decides). `intent` is that guess (NEW_QUESTION
    for a clear question of another topic): those in NOT_A_REPLY are never a step's text."""
    typed = (text or "").strip()
    if not typed or typed.startswith("/"):
        return None  # nothing typed, or a button's payload
    if len(typed.split()) <= MAX_WORDS:
        said = words(typed)
        turn = _pressed(state, typed)
        if turn is None and state.awaiting in _IN_STEPS and state.topic:
            turn = _in_steps(state, said)
        if turn is None and state.awaiting:
            turn = _at_question(state, said)
        if turn is not None:
            return turn
    if engine.takes_reply(state) and intent not in NOT_A_REPLY:
        return engine.reply_noted(state)
    return None
