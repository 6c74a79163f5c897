"""The account form's validator and the diagnosis action, on rasa-sdk Trackers, with the
real backend (and with a closed port for the fault path)."""

from __future__ import annotations

import asyncio
import uuid

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from account_backend import identity
from actions.account_check import ActionDiagnose, ValidateAccountForm, identity_token
from tools.servers import IDENTITY_SECRET, backend_env, free_port, start_backend, stop


def tracker(
    text="", intent="inform", confidence=0.9, slots=None, entities=None, metadata=None, sender=None
):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    events = [{"event": "user", "text": text, "metadata": metadata or {}}]
    # a new conversation each time unless given: look-ups are budgeted per conversation
    sender = sender or uuid.uuid4().hex
    return Tracker(sender, slots or {}, message, events, False, None, {}, "action_listen")


def validate(trk):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateAccountForm().validate_account_identifier(
            trk.latest_message["text"], dispatcher, trk, {}
        )
    )
    return result, dispatcher.messages


def test_username_email_and_entities_are_accepted():
    assert validate(tracker("LegacyDev"))[0]["account_identifier"] == "username:LegacyDev"
    entities = [{"entity": "email", "value": "builder@contoso.com"}]
    result, _ = validate(tracker("it is builder@contoso.com thanks", entities=entities))
    assert result["account_identifier"] == "email:builder@contoso.com"


def test_invalid_answer_is_asked_again_then_skipped():
    result, messages = validate(tracker("no idea what that is"))
    assert result == {"account_identifier": None, "identifier_attempts": 1.0}
    assert messages[0]["response"] == "utter_invalid_identifier"
    again, _ = validate(tracker("still no idea", slots={"identifier_attempts": 1.0}))
    assert again["account_identifier"] == "skip:"


def test_way_outs():
    assert (
        validate(tracker("talk to a human", intent="human_handoff"))[0]["account_identifier"]
        == "handoff"
    )
    assert validate(tracker("nope not telling", intent="deny"))[0]["account_identifier"] == "skip:"
    switched = validate(tracker("how do I delete my account", intent="delete_account"))[0]
    assert switched["account_identifier"] == "topic:delete_account"
    vague = validate(tracker("hmm maybe", intent="delete_account", confidence=0.5))[0]
    assert vague["account_identifier"] is None


def diagnose(slots, metadata=None, sender=None):
    dispatcher = CollectingDispatcher()
    trk = tracker("x", slots=slots, metadata=metadata, sender=sender)
    events = asyncio.run(ActionDiagnose().run(dispatcher, trk, {}))
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return said, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_diagnose_with_the_backend(backend_settings):
    said, slots = diagnose(
        {"topic": "recover_password_login", "account_identifier": "username:LegacyDev"}
    )
    assert "LegacyDev still has a NuGet.org password login" in said
    assert slots["account_identifier"] is None and slots["playbook_step"] == 1.0


def test_diagnose_uses_a_verified_identity(backend_settings, monkeypatch):
    token = identity.sign("FabrikamAdmin", IDENTITY_SECRET)
    slots = {"topic": "delete_account", "account_identifier": "username:FabrikamAdmin"}
    said, _ = diagnose(slots, {"identity_token": token})
    assert "last administrator of FabrikamOrg" in said


def test_backend_down_gives_general_steps(monkeypatch):
    monkeypatch.setenv("ACCOUNT_BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    said, slots = diagnose({"topic": "unmanaged_aad_tenant", "account_identifier": "domain:a.com"})
    assert "utter_could_not_check" in said
    assert slots["playbook_path"] == "main"


def test_identity_token_comes_from_the_newest_user_message():
    assert identity_token(tracker(metadata={"identity_token": "abc"})) == "abc"
    assert identity_token(tracker(metadata={"identity_token": 42})) is None
    assert identity_token(tracker()) is None


def test_the_question_is_the_topics_own():
    from actions.account_check import SKIP_BUTTON, ActionAskAccountIdentifier
    from actions.playbooks import playbooks

    for topic, expected in [
        ("delete_account", playbooks()["delete_account"].ask),
        (None, "Which account is it?"),
    ]:
        dispatcher = CollectingDispatcher()
        asyncio.run(
            ActionAskAccountIdentifier().run(dispatcher, tracker(slots={"topic": topic}), {})
        )
        assert dispatcher.messages[0]["text"] == expected
        assert dispatcher.messages[0]["buttons"] == [SKIP_BUTTON]


def test_the_terminal_chat_gets_the_question_without_a_menu():
    from actions.account_check import ActionAskAccountIdentifier

    events = [{"event": "user", "text": "forgot my password", "input_channel": "cmdline"}]
    trk = Tracker("u", {"topic": "recover_password_login"}, {}, events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskAccountIdentifier().run(dispatcher, trk, {}))
    assert dispatcher.messages[0]["buttons"] == []
    assert "skip" in dispatcher.messages[0]["text"]


def test_a_used_look_up_budget_gives_general_steps_and_says_why(tmp_path, monkeypatch):
    limits = {"LOOKUP_LIMIT_PER_CONVERSATION": "1", "LOOKUP_LIMIT_PER_IDENTIFIER": "100"}
    backend, process = start_backend(tmp_path, limits=limits)
    try:
        for key, value in backend_env(backend).items():
            monkeypatch.setenv(key, value)
        slots = {"topic": "recover_password_login", "account_identifier": "username:LegacyDev"}
        first, _ = diagnose(slots, sender="same-user")
        second, after = diagnose(slots, sender="same-user")
    finally:
        stop([process])
    assert "LegacyDev still has a NuGet.org password login" in first
    assert "utter_lookup_limited" in second and "LegacyDev" not in second
    assert after["playbook_path"] == "main"
