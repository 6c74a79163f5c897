"""The widget's socket.io channel: which session ids and metadata it accepts."""

from __future__ import annotations

from rasa_plugins.channels.socketio import metadata_from, session_id_from


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
