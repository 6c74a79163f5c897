"""What a typed message means for the question on screen, read before the topic classifier's guess.

Buttons are the easy way to answer, but people type: a button's words ("No, that's all"), its
number ("2"), its emoji (👍), "what?" or "go back" during the steps, or the text a step asks for
(an error message, a username). The NLU model reads every message as a new question, so these
answers used to start other topics or get "that's outside what I can help with". Only short
messages are read this way, except at a step that asks for a text. English only, like the
engine's "that worked" words.
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
MAX_WORDS = 6  # longer texts are questions of their own, for the classifier
_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$", re.DOTALL)
_NUMBERED = re.compile(r"^\d+\.\s+")
_WORD = re.compile(r"[\w']+")
_IN_STEPS = (engine.STEP, engine.OUTCOME)
_AGAIN = re.compile(
    r"^(what|huh|pardon|sorry|come again|repeat( that| it| please)?|say (that|it) again"
    r"|again( please)?|i don'?t understand|what do you mean)$"
)
_BACK = re.compile(r"^(back|go back|previous( step)?|last step|step back|undo)( please)?$")
_STOP = re.compile(
    r"^(stop|cancel|quit|exit|abort|reset|restart|start over|start again|menu|main menu"
    r"|never ?mind|forget it)( please)?$"
)
# Half a yes to "Did that work?" (or to a step) is still stuck: the step's own help next.
_PARTLY = re.compile(
    r"^(kind of|kinda|sort of|partly|partially|half|almost|not really|not quite|somewhat"
    r"|a bit|a little|maybe|more or less)( worked| it worked| yes)?$"
)
_NONE = re.compile(r"^(none|neither|none of (those|these|them|the above)|something else)$")
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
    """Lower-case words only: "No, that's all!" -> "no that's all"."""
    return " ".join(_WORD.findall(text.lower()))


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


def _pressed(state: State, text: str) -> Optional[Turn]:
    """The button whose words (or number, for numbered choices) were typed; "none of these"
    to options without such a button is the no they take."""
    if state.awaiting in engine.CHOICES and engine.choice_number(text) is not None:
        return engine.choose(state, text)
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


def typed_turn(state: State, text: Optional[str], intent: Optional[str]) -> Optional[Turn]:
    """The turn a typed message makes as an answer to the question on screen, or None when it
    is not one (then the classifier's intent decides). `intent` is that guess (NEW_QUESTION
    for a clear question of another topic): those in NOT_A_REPLY are never a step's text."""
    typed = (text or "").strip()
    if not typed or typed.startswith("/"):
        return None  # nothing typed, or a button's payload
    if len(typed.split()) <= MAX_WORDS:
        turn = _pressed(state, typed)
        said = words(typed)
        if turn is None and state.awaiting and (not said or _AGAIN.match(said)):
            turn = engine.again(state)  # "what?", "?", a shrug: the question once more
        if turn is None and state.awaiting in _IN_STEPS and state.topic:
            turn = _in_steps(state, said)
        if turn is not None:
            return turn
    if engine.takes_reply(state) and intent not in NOT_A_REPLY:
        return engine.reply_noted(state)
    return None
