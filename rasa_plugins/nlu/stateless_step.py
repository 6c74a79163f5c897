"""A pipeline step made from its configuration alone: nothing trained, nothing stored."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class StatelessStep(GraphComponent):
    """Rasa builds it with `create`; a subclass reads what it needs from `config`."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StatelessStep:
        return cls(config)
