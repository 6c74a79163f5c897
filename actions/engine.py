"""The conversation state machine: what to say next, as plain functions without Rasa.

Every function takes the current `State` (and what the user did) and returns a `Turn`:
the messages to send and the new state. The Rasa actions are thin adapters around it.
"""

from __future__ import annotations

import re
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
OFFER_WALKTHROUGH = "offer_walkthrough"  # a specific answer was given; walk through the rest?
FEEDBACK = "feedback"  # "Did this help?" after an answer that ended a question
CHOICES = (CHOICE, STUCK_CHOICE, FINDING_CHOICE)  # numbered options are on screen

NEXT = ("Next step", "/next_step")
WORKED = ("That worked", '/affirm{"outcome": "worked"}')
STUCK = ("Still stuck", "/deny")
YES_REQUEST = ("Yes, open a request", "/affirm")
NO_THANKS = ("No, thanks", "/deny")
SOMETHING_ELSE = ("Something else", "/deny")
WALK_ME_THROUGH = ("Walk me through it", "/affirm")
THATS_ALL = ("No, that's all", "/deny")
THUMBS_UP = ("👍 Yes, it helped", '/feedback{"helpful": "yes"}')
THUMBS_DOWN = ("👎 No", '/feedback{"helpful": "no"}')
# What Rasa runs after a turn that needs more than the engine: the account form asks the
# playbook's question; the walk-through action starts a topic with its account check; the
# contact form asks where the team should reply before a support request is opened; the
# feedback form asks what was missing after a thumbs down.
ACCOUNT_FORM = "account_form"
START_WALKTHROUGH = "action_start_walkthrough"
CONTACT_FORM = "contact_form"
FEEDBACK_FORM = "feedback_form"
# What happened, for the team's figures (the `conversation_outcome` slot): the user said it
# worked; a support request was opened; the question was out of scope.
RESOLVED, ESCALATED, REFUSED = "resolved", "escalated", "refused"
LOCKED = "locked"  # the finding every account check gives first for a locked account
# "that worked", "fixed it", "all good now": a yes that ends the walk-through at any step.
_WORKED = re.compile(
    r"\b(work(s|ed|ing)?|fixed|solved|resolved|sorted|did the trick|all good|success\w*)\b"
    r"|\bthat did it\b|\bi'?m in\b|\bgot (it|in)\b",
    re.IGNORECASE,
)
_NOT_WORKED = re.compile(r"\b(not|never|no longer|still)\b|n't\b", re.IGNORECASE)
# "not helpful", "didn't help", "useless": typed feedback that carries no `helpful` entity.
_NOT_HELPFUL = re.compile(
    r"\b(not|never|no|nope|unhelpful|useless|pointless|wrong|bad|unclear|confusing|outdated"
    r"|thumbs down)\b|n't\b|👎",
    re.IGNORECASE,
)

# "that helped", "not useful", "didn't help": a thanks that also rates the answer.
_RATED = re.compile(
    r"\b(help(ed|ful)|useful|useless)\b|\b(didn'?t|did not|doesn'?t|does not) help\b|👍|👎",
    re.IGNORECASE,
)

Button = Tuple[str, str]


@dataclass(frozen=True)
class Message:
    """Either a literal text or the name of a domain response (with its variables)."""

    text: Optional[str] = None
    buttons: Tuple[Button, ...] = ()
    response: Optional[str] = None
    values: Tuple[Tuple[str, str], ...] = ()  # the response's {variables}


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
    followup: Optional[str] = None  # ACCOUNT_FORM, START_WALKTHROUGH, CONTACT_FORM... runs next
    outcome: Optional[str] = None  # RESOLVED, ESCALATED or REFUSED when the turn reaches one
    feedback: Optional[str] = None  # "up" or "down": the answer to "Did this help?" it took


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


def _offer_message() -> Message:
    return Message(response="utter_offer_support_request", buttons=(YES_REQUEST, NO_THANKS))


def offer_support_request(state: State, lead: Tuple[Message, ...] = ()) -> Turn:
    return Turn(lead + (_offer_message(),), replace(state, awaiting=HANDOFF_CONFIRM))


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
    if target == DONE:  # the user ended it ("That's it, thanks"): how did it go?
        return ask_feedback(state, lead)
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
    return Turn((), State(topic=topic), followup=ACCOUNT_FORM)


def general_steps(state: State, reason: Optional[str] = None) -> Turn:
    """No usable account state: the topic's general steps, after the response `reason`
    saying why the check gave nothing (failed, or the look-up budget is used)."""
    lead = (Message(response=reason),) if reason else ()
    return go_to(replace(state, finding=None), state.topic, lead)


