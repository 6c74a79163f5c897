"""The account form's validator and the diagnosis action, on rasa-sdk Trackers, with the
real backend (and with a closed port for the fault path)."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from account_backend import identity
from actions import account_check, engine, questions
from actions.account_check import (
    ActionDiagnose,
    ActionStartPlaybook,
    ValidateAccountForm,
    identity_token,
)
from actions.backend_client import BackendClient
from actions.diagnosis import Identifier
from actions.dialogue_state import read_state
from actions.playbooks import playbooks
from tests.helpers import finding_says, first_step
from tools.servers import IDENTITY_SECRET, backend_env, free_port, start_backend, stop


def tracker(
    text="", intent="inform", confidence=0.9, slots=None, entities=None, metadata=None, sender=None
):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
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


def test_stop_at_the_account_question_stops_and_what_asks_it_again():
    result, _ = validate(tracker("stop", intent="confirm_or_change_email"))
    assert result == {"account_identifier": "stop:", "identifier_attempts": None}
    said, slots = diagnose({"topic": "change_microsoft_account", "account_identifier": "stop:"})
    assert "utter_walkthrough_stopped" in said and not slots.get("topic")
    again, messages = validate(tracker("why?", intent="out_of_scope"))
    assert again == {"account_identifier": None} and messages == []  # no attempt spent


def test_way_outs():
    assert (
        validate(tracker("talk to a human", intent="human_handoff"))[0]["account_identifier"]
        == "handoff"
    )
    assert validate(tracker("nope not telling", intent="deny"))[0]["account_identifier"] == "skip:"
    question = tracker("how do I delete my account", intent="delete_account", confidence=0.99)
    assert validate(question)[0]["account_identifier"] == "topic:delete_account"
    for vague in (0.5, 0.9):  # an answer-like fragment can score 0.9 on some topic
        fragment = validate(tracker("the company one", intent="delete_account", confidence=vague))
        assert fragment[0]["account_identifier"] is None


def diagnose(slots, metadata=None, sender=None):
    dispatcher = CollectingDispatcher()
    trk = tracker("x", slots=slots, metadata=metadata, sender=sender)
    events = asyncio.run(ActionDiagnose().run(dispatcher, trk, {}))
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return said, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def signed_in(username: str) -> dict:
    return {"identity_token": identity.sign(username, IDENTITY_SECRET)}


def start(topic: str, metadata=None, sender=None):
    dispatcher = CollectingDispatcher()
    trk = tracker("x", intent=topic, metadata=metadata, sender=sender)
    events = asyncio.run(ActionStartPlaybook().run(dispatcher, trk, {}))
    said = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
    return said, [{k: v for k, v in e.items() if k != "timestamp"} for e in events]


def test_the_signed_in_account_is_checked_without_a_question(backend_settings):
    said, events = start("recover_password_login", signed_in("LegacyDev"))
    assert finding_says("recover_password_login", "password_only", username="LegacyDev") in said
    assert not any(e["event"] == "followup" for e in events)


def test_without_a_verified_identity_nothing_is_looked_up(backend_settings):
    for metadata in (None, {"identity_token": "forged.token"}):
        said, events = start("recover_password_login", metadata)
        assert "utter_sign_in_to_check" in said and first_step("recover_password_login") in said
        assert not any(e["event"] == "followup" for e in events)


def test_a_question_the_check_needs_comes_from_the_account_form(backend_settings):
    _, tenant = start("unmanaged_aad_tenant")
    assert {"event": "followup", "name": "account_form"} in tenant
    unverified, target = start("change_microsoft_account")
    assert "utter_sign_in_to_check" in unverified
    assert not any(e["event"] == "followup" for e in target)
    _, signed = start("change_microsoft_account", signed_in("MyNuGetAccount1"))
    assert {"event": "followup", "name": "account_form"} in signed


def test_diagnose_uses_a_verified_identity(backend_settings, monkeypatch):
    said, _ = start("delete_account", signed_in("FabrikamAdmin"))
    assert finding_says("delete_account", "last_admin", organizations="FabrikamOrg") in said


def test_a_typed_login_target_is_checked_for_a_signed_in_user(backend_settings):
    slots = {
        "topic": "change_microsoft_account",
        "account_identifier": "email:account2@outlook.com",
    }
    said, slots_after = diagnose(slots, signed_in("MyNuGetAccount1"))
    finding = said.split("\n")[0]
    assert (
        finding_says(
            "change_microsoft_account", "linked_elsewhere", target_masked="a***2@outlook.com"
        )
        in finding
    )
    assert "MyNuGetAccount2" not in finding  # the other account is never named
    assert slots_after["account_identifier"] is None


@pytest.mark.parametrize(
    "topic", ["change_microsoft_account", "microsoft_account_linked_elsewhere"]
)
def test_the_accounts_own_login_typed_as_the_target_is_nothing_to_change(backend_settings, topic):
    slots = {"topic": topic, "account_identifier": "email:account1@outlook.com"}
    said, _ = diagnose(slots, signed_in("MyNuGetAccount1"))  # account1@... is its own login
    assert finding_says(topic, "own_login", target_masked="a***1@outlook.com") in said
    assert finding_says(topic, "target_free", target_masked="a***1@outlook.com") not in said
    assert first_step("change_microsoft_account") not in said  # no change steps


def test_an_organization_is_told_its_members_sign_in_not_that_it_is_lost(backend_settings):
    said, _ = start("find_linked_microsoft_account", signed_in("FabrikamOrg"))
    org = finding_says("find_linked_microsoft_account", "organization", username="FabrikamOrg")
    lost = finding_says("find_linked_microsoft_account", "password_only", username="FabrikamOrg")
    assert org in said and lost not in said


@pytest.mark.parametrize(
    "username, expected",
    [
        ("LegacyDev", "password_only"),
        ("FabrikamOrg", "organization"),
        ("LockedDev", "locked"),
        ("MyNuGetAccount1", None),  # a linked login to change: the question is asked
    ],
)
def test_the_accounts_own_sign_in_is_checked_before_asking_for_a_new_login(
    backend, username, expected
):
    client = BackendClient(backend.url, backend.token)
    check = account_check.CHECKS["login_target"].before_asking
    finding = asyncio.run(check("change_microsoft_account", None, client, username))
    assert (finding and finding[0]) == expected


def test_an_account_without_a_microsoft_login_gets_no_change_steps(backend_settings):
    said, events = start("change_microsoft_account", signed_in("LegacyDev"))
    assert finding_says("change_microsoft_account", "password_only", username="LegacyDev") in said
    assert first_step("change_microsoft_account") not in said
    assert not any(e["event"] == "followup" for e in events)  # no question about a new login


def _shown_choices(state: engine.State) -> tuple:
    book = playbooks()[state.topic]
    if state.awaiting == engine.FINDING_CHOICE:
        return book.findings[state.finding].choices
    return book.paths[state.path].choices if state.awaiting == engine.CHOICE else ()


def _walk(turn: engine.Turn, pick: str) -> tuple:
    """Through every step ("Next step", "That worked"), choosing the option titled with `pick`
    at each choice, to the end; the texts said and the path it ended in."""
    said = []
    for _ in range(20):
        said += [m.text for m in turn.messages if m.text]
        state, choices = turn.state, _shown_choices(turn.state)
        if state.awaiting in (engine.STEP, engine.OUTCOME):
            turn = engine.affirm(state)
        elif choices:
            index = next(i for i, c in enumerate(choices, 1) if pick in c.title.lower())
            turn = engine.choose(state, str(index))
        else:
            break
    return said, turn.state.path


def test_a_collaborator_is_not_walked_through_adding_a_member(backend_settings):
    _, events = start("manage_organization_members", signed_in("OrgCollaboratorDev"))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    state = read_state(Tracker("u", slots, {}, [], False, None, {}, ""))
    said, ended_in = _walk(engine.Turn((), state), pick="member")
    assert ended_in != "add_member"
    assert playbooks()["manage_organization_members"].paths["add_member"].done not in said


# The demo account for each newer state and what the check finds for it (README walk-through).
DEMO_STATES = [
    ("ExpiredKeyDev", "push_forbidden_api_key", "key_expired"),
    ("ExpiringKeyDev", "manage_api_keys", "key_expiring"),
    ("LegacyKeyDev", "push_forbidden_api_key", "legacy_key"),
    ("MyNuGetAccount1", "manage_api_keys", "keys_current"),
    ("LegacyDev", "manage_api_keys", "no_keys"),
    ("InvitedDev", "manage_package_owners", "invitation_pending"),
    ("InvitingDev", "manage_package_owners", "invitation_sent"),
    ("SoleOwnerDev", "manage_package_owners", "sole_owner"),
    ("MyNuGetAccount1", "manage_package_owners", "owners_ok"),
    ("UnconfirmedDev", "confirm_or_change_email", "email_unconfirmed"),
    ("LegacyDev", "confirm_or_change_email", "email_confirmed"),
    ("OrgCollaboratorDev", "manage_organization_members", "collaborator"),
    ("FabrikamAdmin", "manage_organization_members", "organizations"),
    ("LegacyDev", "manage_organization_members", "no_organizations"),
    ("LockedDev", "account_locked_or_signin_error", "locked"),
    ("LockedDev", "manage_api_keys", "locked"),
    ("LegacyDev", "account_locked_or_signin_error", "not_locked"),
    ("FabrikamOrg", "find_linked_microsoft_account", "organization"),
    ("FabrikamOrg", "recover_password_login", "organization"),
    ("FabrikamOrg", "manage_organization_members", "organization"),  # was "no organizations"
]


def check_account(backend, topic, verified, typed=None):
    """The `account` check as diagnose runs it, for a user the backend verified."""
    client = BackendClient(backend.url, backend.token)
    return asyncio.run(account_check.CHECKS["account"].lookup(topic, typed, client, verified))


@pytest.mark.parametrize("username, topic, expected", DEMO_STATES)
def test_each_demo_account_shows_its_state(backend, username, topic, expected):
    name, values = check_account(backend, topic, username)
    assert name == expected
    assert not any("@" in value and "***" not in value for value in values.values())


def test_the_demo_values_are_those_of_the_verified_account(backend):
    assert check_account(backend, "push_forbidden_api_key", "ExpiredKeyDev")[1]["key_name"] == (
        "ci-push"
    )
    assert check_account(backend, "manage_package_owners", "InvitedDev")[1] == {
        "packages": "Northwind.Toolkit"
    }
    assert check_account(backend, "manage_organization_members", "OrgCollaboratorDev")[1] == {
        "memberships": "FabrikamOrg (collaborator)"
    }
    assert check_account(backend, "confirm_or_change_email", "UnconfirmedDev")[1] == {
        "email_masked": "r***h@outlook.com"
    }
    # what the user typed never picks the account: the verified one is checked
    typed = Identifier("username", "LockedDev")
    assert check_account(backend, "manage_api_keys", "ExpiredKeyDev", typed)[0] == "key_expired"


def test_the_account_check_needs_a_verified_identity():
    assert account_check.CHECKS["account"].needs_identity


@pytest.mark.parametrize("username", ["ExpiredKeyDev", "InvitedDev", "LockedDev"])
def test_an_identity_not_signed_with_the_secret_learns_nothing(backend_settings, username):
    forged = {"identity_token": identity.sign(username, "not the secret")}
    said, _ = start("recover_password_login", forged)
    assert "utter_sign_in_to_check" in said and first_step("recover_password_login") in said
    assert username not in said


def test_a_locked_account_goes_to_support_in_a_topic_without_a_locked_branch(backend_settings):
    assert "locked" not in playbooks()["recover_password_login"].findings
    said, events = start("recover_password_login", signed_in("LockedDev"))
    assert "utter_account_locked" in said and "utter_offer_support_request" in said
    assert "utter_could_not_check" not in said
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["awaiting"] == "handoff_confirm"


def test_a_malformed_account_answer_is_could_not_check(stand_in, monkeypatch):
    # The stand-in gives every request this body: the identity verifies as LegacyDev, and the
    # account lacks the newer fields (an older or faulty backend).
    body = {
        "username": "LegacyDev",
        "is_organization": False,
        "password_login": True,
        "email_masked": "l***v@example.org",
        "microsoft_account": None,
        "packages": [],
        "organizations": [],
    }
    monkeypatch.setenv("ACCOUNT_BACKEND_URL", stand_in(body=json.dumps(body).encode()))
    said, events = start("recover_password_login", signed_in("LegacyDev"))
    assert "utter_could_not_check" in said and first_step("recover_password_login") in said
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["playbook_path"] == "main"


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
        ("unmanaged_aad_tenant", playbooks()["unmanaged_aad_tenant"].ask),
        (None, "Which account is it?"),
    ]:
        dispatcher = CollectingDispatcher()
        asyncio.run(
            ActionAskAccountIdentifier().run(dispatcher, tracker(slots={"topic": topic}), {})
        )
        assert dispatcher.messages[0]["text"] == expected
        [button] = dispatcher.messages[0]["buttons"]
        assert button["title"] == SKIP_BUTTON["title"]
        assert questions.plain(button["payload"]) == SKIP_BUTTON["payload"]  # with its question


def test_the_terminal_chat_gets_the_question_without_a_menu():
    from actions.account_check import ActionAskAccountIdentifier

    events = [{"event": "user", "text": "forgot my password", "input_channel": "cmdline"}]
    trk = Tracker("u", {"topic": "unmanaged_aad_tenant"}, {}, events, False, None, {}, "")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskAccountIdentifier().run(dispatcher, trk, {}))
    assert dispatcher.messages[0]["buttons"] == []
    assert "skip" in dispatcher.messages[0]["text"]


def test_a_used_look_up_budget_gives_general_steps_and_says_why(tmp_path, monkeypatch):
    limits = {"LOOKUP_LIMIT_PER_CONVERSATION": "100", "LOOKUP_LIMIT_PER_CLIENT": "1"}
    backend, process = start_backend(tmp_path, limits=limits)
    try:
        for key, value in backend_env(backend).items():
            monkeypatch.setenv(key, value)
        first, _ = start("recover_password_login", signed_in("LegacyDev"))
        second, events = start("recover_password_login", signed_in("LegacyDev"))  # new sender
    finally:
        stop([process])
    assert finding_says("recover_password_login", "password_only", username="LegacyDev") in first
    assert "utter_lookup_limited" in second and "LegacyDev" not in second
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["playbook_path"] == "main"


def test_unverified_tenant_checks_share_the_network_clients_budget(tmp_path, monkeypatch):
    """A script that opens a new conversation per check spends one budget: its address's."""
    limits = {"LOOKUP_LIMIT_PER_CONVERSATION": "100", "LOOKUP_LIMIT_PER_CLIENT": "2"}
    backend, process = start_backend(tmp_path, limits=limits)
    script, someone_else = ({"client_key": uuid.uuid4().hex} for _ in range(2))
    slots = {"topic": "unmanaged_aad_tenant", "account_identifier": "domain:contoso.com"}
    try:
        for key, value in backend_env(backend).items():
            monkeypatch.setenv(key, value)
        answers = [diagnose(slots, script)[0] for _ in range(3)]  # a new sender each time
        other = diagnose(slots, someone_else)[0]
        without_key = [diagnose(slots)[0] for _ in range(3)]  # each its conversation's budget
    finally:
        stop([process])
    limited = ["utter_lookup_limited" in said for said in answers]
    assert limited == [False, False, True]
    assert "utter_lookup_limited" not in other
    assert not any("utter_lookup_limited" in said for said in without_key)


def test_own_account_checks_do_not_use_up_the_conversations_look_ups(tmp_path, monkeypatch):
    """Several questions about one's own account in one conversation all get checked: the
    conversation's budget is for look-ups that could probe someone else's."""
    limits = {"LOOKUP_LIMIT_PER_CONVERSATION": "1", "LOOKUP_LIMIT_PER_CLIENT": "100"}
    backend, process = start_backend(tmp_path, limits=limits)
    me, conversation = signed_in("LegacyDev"), uuid.uuid4().hex
    try:
        for key, value in backend_env(backend).items():
            monkeypatch.setenv(key, value)
        said = [start("recover_password_login", me, conversation)[0] for _ in range(3)]
    finally:
        stop([process])
    finding = finding_says("recover_password_login", "password_only", username="LegacyDev")
    assert all(finding in text and "utter_lookup_limited" not in text for text in said)
