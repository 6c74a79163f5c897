"""What short typed answers mean: the words of "stop", "go back", "yes", "not really"...

Each pattern matches a whole message, as `words()` leaves it (lower case, words only), so
"back up my packages" is no "back" and "stop sending me emails" no "stop". A command ending in
"?" ("can I cancel it?", "can I reset it?") is a question about the topic, not a command.
English only, like the engine's "that worked" words (actions/typed_replies.py uses them).
"""

from __future__ import annotations

import re
from typing import Optional

_WORD = re.compile(r"[\w']+")
_LEAD = r"(?:ok |okay |no |pls |please |just |oh )?"
_POLITE = rf"{_LEAD}(?:can (?:i|we) |could (?:i|we) |let's |i want to |i'd like to )?"
_TAIL = r"(?: now)?(?: please| pls| thanks| thx| thank you)?"

AGAIN = re.compile(
    r"^(what|huh|pardon|sorry|come again|repeat( that| it| please)?|say (that|it) again"
    r"|again( please)?|i don'?t understand|what do you mean|why)$"
)
STOP = re.compile(
    rf"^{_LEAD}(stop|cancel|quit|exit|abort|never ?mind|forget it)( this| that| the steps"
    rf"| these steps| all this)?{_TAIL}$"
    rf"|^{_POLITE}(start over|start again|start from the beginning|restart|go home|home"
    rf"|(show |show me |go |go back |back )?(to )?(the )?(main )?menu){_TAIL}$"
)
BACK = re.compile(
    rf"^{_POLITE}(go |take me |step )?back( to the previous step| one step| a step)?{_TAIL}$"
    rf"|^{_LEAD}(the )?previous( step)?{_TAIL}$|^undo$"
)
SKIP = re.compile(
    rf"^{_LEAD}(skip|skip it|skip this|skip this step|skip that|next|next one|continue"
    rf"|go on|move on){_TAIL}$"
)
STEP_NUMBER = re.compile(r"^(?:go to |back to |show me |show )?(?:the )?(?:step (\w+)|(\w+) step)$")
YES = re.compile(
    rf"^{_LEAD}(yes|yes please|yeah|yep|sure|go ahead|do it|please do|sounds good|open it"
    rf"|open a request|open one|show me the steps|show me|walk me through( it)?|got it"
    rf"|alright|all right|ok|okay){_TAIL}$"
)
NO_THANKS = re.compile(
    r"^(i'm good|im good|i am good|no need|not now|no thanks|no thank you|nah|nope"
    r"|not really|maybe later|later)$"
)
IT_DID = re.compile(
    r"^(yes )?(i think so|it did|yes it did|all set|perfect|great|sorted|success|done"
    r"|that did it|works now|it works|i'm good|im good|all good)( thanks| thank you)?$"
)
# Half a yes to "Did that work?" (or to a step) is still stuck: the step's own help next.
PARTLY = re.compile(
    r"^(kind of|kinda|sort of|partly|partially|half|almost|not really|not quite|somewhat"
    r"|a bit|a little|maybe|more or less)( worked| it worked| yes| helpful)?$"
)
LAST = re.compile(r"^(the )?last( one)?( please)?$")
NONE = re.compile(r"^(none|neither|none of (those|these|them|the above)|something else)$")
# "Did this help?" answered with being done: no rating, nothing more asked.
DONE = re.compile(
    r"^(no |nope |ok |okay )?(that's all|that is all|that's it|i'm done|im done|all done"
    r"|nothing else|no more questions)( thanks| thank you)?$"
)
# "Shall I open a support request?" answered with still being stuck: that is a yes.
STILL_STUCK = re.compile(r"^(i'm |i am )?(still stuck|stuck|still not working|it didn't work)$")
# Words of an option that say nothing on their own ("the locked one").
FILLER = frozenset({"the", "one", "a", "an", "my", "it", "that", "this", "option", "please"})


def words(text: str) -> str:
    """Lower-case words only: "No, that’s all!" -> "no that's all" (phones type ’)."""
    return " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))


def question_marked(text: str) -> bool:
    """Ends in "?" (unlike specific_answers.is_question, a question word alone is not enough:
    "stop" commands are short and unpunctuated)."""
    return text.strip().endswith("?")


def command(pattern: re.Pattern, text: str) -> bool:
    """`text` is that command: its whole words match, and it is not asked as a question."""
    return not question_marked(text) and bool(pattern.match(words(text)))


def means(pattern: re.Pattern, text: str) -> bool:
    """`text` says that, question mark or not ("what?", "not really?")."""
    return bool(pattern.match(words(text)))


def step_number(text: str) -> Optional[str]:
    """The step a message names: "step 2", "go to step two", "the first step"."""
    match = STEP_NUMBER.match(words(text))
    return (match.group(1) or match.group(2)) if match else None