def apply_finding(state: State, name: str, values: Mapping[str, str]) -> Turn:
    """Says what the account check found and takes the branch the playbook gives for it."""
    finding = playbooks()[state.topic].findings.get(name)
    if finding is None and name == LOCKED:
        # a locked account is for nuget.org support in every topic; no reason is known here
        return offer_support_request(state, (Message(response="utter_account_locked"),))
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
    if state.awaiting and state.awaiting not in (STEP, OUTCOME):
        return again(state)  # another question is open: "next" does not answer it
    if state.awaiting not in (STEP, OUTCOME) or not state.topic:
        return Turn((Message(response="utter_no_active_steps"),), state)
    if state.awaiting == OUTCOME:  # "Did that work?" is on screen: "next" answers neither
        return again(state)
    path = _path(state)
    if state.step < len(path.steps):
        return _show_step(state, path, state.step + 1, ())
    if path.asks_outcome:
        return worked(state)
    return _end_of_path(state, path, ())


def takes_reply(state: State) -> bool:
    """The step on screen asks the user to type something (an error message, a username)."""
    if state.awaiting not in (STEP, OUTCOME) or not state.topic or not state.path:
        return False
    steps = _path(state).steps
    return 0 < state.step <= len(steps) and steps[state.step - 1].reply


def reply_noted(state: State) -> Turn:
    """What a step asked for was typed: it stays in the conversation (and so in a support
    request's transcript); the walk-through goes on."""
    turn = next_step(state)
    return replace(turn, messages=(Message(response="utter_reply_noted"),) + turn.messages)


def again(state: State) -> Turn:
    """ "What?", "repeat that": the current question once more, nothing changes."""
    return Turn(current_question(state), state)


def show_step(state: State, number: int) -> Turn:
    """ "Go to step 2": that step of the path on screen (a step it does not have: asked again)."""
    if state.awaiting not in (STEP, OUTCOME) or not state.topic:
        return again(state)
    path = _path(state)
    if not 1 <= number <= len(path.steps):
        return again(state)
    return _show_step(state, path, number, ())


def previous_step(state: State) -> Turn:
    """ "Go back": the step before the one on screen (the first one stays where it is)."""
    return show_step(state, state.step - 1)


def stop_steps(state: State) -> Turn:
    """ "Stop", "cancel", "start over": leave the steps or the question, ask what is wrong."""
    return Turn((Message(response="utter_walkthrough_stopped"),), State())


def worked(state: State) -> Turn:
    """ "That worked": the path's closing words (a short generic close where it has none,
    e.g. a step that only looks something up), then "Did this help?"."""
    done = _path(state).done if state.topic and state.path else None
    lead = (Message(text=done) if done else Message(response="utter_glad_it_worked"),)
    return replace(ask_feedback(state, lead), outcome=RESOLVED)


def _feedback_message() -> Message:
    return Message(response="utter_ask_feedback", buttons=(THUMBS_UP, THUMBS_DOWN))


def ask_feedback(state: State, lead: Tuple[Message, ...] = ()) -> Turn:
    """ "Did this help?" with a thumbs up and a thumbs down (it also invites a new question)."""
    return Turn(lead + (_feedback_message(),), replace(state, awaiting=FEEDBACK))


def helpful_in(text: Optional[str]) -> str:
    """ "yes" or "no" for feedback typed in the user's own words ("not helpful at all")."""
    return "no" if text and _NOT_HELPFUL.search(text) else "yes"


def feedback(state: State, helpful: Optional[str], text: Optional[str] = None) -> Turn:
    """A thumbs up gets thanks; a thumbs down asks what was missing (the feedback form, which
    then offers a person: feedback_noted)."""
    said = helpful if helpful in ("yes", "no") else helpful_in(text)
    answered = replace(state, awaiting=None)
    if said == "no":
        return Turn((), answered, followup=FEEDBACK_FORM, feedback="down")
    return Turn((Message(response="utter_feedback_thanks"),), answered, feedback="up")


def nothing_more(state: State) -> Turn:
    """ "That's all" to "Did this help?": no rating, nothing more asked."""
    return Turn((Message(response="utter_nothing_else"),), replace(state, awaiting=None))


def feedback_noted(state: State) -> Turn:
    """After a thumbs down (and its comment, if any): thanks, and a person since it did not
    help."""
    return offer_support_request(state, (Message(response="utter_feedback_noted"),))


