"""The widget's socket.io channel: which session ids and metadata it accepts."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any, List

from rasa_plugins.channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from rasa_plugins.channels.socketio import WidgetSocketIOInput, metadata_from, session_id_from

SESSION = "0123456789abcdef0123456789abcdef"


def test_a_well_formed_session_id_is_kept():
    assert session_id_from({"session_id": "0123456789abcdef0123456789abcdef"}) == (
        "0123456789abcdef0123456789abcdef"
    )


def test_anything_else_gets_a_new_session_id():
    for data in (
        None,
        [],
        {},
        {"session_id": None},
        {"session_id": 42},
        {"session_id": "short"},
        {"session_id": "x" * 65},
        {"session_id": "<script>alert(1)</script>"},
        {"session_id": "../../etc"},
    ):
        new = session_id_from(data)
        assert len(new) == 32 and new.isalnum(), data
    assert session_id_from(None) != session_id_from(None)


def test_metadata_must_be_an_object():
    assert metadata_from({"metadata": {"identity_token": "t"}}, "metadata") == {
        "identity_token": "t"
    }
    assert metadata_from({"metadata": '{"identity_token": "t"}'}, "metadata") == {
        "identity_token": "t"
    }
    for bad in ("not json", "[1, 2]", 5, ["a"], None):
        assert metadata_from({"metadata": bad}, "metadata") == {}


def widget_message(data: Any, address: str = ""):
    """Sends `data` as the widget's user_uttered event (from `address`, when given): what
    reaches Rasa, what is emitted."""
    passed: List[Any] = []
    emitted: List[Any] = []

    async def on_new(message: Any) -> None:
        passed.append(message)

    channel = WidgetSocketIOInput(session_persistence=True)
    channel.blueprint(on_new)
    if address:  # the socket's environ as python-engineio's Sanic driver builds it
        request = SimpleNamespace(remote_addr="", ip=address)
        channel.sio.get_environ = lambda sid, namespace=None: {"sanic.request": request}

    async def emit(event: str, data: Any, room: Any = None, **_: Any) -> None:
        emitted.append((event, data, room))

    channel.sio.emit = emit
    handler = channel.sio.handlers["/"][channel.user_message_evt]
    asyncio.run(handler("sid-1", data))
    return passed, emitted


def test_a_too_long_widget_message_is_answered_and_not_passed_on():
    passed, emitted = widget_message({"message": "x" * 10_000, "session_id": SESSION})
    assert passed == []
    assert emitted == [("bot_uttered", {"text": TOO_LONG}, SESSION)]
    passed, emitted = widget_message({"message": "x" * MAX_MESSAGE_CHARS, "session_id": SESSION})
    assert passed[0].text == "x" * MAX_MESSAGE_CHARS and emitted == []


def test_oversized_widget_metadata_is_dropped():
    big = {"identity_token": "t", "note": "y" * 5000}
    (passed,), _ = widget_message({"message": "hi", "session_id": SESSION, "metadata": big})
    assert passed.metadata is None
    small = {"identity_token": "t"}
    (passed,), _ = widget_message({"message": "hi", "session_id": SESSION, "metadata": small})
    assert passed.metadata == small


def test_the_widgets_metadata_carries_the_channels_client_key_not_the_browsers():
    sent = {"message": "hi", "session_id": SESSION, "metadata": {"client_key": "f" * 32}}
    (first,), _ = widget_message(sent, address="203.0.113.7")
    (again,), _ = widget_message(sent, address="203.0.113.7")
    (other,), _ = widget_message(sent, address="198.51.100.9")
    key = first.metadata["client_key"]
    assert re.fullmatch(r"[0-9a-f]{32}", key) and key != "f" * 32
    assert again.metadata["client_key"] == key != other.metadata["client_key"]
    assert "203.0.113.7" not in str(first.metadata)
