"""Speed fixes for Rasa 3.6 internals, applied when the Rasa process loads the model.

`RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the events
schema against its meta-schema on every call before validating the action server's answer.
The profile in docs/benchmarks.md measured that at 20-30 ms per custom action call, more
than half of a turn. A validator built once gives the same result without the repeated
schema check.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate would each time
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. See {DOCS_BASE_URL}/custom-actions"
        )
        raise


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result
