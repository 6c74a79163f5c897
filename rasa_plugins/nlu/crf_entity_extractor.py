"""Rasa's CRFEntityExtractor, stored as its trained CRF models instead of its training data.

Rasa 3.6 stores the whole training set's token features (28 MB of JSON for 8,000 examples)
and trains the CRFs again every time a model is loaded: seconds of start-up and a peak of
memory the server keeps. This subclass stores each trained CRFsuite model file (a few
hundred kB) and opens it at load; training and prediction are Rasa's own.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"


def model_file(directory: Path, tag_name: str) -> Path:
    return directory / f"crf_{tag_name}.crfsuite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: List[List[CRFToken]]) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            for tag_name, tagger in self.entity_taggers.items():
                shutil.copyfile(tagger.modelfile.name, model_file(directory, tag_name))
            (directory / ORDER_FILE).write_text(json.dumps(self.crf_order), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredCRFEntityExtractor:
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as directory:
                order = json.loads((directory / ORDER_FILE).read_text(encoding="utf-8"))
                taggers = {}
                for tag_name in order:
                    tagger = sklearn_crfsuite.CRF(
                        model_filename=str(model_file(directory, tag_name))
                    )
                    _ = tagger.tagger_  # opened (read into memory) now: Rasa deletes the folder
                    taggers[tag_name] = tagger
        except (ValueError, FileNotFoundError):  # trained without entities: nothing to extract
            logger.warning("entity_extractor.not_loaded", extra={"resource": resource.name})
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = order
        return extractor
