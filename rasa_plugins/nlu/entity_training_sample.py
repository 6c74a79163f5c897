"""The training examples the entity extractor learns from: every annotated one and a sample.

About 250 of 17,000 training examples mark an entity (a username, an email, a branch);
the rest teach the CRF only that ordinary words are no entity, and a few thousand teach that
as well as all of them. Featurizing and fitting on all of them was about a quarter of a cold
`rasa train`. Placed after the intent classifier (which learns from every example), this
step hands the components after it the annotated examples and up to `others` of the rest,
drawn with a fixed seed. At prediction it changes nothing.
"""

from __future__ import annotations

import random
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.stateless_step import StatelessStep


def sample(examples: List[Message], others: int, seed: int) -> List[Message]:
    """The annotated examples and `others` of the rest, in their original order."""
    plain = [i for i, message in enumerate(examples) if not message.get(ENTITIES)]
    kept = set(range(len(examples))) - set(plain)
    kept |= set(random.Random(seed).sample(plain, min(others, len(plain))))
    return [examples[i] for i in sorted(kept)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EntityTrainingSample(StatelessStep):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"others": 3000, "random_seed": 0}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.others = int(config["others"])
        self.seed = int(config["random_seed"])

    def process(self, messages: List[Message]) -> List[Message]:
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return TrainingData(
            training_examples=sample(training_data.training_examples, self.others, self.seed),
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )
