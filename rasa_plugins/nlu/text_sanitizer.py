"""First pipeline step: bounds and cleans user text before tokenizing.

A 20,000-character paste or a stream of control characters must not slow the featurizers
down or upset the tokenizer, so text is cut to `max_characters`. A real report that long is
mostly a pasted log or stack trace with the question before or after it: the cut first drops
stack-frame lines, then keeps the beginning and the end (where the question usually is)
rather than the beginning alone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.stateless_step import StatelessStep

_WHITESPACE = re.compile(r"\s+")
# .NET / Java / Python stack frames and the markers between them: never the problem itself.
_FRAME = re.compile(r"^\s*(at \S|--- End of|File \"|\.\.\. \d+ more)")
HEAD_SHARE = 0.3  # of a cut text, the rest is its end
GAP = " ... "


def _printable(text: str) -> str:
    return "".join(ch if ch.isspace() or unicodedata.category(ch)[0] != "C" else " " for ch in text)


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _without_frames(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _FRAME.match(line))


def head_and_tail(text: str, max_characters: int) -> str:
    """The beginning and the end of a text longer than `max_characters`, within it."""
    if len(text) <= max_characters:
        return text
    room = max_characters - len(GAP)
    if room < 2:
        return text[:max_characters]
    head = int(room * HEAD_SHARE)
    return text[:head].rstrip() + GAP + text[len(text) - (room - head) :].lstrip()


def sanitize(text: str, max_characters: int) -> str:
    """Drop control and unassigned characters, collapse whitespace, cut to length."""
    printable = _printable(head_and_tail(text, max_characters * 20))  # bounds a megabyte paste
    kept = _collapse(printable)
    if len(kept) <= max_characters:
        return kept
    return head_and_tail(_collapse(_without_frames(printable)), max_characters)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextSanitizer(StatelessStep):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_characters": 1000}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.max_characters = int(config["max_characters"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, sanitize(text, self.max_characters))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
