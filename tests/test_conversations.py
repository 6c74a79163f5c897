"""Whole conversations over the REST channel against the real servers and trained model."""

from __future__ import annotations

import json
import uuid

import pytest

from actions.account_check import SKIP_BUTTON
from actions.playbooks import playbooks
from actions.questions import plain

pytestmark = pytest.mark.model

WORKED = '/affirm{"outcome": "worked"}'

ASKS = {
    "create_account": "how do I create a nuget account?",
    "recover_password_login": "I forgot my nuget.org password",
    "find_linked_microsoft_account": "which microsoft account is linked to my nuget account",
    "change_microsoft_account": "how do I change the microsoft account I use to log in to nuget",
    "microsoft_account_linked_elsewhere": (
        "Failed to update the Microsoft account with 'account2 <account2@outlook.com>'. This "
        "could happen if it is already linked to another NuGet account. Contact support for "
        "more information."
    ),
    "recover_without_microsoft_account": (
        "I lost access to the microsoft account linked to my nuget account"
    ),
    "transform_to_organization": "how can I turn my nuget account into an organization",
    "unmanaged_aad_tenant": (
        "login fails with my company email because of an unmanaged azure ad tenant"
    ),
    "change_username": "can I change my nuget username?",
    "delete_account": "please delete my nuget account",
    "manage_api_keys": "I need a new api key for nuget.org",
    "push_forbidden_api_key": "dotnet nuget push fails with 403 forbidden",
    "trusted_publishing": "set up trusted publishing from github actions to nuget.org",
    "manage_package_owners": "how do I add a co-owner to my nuget package",
    "confirm_or_change_email": "the nuget confirmation email never arrived",
    "two_factor_authentication": "how does two-factor authentication work for nuget.org sign-in",
    "manage_organization_members": "how do I add a member to our nuget organization",
    "reserve_id_prefix": "how do I reserve an ID prefix for our packages",
    "email_linked_to_other_microsoft_account": (
        "nuget sign-in says my email is linked with another microsoft account"
    ),
    "microsoft_account_deleted": "I deleted the microsoft account I used for nuget",
    "account_locked_or_signin_error": "my nuget.org account is locked",
}


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(reply) -> list:
    """The buttons' payloads as sent, each naming its question (actions/questions.py)."""
    return [b["payload"] for b in reply.get("buttons") or []]


def options(reply) -> list:
    """The buttons' payloads without their question ids: what each one says."""
    return [plain(p) for p in payloads(reply)]


def walk(assistant, user: str, first: str, choice: int = 1, turns: int = 25):
    """Sends `first`, takes the walk-through if a specific answer came first, presses the Skip
    button if the account is asked for, then Next step / option `choice` / That worked."""
    replies = assistant.say(user, first)
    if replies and "walk you through it" in (replies[-1].get("text") or ""):
        replies = assistant.say(user, "/affirm")
    if replies and options(replies[-1]) == [SKIP_BUTTON["payload"]]:
        replies = assistant.say(user, payloads(replies[-1])[0])
    seen = list(replies)
    for _ in range(turns):
        said, sent = (options(replies[-1]), payloads(replies[-1])) if replies else ([], [])
        if "/next_step" in said:
            press = sent[said.index("/next_step")]
        elif said and said[0].startswith("/choose_path"):
            press = sent[min(choice, len(sent)) - 1]
        elif WORKED in said:
            press = sent[said.index(WORKED)]
        else:
            return seen
        replies = assistant.say(user, press)
        seen.extend(replies)
    raise AssertionError("conversation did not end")


def final_step_and_done(topic: str, path: str = "main"):
    chosen = playbooks()[topic].paths[path]
    return chosen.steps[-1].text, chosen.done


def branching(topic: str) -> bool:
    """Does a path of the topic end in choices (then option 2 is walked too)?"""
    return any(p.choices for p in playbooks()[topic].paths.values())


WALKS = [(t, 1) for t in sorted(ASKS)] + [(t, 2) for t in sorted(ASKS) if branching(t)]


@pytest.mark.parametrize("topic, choice", WALKS)
def test_each_topic_is_walked_through_to_its_end(assistant, topic, choice):
    """Every topic starts from the user's words and ends in "Did this help?", a close or a
    support offer."""
    seen = walk(assistant, sender(), ASKS[topic], choice)
    said = texts(seen)
    main = playbooks()[topic].paths["main"]
    assert (main.intro or main.steps[0].text) in said
    last = seen[-1].get("text") or ""
    ends = ("Did this help?", "Is there anything else I can help with?", "Shall I open it?")
    assert any(end in last for end in ends), last


def test_change_username_is_a_request_to_support(assistant):
    said = texts(walk(assistant, sender(), "I'd like to rename my nuget username"))
    assert "support@nuget.org" in said


