"""The widget's socket.io channel: which sessions a socket gets, which metadata it accepts."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any, List

from rasa_plugins.channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from rasa_plugins.channels.socket_sessions import granted, proof_of, session_key
from rasa_plugins.channels.socketio import WidgetSocketIOInput, metadata_from

SESSION = "0123456789abcdef0123456789abcdef"
KEY = b"k" * 32


def test_a_session_is_kept_only_with_the_servers_proof_of_it():
    proof = proof_of(SESSION, KEY)
    assert granted({"session_id": SESSION, "session_proof": proof}, KEY) == (SESSION, proof)
    other = "fedcba9876543210fedcba9876543210"
    for proof_given in (None, "", proof.upper(), proof_of(other, KEY), proof_of(SESSION, b"x"), 7):
        new, new_proof = granted({"session_id": SESSION, "session_proof": proof_given}, KEY)
        assert new != SESSION and new_proof == proof_of(new, KEY), proof_given
    assert granted({"session_id": SESSION, "session_proof": "pr\u00fcf"}, KEY)[0] != SESSION


def test_anything_else_gets_a_new_session_id():
    for data in (
        None,
        [],
        {},
        {"session_id": None},
        {"session_id": 42},
        {"session_id": "short", "session_proof": proof_of("short", KEY)},
        {"session_id": "x" * 65, "session_proof": proof_of("x" * 65, KEY)},
        {"session_id": "<script>alert(1)</script>"},
        {"session_id": "../../etc"},
    ):
        new, proof = granted(data, KEY)
        assert re.fullmatch(r"widget-[0-9a-f]{32}", new) and proof == proof_of(new, KEY), data
    assert granted(None, KEY) != granted(None, KEY)


def test_the_session_key_comes_from_the_environment_else_is_random():
    assert session_key({"SOCKET_SESSION_SECRET": "s"}) == b"s"
    assert session_key({}) != session_key({}) and len(session_key({})) == 32


def test_metadata_must_be_an_object():
    assert metadata_from({"metadata": {"identity_token": "t"}}, "metadata") == {
        "identity_token": "t"
    }
    assert metadata_from({"metadata": '{"identity_token": "t"}'}, "metadata") == {
        "identity_token": "t"
    }
    for bad in ("not json", "[1, 2]", 5, ["a"], None):
        assert metadata_from({"metadata": bad}, "metadata") == {}


def widget_message(data: Any, address: str = "", bound: Any = SESSION):
    """Sends `data` as the widget's user_uttered event from a socket given the session
    `bound` (from `address`, when given): what reaches Rasa, what is emitted."""
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

    async def get_session(sid: str, namespace: Any = None) -> dict:
        return {"session_id": bound} if bound else {}

    channel.sio.emit = emit
    channel.sio.get_session = get_session
    handler = channel.sio.handlers["/"][channel.user_message_evt]
    asyncio.run(handler("sid-1", data))
    return passed, emitted


def test_a_too_long_widget_message_is_answered_and_not_passed_on():
    passed, emitted = widget_message({"message": "x" * 10_000, "session_id": SESSION})
    assert passed == []
    assert emitted == [("bot_uttered", {"text": TOO_LONG}, SESSION)]
    passed, emitted = widget_message({"message": "x" * MAX_MESSAGE_CHARS, "session_id": SESSION})
    assert passed[0].text == "x" * MAX_MESSAGE_CHARS and emitted == []


def test_a_message_goes_to_the_sockets_own_session_only():
    (passed,), _ = widget_message({"message": "hi", "session_id": SESSION})
    assert passed.sender_id == SESSION
    (passed,), _ = widget_message({"message": "hi"})  # naming none: the socket's own
    assert passed.sender_id == SESSION
    other = "fedcba9876543210fedcba9876543210"
    assert widget_message({"message": "/restart", "session_id": other}) == ([], [])
    assert widget_message({"message": "hi", "session_id": SESSION}, bound=None) == ([], [])


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
