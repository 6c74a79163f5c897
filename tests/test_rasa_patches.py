"""The precompiled validator accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

import nlu_components  # noqa: F401  (applies the patch, as loading the model does)
from rasa_patches import validate_action_result

GOOD = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "topic", "value": "delete_account"}],
        "responses": [{"text": "hi", "buttons": []}],
    },
]
BAD = [
    {"events": "nope"},
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["not an object"]},
]


def test_the_patch_is_applied_when_the_components_load():
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_results_pass_as_before(result):
    validate(result, RemoteAction.action_response_format_spec())
    assert validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_results_fail_as_before(result):
    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, result)