def test_still_stuck_escalates_and_a_request_carries_the_masked_conversation(assistant):
    user = sender()
    assistant.say(user, "my login email is account1@outlook.com")
    assistant.say(user, ASKS["recover_password_login"])
    stuck = assistant.say(user, "/deny")
    assert "Sorry that didn't work." in texts(stuck)
    assert "Shall I open it?" in texts(stuck)
    assert "reply by email" in texts(assistant.say(user, "/affirm"))  # where to reply?
    opened = assistant.say(user, "/deny")  # nowhere: the request goes without an address
    reference = texts(opened).split("reference ")[1].split(".")[0]
    assert reference.startswith("NGS-")
    record = assistant.backend.get(f"/v1/support-requests/{reference}").json()
    assert record["topic"] == "recover_password_login"
    assert record["channel"] == "rest"
    lines = json.dumps(record["transcript"])
    assert "a***1@outlook.com" in lines and "account1@outlook.com" not in lines


def test_what_a_message_says_it_is_not_about_does_not_start_that_topic(assistant):
    """rasa_plugins/nlu/negation.py: "not delete anything" once began the delete walk-through."""
    message = "I want to stop signing in with my old Microsoft account, not delete anything"
    said = texts(walk(assistant, sender(), message))
    change, delete = (
        playbooks()[t].paths["main"] for t in ("change_microsoft_account", "delete_account")
    )
    assert (change.intro or change.steps[0].text) in said
    assert (delete.intro or delete.steps[0].text) not in said


def test_stuck_at_the_change_step_leads_to_the_linked_elsewhere_help(assistant):
    user = sender()
    replies = assistant.say(user, ASKS["change_microsoft_account"])
    for _ in range(4):
        replies = assistant.say(user, "/next_step")
    assert "Did that work?" in texts(replies)
    help_ = assistant.say(user, "/deny")
    assert "already linked to another NuGet account" in texts(help_)
    moved = assistant.say(user, payloads(help_[-1])[0])
    assert playbooks()["microsoft_account_linked_elsewhere"].paths["main"].intro in texts(moved)


def test_typed_yes_and_no_follow_the_context(assistant):
    user = sender()
    assistant.say(user, ASKS["delete_account"])
    moved_on = assistant.say(user, "yes")
    assert "Step 2 of" in texts(moved_on)
    declined = assistant.say(user, "no")
    if "/choose_path" in " ".join(payloads(declined[-1])):  # the path's choices come first
        declined = assistant.say(user, "no")
    assert "Shall I open it?" in texts(declined)
    no_request = assistant.say(user, "no thanks")
    assert "OK, no support request" in texts(no_request)


def test_person_request_is_offered_and_declinable(assistant):
    user = sender()
    offer = assistant.say(user, "I want to talk to a real person")
    assert "support request" in texts(offer)
    assert "OK, no support request" in texts(assistant.say(user, "/deny"))


def test_out_of_scope_gets_a_pointer_not_a_guess(assistant):
    replies = assistant.say(sender(), "what's the weather like in Seattle tomorrow?")
    said = texts(replies)
    assert "outside what I can help with" in said
    assert "https://learn.microsoft.com/nuget/" in said


def test_an_account_question_in_another_language_gets_its_topic_in_english(assistant):
    """The glossary (rasa_plugins/nlu/glossary.yml) carries "Passwort vergessen" to the topic."""
    said = texts(assistant.say(sender(), "Ich habe mein NuGet-Passwort vergessen, was tun?"))
    intro = " ".join(playbooks()["recover_password_login"].paths["main"].intro.split())
    assert intro[:60] in " ".join(said.split())
    assert "outside what I can help with" not in said


def test_another_question_in_another_language_is_told_to_ask_in_english(assistant):
    said = texts(assistant.say(sender(), "Quelle est la capitale de l'Australie ?"))
    assert "I only understand questions in English" in said


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello", "nuget.org account assistant"),
        ("are you a bot?", "automated assistant"),
        ("thanks!", "You're welcome"),
        ("bye", "Goodbye"),
    ],
)
def test_small_talk(assistant, text, expected):
    assert expected in texts(assistant.say(sender(), text))


def test_did_you_mean_then_an_honest_give_up(assistant):
    user = sender()
    first = assistant.say(user, "account")
    assert "Did you mean one of these?" in texts(first)
    said = options(first[-1])
    assert len(said) == 3 and said[-1] == "/deny"
    again = assistant.say(user, "account")
    assert "I'd rather not guess" in texts(again)


def test_a_did_you_mean_button_starts_that_topic(assistant):
    user = sender()
    first = assistant.say(user, "account")
    topic_payload = payloads(first[-1])[0]
    started = assistant.say(user, topic_payload)
    book = playbooks()[plain(topic_payload)[1:]]
    assert (book.ask or book.paths["main"].intro) in texts(started)


BAD_INPUT = [
    "",
    "   ",
    "x" * 20_000,
    "password " * 3000,
    "😀😀🎉🔥",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "\x00\x01\x02\x1b[31m binary \ufffd\ufffd",
    "Wie lösche ich mein Konto?",
    "¿Cómo cambio mi contraseña?",
    "如何删除我的帐户",
    "كيف أحذف حسابي",
    '{"message": null, "__proto__": {}}',
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=range(len(BAD_INPUT)))
def test_bad_input_gets_a_reply_and_the_conversation_goes_on(assistant, text):
    user = sender()
    replies = assistant.say(user, text)
    assert replies, "every message gets an answer"
    assert all(r.get("text") for r in replies)
    assert "<script>" not in texts(replies)
    follow_up = assistant.say(user, ASKS["create_account"])
    assert playbooks()["create_account"].paths["main"].intro in texts(follow_up)