def _stuck_help(state: State):
    path = _path(state)
    step = path.steps[state.step - 1] if 0 < state.step <= len(path.steps) else None
    return (step.stuck if step else None) or path.stuck


def stuck(state: State) -> Turn:
    """ "Still stuck": the step's own help if it has some, else the path's remaining choices,
    and only then a support request."""
    path = _path(state) if state.topic and state.path else None
    help_ = _stuck_help(state) if path else None
    if help_ and help_.choices:
        message = _choices_message(help_.text, help_.choices)
        return Turn((message,), replace(state, awaiting=STUCK_CHOICE))
    lead = (Message(text=help_.text),) if help_ else (Message(response="utter_sorry_stuck"),)
    if path and path.choices:
        message = _choices_message(path.choices_text or "What next?", path.choices)
        return Turn(lead + (message,), replace(state, awaiting=CHOICE))
    return offer_support_request(state, lead)


def _choices_text(state: State) -> str:
    """The words the current choices were shown with."""
    if state.awaiting == STUCK_CHOICE:
        help_ = _stuck_help(state)
        return help_.text if help_ else "What next?"
    if state.awaiting == FINDING_CHOICE:
        return "What would you like to do?"
    return _path(state).choices_text or "What next?"


def current_choices(state: State) -> Tuple[Choice, ...]:
    """The numbered options on screen, if any."""
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
        (
            ("first", "one", "1st"),
            ("second", "two", "2nd"),
            ("third", "three", "3rd"),
            ("fourth", "four", "4th"),
            ("fifth", "five", "5th"),
            ("sixth", "six", "6th"),
        ),
        1,
    )
    for word in words
}
# "option 2", "#2", "2)", "the second one": the number is what counts
_NUMBER_WORDS = re.compile(
    r"^(?:(?:the|option|choice|number|no\.?|#)\s*)*(\S+?)[.)]?(?:\s+one)?"
    r"(?:\s+(?:please|pls|thanks|thank you))?$"
)


def choice_number(choice: str) -> Optional[int]:
    """The number a choice names: "2", "2.", "2)", "#2", "second", "option two", "the 2nd
    one"; None for anything else."""
    match = _NUMBER_WORDS.match(" ".join(choice.lower().split()))
    cleaned = match.group(1) if match else ""
    # isdecimal, not isdigit: "²" and "①" are digits that int() cannot read ("２" it can)
    return _ORDINALS.get(cleaned) or (int(cleaned) if cleaned.isdecimal() else None)


def _choice_index(choice: str, count: int) -> Optional[int]:
    number = choice_number(choice)
    return number if number and 1 <= number <= count else None


def choose(state: State, choice: Optional[str]) -> Turn:
    options = current_choices(state)
    if not options:
        return Turn((Message(response="utter_no_options"),), state)
    index = _choice_index(choice or "", len(options))
    if index is None:
        return Turn((_choices_message("Please pick one of these:", options),), state)
    return go_to(replace(state, finding=None), options[index - 1].goto)


def _reshow_choices(state: State) -> Turn:
    return Turn((_choices_message("Please pick one of these:", current_choices(state)),), state)


def said_it_worked(text: Optional[str]) -> bool:
    """ "That worked" in the user's own words (and not "that didn't work")."""
    return bool(text and _WORKED.search(text) and not _NOT_WORKED.search(text))


def affirm(state: State, outcome: Optional[str] = None, text: Optional[str] = None) -> Turn:
    """A yes: its meaning depends on the question the bot asked last."""
    if state.awaiting == STEP:
        done = outcome == "worked" or said_it_worked(text)
        return worked(state) if done else next_step(state)
    if state.awaiting == OFFER_WALKTHROUGH and state.topic:
        return Turn((), replace(state, awaiting=None), followup=START_WALKTHROUGH)
    if state.awaiting == OUTCOME:
        return worked(state)
    if state.awaiting == FEEDBACK:
        return feedback(state, "yes")
    if state.awaiting == HANDOFF_CONFIRM:
        # where the team should reply is asked first (the contact form), then it opens
        return Turn((), replace(state, awaiting=None), followup=CONTACT_FORM)
    if state.awaiting == DID_YOU_MEAN and state.suggestions:
        return start(state, state.suggestions[0])
    if state.awaiting in CHOICES:
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
    if state.awaiting in CHOICES:
        return offer_support_request(state)
    if state.awaiting == OFFER_WALKTHROUGH:
        return ask_feedback(state)  # "No, that's all" after a specific answer
    if state.awaiting == FEEDBACK:
        return feedback(state, "no")
    # nothing asked but "Anything else?" (after thanks, after feedback): no more questions
    return nothing_more(state)


