"""First pipeline step: bounds and cleans user text before tokenizing.

A 20,000-character paste or a stream of control characters must not slow the
featurizers down or upset the tokenizer; the longest real question (a pasted error
message) fits well within `max_characters`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_WHITESPACE = re.compile(r"\s+")


def sanitize(text: str, max_characters: int) -> str:
    """Drop control and unassigned characters, collapse whitespace, cut to length."""
    kept = "".join(ch if ch.isspace() or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _WHITESPACE.sub(" ", kept).strip()[:max_characters]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextSanitizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_characters": 1000}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.max_characters = int(config["max_characters"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextSanitizer:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, sanitize(text, self.max_characters))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
