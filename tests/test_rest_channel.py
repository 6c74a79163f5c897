"""The checked REST channel: what it accepts as sender, message and metadata."""

from __future__ import annotations

import pytest

from rasa_plugins.channels.rest import BadBody, sender_field, text_field, user_text


def test_strings_pass_and_a_numeric_sender_becomes_text():
    assert text_field({"message": "hi"}, "message") == "hi"
    assert text_field({}, "message") is None
    assert text_field({"sender": 42}, "sender") == "42"


@pytest.mark.parametrize("value", [5, 1.5, True, [], {}, ["hi"]])
def test_other_types_are_a_bad_request(value):
    with pytest.raises(BadBody):
        text_field({"message": value}, "message")
    assert BadBody.status_code == 400


def test_rasas_silent_session_start_command_becomes_plain_text():
    assert user_text("/session_start") == "session_start"
    assert user_text("/next_step") == "/next_step"  # the buttons' payloads stay commands
    assert user_text(None) == ""


def test_a_sender_id_is_at_most_128_characters():
    assert sender_field({"sender": "s" * 128}) == "s" * 128
    with pytest.raises(BadBody):
        sender_field({"sender": "s" * 129})