def _did_you_mean_message(topics: Sequence[str], response: str = "utter_did_you_mean") -> Message:
    buttons = tuple((playbooks()[t].title, f"/{t}") for t in topics) + (SOMETHING_ELSE,)
    return Message(response=response, buttons=buttons)


def top_topics(ranking: Sequence[Mapping[str, object]], count: int = 2) -> Tuple[str, ...]:
    """The `count` most likely account topics of an NLU intent ranking."""
    names = [str(item.get("name")) for item in ranking]
    topics = account_topics()
    return tuple(name for name in names if name in topics)[:count]


def fallback(state: State, ranking: Sequence[Mapping[str, object]]) -> Turn:
    """Low confidence: first "did you mean", then an honest "I can't help with that"."""
    guesses = top_topics(ranking)
    if state.fallbacks == 0 and guesses:
        message = _did_you_mean_message(guesses)
        new = replace(state, awaiting=DID_YOU_MEAN, suggestions=guesses, fallbacks=1)
        return Turn((message,), new)
    reset = replace(state, fallbacks=0, suggestions=())
    return offer_support_request(reset, (Message(response="utter_cannot_help"),))


def handoff_requested(state: State) -> Turn:
    return offer_support_request(state)


def thanks(state: State, text: Optional[str] = None) -> Turn:
    """ "Thanks, that worked!" during a walk-through ends it; a plain thanks keeps the place.

    At "Did this help?" a thanks answers it: a rating when the words give one ("that
    helped, thanks", "thanks but no help"), else the question is closed with no rating, since
    a polite thanks is not a thumbs up."""
    if state.awaiting in (STEP, OUTCOME) and said_it_worked(text):
        return worked(state)
    at_feedback = state.awaiting == FEEDBACK
    if at_feedback and text and _RATED.search(text):
        return feedback(state, None, text)
    after = replace(state, awaiting=None) if at_feedback else state
    return Turn((Message(response="utter_thanks"),), after)


def wrong_topic(state: State) -> Turn:
    """ "No, that's not my question": the other likely topics, else a request to rephrase."""
    alternatives = tuple(t for t in state.suggestions if t != state.topic)
    if not alternatives:
        cleared = replace(state, awaiting=None, suggestions=())
        return Turn((Message(response="utter_ask_rephrase"),), cleared)
    message = _did_you_mean_message(alternatives, "utter_wrong_topic")
    return Turn((message,), replace(state, awaiting=DID_YOU_MEAN, suggestions=alternatives))


def answer_fact(state: State, topic: str, says: str, source_url: str) -> Turn:
    """One fact first, with its source, then the offer of the whole walk-through."""
    answer = Message(text=f"{says}\n\nSource: {source_url}")
    asked = State(topic=topic, awaiting=OFFER_WALKTHROUGH, suggestions=state.suggestions)
    return Turn((answer, _walkthrough_offer(topic)), asked)


def _walkthrough_offer(topic: str) -> Message:
    title = playbooks()[topic].title
    return Message(
        text=f"Would you like me to walk you through it ({title})?",
        buttons=(WALK_ME_THROUGH, THATS_ALL),
    )


def answer_unknown(state: State, topic: str) -> Turn:
    """A question the documentation does not answer: say so, never guess; offer a person."""
    lead = (Message(response="utter_not_in_docs"),)
    return offer_support_request(State(topic=topic, suggestions=state.suggestions), lead)


def current_question(state: State) -> Tuple[Message, ...]:
    """The question `state` waits on, asked again with its buttons."""
    awaiting = state.awaiting
    if awaiting in (STEP, OUTCOME) and state.topic and state.step > 0:
        return (_step_message(_path(state), state.step),)
    if awaiting in CHOICES and current_choices(state):
        return (_choices_message(_choices_text(state), current_choices(state)),)
    if awaiting == HANDOFF_CONFIRM:
        return (_offer_message(),)
    if awaiting == DID_YOU_MEAN and state.suggestions:
        return (_did_you_mean_message(state.suggestions),)
    if awaiting == OFFER_WALKTHROUGH and state.topic:
        return (_walkthrough_offer(state.topic),)
    if awaiting == FEEDBACK:
        return (_feedback_message(),)
    return (Message(response="utter_how_can_i_help"),)


def stale_button(state: State) -> Turn:
    """A button of an earlier question: say so and ask the current question again; the
    state does not change."""
    return Turn((Message(response="utter_stale_button"),) + current_question(state), state)
