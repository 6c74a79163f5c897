"""The conversation state machine: what to say next, as plain functions without Rasa.

Every function takes the current `State` (and what the user did) and returns a `Turn`:
the messages to send and the new state. The Rasa actions are thin adapters around it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from string import Template
from typing import Mapping, Optional, Sequence, Tuple

from actions.playbooks import (
    DONE,
    HANDOFF,
    Choice,
    Path,
    Playbook,
    account_topics,
    playbooks,
    split_target,
)

# What the bot is waiting for; decides what "yes"/"no" mean.
STEP = "step"  # an intermediate step is shown
OUTCOME = "outcome"  # the last step asked "Did that work?"
CHOICE = "choice"  # numbered options are shown (end of a path)
STUCK_CHOICE = "stuck_choice"  # numbered options after "Still stuck"
HANDOFF_CONFIRM = "handoff_confirm"  # "Shall I open a support request?"
DID_YOU_MEAN = "did_you_mean"  # low-confidence guesses are shown
FINDING_CHOICE = "finding_choice"  # options after what the account check found

NEXT = ("Next step", "/next_step")
WORKED = ("That worked", '/affirm{"outcome": "worked"}')
STUCK = ("Still stuck", "/deny")
YES_REQUEST = ("Yes, open a request", "/affirm")
NO_THANKS = ("No, thanks", "/deny")
SOMETHING_ELSE = ("Something else", "/deny")

Button = Tuple[str, str]


@dataclass(frozen=True)
class Message:
    """Either a literal text or the name of a domain response (with its variables)."""

    text: Optional[str] = None
    buttons: Tuple[Button, ...] = ()
    response: Optional[str] = None


@dataclass(frozen=True)
class State:
    topic: Optional[str] = None
    path: Optional[str] = None
    step: int = 0  # 1-based index of the step shown last; 0 before the first
    awaiting: Optional[str] = None
    suggestions: Tuple[str, ...] = ()
    fallbacks: int = 0
    finding: Optional[str] = None  # what the account check found, while its options show


@dataclass(frozen=True)
class Turn:
    messages: Tuple[Message, ...]
    state: State
    open_support_request: bool = False
    ask_account: bool = False  # the account form asks the playbook's `ask` question next


def _book(state: State) -> Playbook:
    return playbooks()[state.topic]


def _path(state: State) -> Path:
    return _book(state).paths[state.path]


def _step_message(path: Path, index: int) -> Message:
    step = path.steps[index - 1]
    total = len(path.steps)
    text = f"Step {index} of {total}: {step.text}" if total > 1 else step.text
    if index == total and path.asks_outcome:
        return Message(text=f"{text}\n\nDid that work?", buttons=(WORKED, STUCK))
    return Message(text=text, buttons=(NEXT, WORKED, STUCK))


def _choice_buttons(choices: Sequence[Choice]) -> Tuple[Button, ...]:
    return tuple(
        (f"{i}. {c.title}", f'/choose_path{{"choice": "{i}"}}') for i, c in enumerate(choices, 1)
    )


def _choices_message(text: str, choices: Sequence[Choice]) -> Message:
    return Message(text=text, buttons=_choice_buttons(choices))


def offer_support_request(state: State, lead: Tuple[Message, ...] = ()) -> Turn:
    offer = Message(response="utter_offer_support_request", buttons=(YES_REQUEST, NO_THANKS))
    return Turn(lead + (offer,), replace(state, awaiting=HANDOFF_CONFIRM))


def _end_of_path(state: State, path: Path, lead: Tuple[Message, ...]) -> Turn:
    """What follows the last step of a path that does not ask "Did that work?"."""
    if path.choices:
        message = _choices_message(path.choices_text or "What next?", path.choices)
        return Turn(lead + (message,), replace(state, awaiting=CHOICE))
    if path.then:
        return go_to(state, path.then, lead)
    return offer_support_request(state, lead)


def _show_step(state: State, path: Path, index: int, lead: Tuple[Message, ...]) -> Turn:
    shown = replace(state, step=index)
    message = _step_message(path, index)
    if index == len(path.steps) and path.end == HANDOFF:
        return offer_support_request(shown, lead + (Message(text=message.text),))
    awaiting = OUTCOME if index == len(path.steps) and path.asks_outcome else STEP
    return Turn(lead + (message,), replace(shown, awaiting=awaiting))


def go_to(state: State, target: str, lead: Tuple[Message, ...] = ()) -> Turn:
    """Enter a playbook path ("topic", "topic/path" or "handoff") from its start."""
    if target == HANDOFF:
        return offer_support_request(state, lead)
    if target == DONE:
        return Turn(
            lead + (Message(response="utter_anything_else"),), replace(state, awaiting=None)
        )
    topic, path_name = split_target(target)
    entered = replace(state, topic=topic, path=path_name, step=0, awaiting=None, fallbacks=0)
    path = _path(entered)
    intro = (Message(text=path.intro),) if path.intro else ()
    if path.steps:
        return _show_step(entered, path, 1, lead + intro)
    return _end_of_path(entered, path, lead + intro)


def start(state: State, topic: str) -> Turn:
    """The user asked about `topic`: start its playbook from the beginning."""
    return go_to(replace(state, suggestions=(), finding=None), topic)


def begin_account_check(topic: str) -> Turn:
    """A fresh state for `topic`; the account form asks the playbook's `ask` question next."""
    return Turn((), State(topic=topic), ask_account=True)


