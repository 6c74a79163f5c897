"""A message's sentences, and the one most likely to state its problem.

Real reports put context first and the problem late ("I published a few packages in 2016.
Last week I got a new laptop. Now the push returns 403, why?"). Two model variants use
this (rasa_plugins/nlu/linear_model.py): extra features from the focus sentence, and a vote
of the sentences. The text reaching the model has its whitespace collapsed
(text_sanitizer.py), so sentences end at . ! or ? only.
"""

from __future__ import annotations

import re
from typing import List

_END = re.compile(r"(?<=[.!?])\s+")
MIN_CHARACTERS = 4  # "Hi." or "Thanks!" is not a sentence to classify


def sentences(text: str) -> List[str]:
    """The sentences of `text` (the whole text when it has one or none)."""
    parts = [part.strip() for part in _END.split(text)]
    kept = [part for part in parts if len(part) >= MIN_CHARACTERS]
    return kept if len(kept) > 1 else [text]


def focus(text: str) -> str:
    """The last question of a several-sentence text, else its last sentence."""
    parts = sentences(text)
    questions = [part for part in parts if part.endswith("?")]
    return (questions or parts)[-1]
