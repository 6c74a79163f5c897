"""Rasa pipeline step around rasa_plugins.nlu.linear_model: intent and ranking per message.

Reads the (sanitized) message text itself, so it needs no featurizer before it. A button's
payload naming one of the model's intents ("/next_step") is not classified: Rasa's regex
message handler at the end of the pipeline replaces such a message with that intent anyway,
and most turns of a walk-through are buttons (2 ms of a turn's CPU saved). The fitted
scikit-learn pipeline is stored with skops (no pickle): only the types listed in TRUSTED
are accepted when a model is loaded; a model that does not load stops the server.
"""

from __future__ import annotations

import json
import logging
from dataclasses import fields
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.intent_payloads import payload_intent
from rasa_plugins.nlu import glossary, negation
from rasa_plugins.nlu.linear_model import (
    LinearIntentModel,
    LinearSettings,
    join_vocabularies,
    split_vocabularies,
)
from rasa_plugins.nlu.skops_import import skops_io

logger = logging.getLogger(__name__)

PIPELINE_FILE = "pipeline.skops"
META_FILE = "meta.json"
VOCABULARY_FILE = "vocabularies.json"
STORAGE_FORMAT = "2"  # 2: vocabularies beside the pipeline; in the fingerprint, so it retrains
TRUSTED = [
    "rasa_plugins.nlu.linear_model.normalise_all",
    "rasa_plugins.nlu.linear_model.focus_all",
    "rasa_plugins.nlu.linear_model.normalise_all_negated",
    "rasa_plugins.nlu.linear_model.without_negated",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.svm._classes.LinearSVC",
    "scipy.sparse._csr.csr_matrix",
    "numpy.float64",
    "numpy.int64",
    "builtins.int",
]


def _plain(value: Any) -> Any:
    """A setting as YAML writes it (a list, not a tuple)."""
    return list(value) if isinstance(value, tuple) else value


# LinearSettings field -> config.yml key, where Rasa's usual name differs.
_CONFIG_KEYS = {"seed": "random_seed"}


def _config_key(name: str) -> str:
    return _CONFIG_KEYS.get(name, name)


def _settings(config: Dict[str, Any]) -> LinearSettings:
    """The model's settings from the component's config: every LinearSettings field is a key,
    so a new setting cannot be forgotten here."""
    defaults = LinearSettings()
    values = {}
    for field in fields(LinearSettings):
        default = getattr(defaults, field.name)
        value = config[_config_key(field.name)]
        values[field.name] = tuple(value) if isinstance(default, tuple) else type(default)(value)
    return LinearSettings(**values)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = LinearSettings()
        settings = {
            _config_key(field.name): _plain(getattr(defaults, field.name))
            for field in fields(LinearSettings)
        }
        return {**settings, "ranking_length": 10}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearIntentModel] = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The glossary and the negation rules shape the features and the storage format the
        files: a change in any means a retrained model."""
        return f"{glossary.fingerprint()}-{negation.fingerprint()}-{STORAGE_FORMAT}"

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("intent_classifier.skipped", extra={"reason": "fewer than two intents"})
            return self._resource
        model = LinearIntentModel(_settings(self.config))
        self.model = model.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])
        logger.info(
            "intent_classifier.trained",
            extra={"examples": len(examples), "learnt_threshold": model.threshold},
        )
        self._persist()
        return self._resource

    def _persist(self) -> None:
        sio = skops_io()

        bare, vocabularies = split_vocabularies(self.model.pipeline)
        with self._storage.write_to(self._resource) as directory:
            sio.dump(bare, directory / PIPELINE_FILE)
            (directory / VOCABULARY_FILE).write_text(json.dumps(vocabularies), encoding="utf-8")
            meta = {"threshold": self.model.threshold, "power": self.model.power}
            (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        sio = skops_io()

        try:
            with model_storage.read_from(resource) as directory:
                pipeline = sio.load(directory / PIPELINE_FILE, trusted=TRUSTED)
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                vocabularies = directory / VOCABULARY_FILE
                if vocabularies.exists():  # format 1 kept them inside the pipeline
                    terms = json.loads(vocabularies.read_text(encoding="utf-8"))
                    join_vocabularies(pipeline, terms)
        except FileNotFoundError:  # trained without intents: nothing to classify with
            logger.warning("intent_classifier.not_loaded", extra={"resource": resource.name})
            return cls(config, model_storage, resource)
        model = LinearIntentModel(_settings(config))
        model.pipeline, model.threshold, model.power = pipeline, meta["threshold"], meta["power"]
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        intents = set(self.model.classes)
        payloads = [payload_intent(text, intents) for text in texts]
        typed = [text for text, payload in zip(texts, payloads, strict=False) if payload is None]
        rankings = iter(self.model.rank(typed) if typed else [])
        for message, payload in zip(messages, payloads, strict=True):
            ranking = [(payload, 1.0)] if payload else next(rankings)
            entries = [{"name": name, "confidence": conf} for name, conf in ranking]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                entries[: int(self.config["ranking_length"])],
                add_to_output=True,
            )
        return messages