def general_steps(state: State, reason: Optional[str] = None) -> Turn:
    """No usable account state: the topic's general steps, after the response `reason`
    saying why the check gave nothing (failed, or the look-up budget is used)."""
    lead = (Message(response=reason),) if reason else ()
    return go_to(replace(state, finding=None), state.topic, lead)


def apply_finding(state: State, name: str, values: Mapping[str, str]) -> Turn:
    """Says what the account check found and takes the branch the playbook gives for it."""
    finding = playbooks()[state.topic].findings.get(name)
    if finding is None:
        return general_steps(state)
    try:
        said = Template(finding.say).substitute(values)
    except (KeyError, ValueError):
        return general_steps(state)
    lead = (Message(text=said),)
    if finding.choices:
        message = _choices_message("What would you like to do?", finding.choices)
        found = replace(state, path="main", step=0, awaiting=FINDING_CHOICE, finding=name)
        return Turn(lead + (message,), found)
    return go_to(replace(state, finding=None), finding.goto, lead)


def next_step(state: State) -> Turn:
    if state.awaiting not in (STEP, OUTCOME) or not state.topic:
        return Turn((Message(response="utter_no_active_steps"),), state)
    path = _path(state)
    if state.step < len(path.steps):
        return _show_step(state, path, state.step + 1, ())
    if path.asks_outcome:
        return worked(state)
    return _end_of_path(state, path, ())


def worked(state: State) -> Turn:
    done = _path(state).done if state.topic else None
    lead = (Message(text=done),) if done else ()
    return Turn(lead + (Message(response="utter_anything_else"),), replace(state, awaiting=None))


def _stuck_help(state: State):
    path = _path(state)
    step = path.steps[state.step - 1] if 0 < state.step <= len(path.steps) else None
    return (step.stuck if step else None) or path.stuck


def stuck(state: State) -> Turn:
    """ "Still stuck": the step's own help if it has some, else a support request."""
    help_ = _stuck_help(state) if state.topic and state.path else None
    if help_:
        message = _choices_message(help_.text, help_.choices)
        return Turn((message,), replace(state, awaiting=STUCK_CHOICE))
    return offer_support_request(state, (Message(response="utter_sorry_stuck"),))


def _current_choices(state: State) -> Tuple[Choice, ...]:
    if state.awaiting == CHOICE:
        return _path(state).choices
    if state.awaiting == STUCK_CHOICE:
        help_ = _stuck_help(state)
        return help_.choices if help_ else ()
    if state.awaiting == FINDING_CHOICE and state.finding:
        finding = playbooks()[state.topic].findings.get(state.finding)
        return finding.choices if finding else ()
    return ()


_ORDINALS = {
    word: number
    for number, words in enumerate(
        (("first", "one", "1st"), ("second", "two", "2nd"), ("third", "three", "3rd")), 1
    )
    for word in words
}


def _choice_index(choice: str, count: int) -> Optional[int]:
    cleaned = choice.strip().lower().rstrip(".")
    number = _ORDINALS.get(cleaned) or (int(cleaned) if cleaned.isdigit() else None)
    return number if number and 1 <= number <= count else None


def choose(state: State, choice: Optional[str]) -> Turn:
    options = _current_choices(state)
    if not options:
        return Turn((Message(response="utter_no_options"),), state)
    index = _choice_index(choice or "", len(options))
    if index is None:
        return Turn((_choices_message("Please pick one of these:", options),), state)
    return go_to(replace(state, finding=None), options[index - 1].goto)


def _reshow_choices(state: State) -> Turn:
    return Turn((_choices_message("Please pick one of these:", _current_choices(state)),), state)


def affirm(state: State, outcome: Optional[str] = None) -> Turn:
    """A yes: its meaning depends on the question the bot asked last."""
    if state.awaiting == STEP:
        return worked(state) if outcome == "worked" else next_step(state)
    if state.awaiting == OUTCOME:
        return worked(state)
    if state.awaiting == HANDOFF_CONFIRM:
        cleared = replace(state, awaiting=None)
        return Turn((), cleared, open_support_request=True)
    if state.awaiting == DID_YOU_MEAN and state.suggestions:
        return start(state, state.suggestions[0])
    if state.awaiting in (CHOICE, STUCK_CHOICE, FINDING_CHOICE):
        return _reshow_choices(state)
    return Turn((Message(response="utter_how_can_i_help"),), state)


def deny(state: State) -> Turn:
    """A no: "still stuck" in a walk-through, "no thanks" to an offer, "none of these"."""
    if state.awaiting in (STEP, OUTCOME):
        return stuck(state)
    if state.awaiting == HANDOFF_CONFIRM:
        return Turn((Message(response="utter_no_request"),), replace(state, awaiting=None))
    if state.awaiting == DID_YOU_MEAN:
        return Turn((Message(response="utter_ask_rephrase"),), replace(state, awaiting=None))
    if state.awaiting in (CHOICE, STUCK_CHOICE, FINDING_CHOICE):
        return offer_support_request(state)
    return Turn((Message(response="utter_how_can_i_help"),), state)


def top_topics(ranking: Sequence[Mapping[str, object]], count: int = 2) -> Tuple[str, ...]:
    """The `count` most likely account topics of an NLU intent ranking."""
    names = [str(item.get("name")) for item in ranking]
    topics = account_topics()
    return tuple(name for name in names if name in topics)[:count]


def fallback(state: State, ranking: Sequence[Mapping[str, object]]) -> Turn:
    """Low confidence: first "did you mean", then an honest "I can't help with that"."""
    guesses = top_topics(ranking)
    if state.fallbacks == 0 and guesses:
        buttons = tuple((playbooks()[t].title, f"/{t}") for t in guesses) + (SOMETHING_ELSE,)
        message = Message(response="utter_did_you_mean", buttons=buttons)
        new = replace(state, awaiting=DID_YOU_MEAN, suggestions=guesses, fallbacks=1)
        return Turn((message,), new)
    reset = replace(state, fallbacks=0, suggestions=())
    return offer_support_request(reset, (Message(response="utter_cannot_help"),))


def handoff_requested(state: State) -> Turn:
    return offer_support_request(state)
