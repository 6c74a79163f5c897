"""The checked REST channel: what it accepts as sender, message and metadata."""

from __future__ import annotations

import pytest

from rasa_plugins.channels.rest import (
    BadBody,
    NotJson,
    is_json,
    sender_field,
    text_field,
    user_text,
)


def test_strings_pass_and_a_numeric_sender_becomes_text():
    assert text_field({"message": "hi"}, "message") == "hi"
    assert text_field({}, "message") is None
    assert text_field({"sender": 42}, "sender") == "42"
    assert sender_field({"sender": 42}) == "42"


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


@pytest.mark.parametrize(
    "sender",
    [
        None,  # Rasa would file it under the shared conversation "default"
        "",
        "   ",
        "default",  # that shared conversation, named
        "\udcff",  # a lone surrogate: the database cannot store it
        "ticket-\ud800",
        "a\x00b",
        "line\nbreak",
        "\u202eevil",  # a bidirectional override
        "\ue000",  # private use
        "widget-0123456789abcdef0123456789abcdef",  # a widget conversation's id
    ],
)
def test_a_missing_blank_reserved_or_unprintable_sender_is_a_bad_request(sender):
    with pytest.raises(BadBody) as refused:
        sender_field({} if sender is None else {"sender": sender})
    assert "'sender'" in str(refused.value)


@pytest.mark.parametrize(
    "sender", ["ticket-4711", "me", "jöhn doe", "用户-1", "a" * 128, "Widget-x", "my-widget-1"]
)
def test_printable_senders_of_any_script_are_kept(sender):
    assert sender_field({"sender": sender}) == sender


@pytest.mark.parametrize(
    "content_type, accepted",
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("application/jsonx", False),
        ("", False),
    ],
)
def test_only_a_json_content_type_is_accepted(content_type, accepted):
    assert is_json(content_type) is accepted
    assert NotJson.status_code == 415
