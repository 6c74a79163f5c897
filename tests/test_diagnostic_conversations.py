"""Each demo account leads to its own branch, over REST with the real backend started.
Account details go only to a signed-in user (a verified identity), about their own account."""

from __future__ import annotations

import pytest

from account_backend import identity
from actions.playbooks import playbooks
from tests.helpers import finding_says, first_step
from tests.test_conversations import ASKS, options, payloads, sender, texts
from tools.servers import IDENTITY_SECRET, start_assistant, stop

pytestmark = pytest.mark.model

SIGN_IN = "only for someone signed in to nuget.org on this help site"


def signed_in(username: str) -> dict:
    return {"identity_token": identity.sign(username, IDENTITY_SECRET)}


def start(assistant, topic: str, metadata=None):
    """Asks about `topic`; returns the sender and the replies."""
    user = sender()
    return user, assistant.say(user, ASKS[topic], metadata=metadata)


def check(assistant, topic: str, answer: str, metadata=None):
    """Asks about a topic whose check needs an answer (a domain, a Microsoft account), answers."""
    user, asked = start(assistant, topic, metadata)
    assert playbooks()[topic].ask in texts(asked)
    return user, assistant.say(user, answer, metadata=metadata)


def intro(topic: str, path: str = "main") -> str:
    return playbooks()[topic].paths[path].intro


def test_password_only_account_gets_the_password_reset(assistant):
    _, replies = start(assistant, "recover_password_login", signed_in("LegacyDev"))
    said = texts(replies)
    assert finding_says("recover_password_login", "password_only", username="LegacyDev") in said
    assert payloads(replies[-1])[0].startswith("/choose_path")


def test_linked_account_is_told_its_masked_login_and_offered_both_ways(assistant):
    me = signed_in("MyNuGetAccount1")
    user, replies = start(assistant, "recover_password_login", me)
    said = texts(replies)
    assert "personal Microsoft account (a***1@outlook.com)" in said
    assert "account1@outlook.com" not in said
    targets = [c.goto for c in playbooks()["recover_password_login"].findings["linked"].choices]
    option = targets.index("recover_without_microsoft_account")
    lost = assistant.say(user, payloads(replies[-1])[option], metadata=me)
    assert intro("recover_without_microsoft_account") in texts(lost)


def test_sign_in_assistance_shows_the_masked_work_account(assistant):
    _, replies = start(assistant, "find_linked_microsoft_account", signed_in("ContosoBuild"))
    assert "work or school (Azure AD) account: b***r@contoso.com" in texts(replies)


def test_no_microsoft_account_linked(assistant):
    _, replies = start(assistant, "recover_without_microsoft_account", signed_in("LegacyDev"))
    expected = finding_says(
        "recover_without_microsoft_account", "password_only", username="LegacyDev"
    )
    assert expected in texts(replies)


def test_moving_to_a_login_of_another_account_is_detected(assistant):
    me = signed_in("MyNuGetAccount1")
    _, replies = check(assistant, "change_microsoft_account", "account2@outlook.com", me)
    said = texts(replies)
    assert (
        finding_says(
            "change_microsoft_account", "linked_elsewhere", target_masked="a***2@outlook.com"
        )
        in said
    )
    assert intro("microsoft_account_linked_elsewhere") in said
    assert "MyNuGetAccount2" not in replies[0]["text"]  # the other account is never named


def test_a_free_login_gets_the_change_steps(assistant):
    me = signed_in("MyNuGetAccount1")
    _, replies = check(assistant, "change_microsoft_account", "account3@outlook.com", me)
    said = texts(replies)
    assert (
        finding_says("change_microsoft_account", "target_free", target_masked="a***3@outlook.com")
        in said
    )
    assert first_step("change_microsoft_account") in said


def test_pasted_error_email_is_checked(assistant):
    me = signed_in("MyNuGetAccount1")
    _, replies = check(assistant, "microsoft_account_linked_elsewhere", "account2@outlook.com", me)
    expected = finding_says(
        "microsoft_account_linked_elsewhere", "linked_elsewhere", target_masked="a***2@outlook.com"
    )
    assert expected in texts(replies)


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("builder@contoso.com", ("unmanaged", "contoso.com")),
        ("fabrikam.com", ("managed", "fabrikam.com")),
        ("someone@outlook.com", ("no_tenant", "outlook.com")),
    ],
)
def test_tenant_states(assistant, answer, expected):
    finding, domain = expected
    _, replies = check(assistant, "unmanaged_aad_tenant", answer)
    assert finding_says("unmanaged_aad_tenant", finding, domain=domain) in texts(replies)


def test_unmanaged_tenant_offers_the_two_ways(assistant):
    _, replies = check(assistant, "unmanaged_aad_tenant", "builder@contoso.com")
    while "/next_step" in options(replies[-1]):
        replies = assistant.say(replies[0]["recipient_id"], "/next_step")
    assert len(payloads(replies[-1])) == len(
        playbooks()["unmanaged_aad_tenant"].paths["main"].choices
    )


@pytest.mark.parametrize(
    "username, finding",
    [
        ("LegacyDev", "password_only"),
        ("MyNuGetAccount1", "linked"),
        ("FabrikamOrg", "already_organization"),
    ],
)
def test_transform_branches_on_the_account(assistant, username, finding):
    _, replies = start(assistant, "transform_to_organization", signed_in(username))
    said = finding_says("transform_to_organization", finding, username=username)
    assert said.split("(")[0] in texts(replies)


def test_signed_in_sole_owner_is_told_about_their_packages(assistant):
    _, replies = start(assistant, "delete_account", signed_in("SoleOwnerDev"))
    said = texts(replies)
    packages = {
        "counted_packages": "2 packages",
        "packages": "SoleOwner.Core, SoleOwner.Extensions",
    }
    assert finding_says("delete_account", "sole_owner", **packages) in said
    assert first_step("delete_account", "packages") in said


def test_signed_in_last_admin_is_stopped_until_the_organization_is_handed_over(assistant):
    _, replies = start(assistant, "delete_account", signed_in("FabrikamAdmin"))
    said = texts(replies)
    assert finding_says("delete_account", "last_admin", organizations="FabrikamOrg") in said
    assert first_step("delete_account", "organizations") in said
    assert first_step("delete_account", "request") not in said


def test_account_details_need_a_verified_identity(assistant):
    for metadata in (None, {"identity_token": "forged.token"}):
        _, replies = start(assistant, "delete_account", metadata)
        said = texts(replies)
        assert SIGN_IN in said and first_step("delete_account") in said
        assert "SoleOwner" not in said


def test_an_identity_token_speaks_for_the_first_conversation_only(assistant):
    """A copy of a token (from a log, a stored message) opens no other conversation."""
    token = signed_in("SoleOwnerDev")
    sole_owner = "SoleOwner.Core, SoleOwner.Extensions"
    _, replies = start(assistant, "delete_account", token)
    assert sole_owner in texts(replies)
    _, replayed = start(assistant, "delete_account", token)  # a new conversation
    said = texts(replayed)
    assert SIGN_IN in said and first_step("delete_account") in said
    assert "SoleOwner" not in said


def test_an_identity_token_signed_for_too_long_is_refused(assistant):
    month = {"identity_token": identity.sign("SoleOwnerDev", IDENTITY_SECRET, 30 * 86400)}
    _, replies = start(assistant, "delete_account", month)
    said = texts(replies)
    assert SIGN_IN in said and "SoleOwner" not in said


def test_a_signed_in_user_hears_only_about_their_own_account(assistant):
    _, replies = start(assistant, "delete_account", signed_in("MyNuGetAccount1"))
    said = texts(replies)
    assert finding_says("delete_account", "clear", username="MyNuGetAccount1") in said
    assert "SoleOwner" not in said


def test_checking_a_login_needs_a_verified_identity_and_asks_nothing(assistant):
    _, replies = start(assistant, "change_microsoft_account")
    said = texts(replies)
    assert SIGN_IN in said and first_step("change_microsoft_account") in said
    assert playbooks()["change_microsoft_account"].ask not in said


def test_skip_and_nonsense_give_the_general_steps(assistant):
    first_step = playbooks()["unmanaged_aad_tenant"].paths["main"].steps[0].text
    _, skipped = check(assistant, "unmanaged_aad_tenant", "skip")
    assert first_step in texts(skipped)
    _, pressed = check(assistant, "unmanaged_aad_tenant", "/deny")  # the Skip button
    assert first_step in texts(pressed)
    user, first = check(assistant, "unmanaged_aad_tenant", "it's the company one")
    assert "doesn't look like" in texts(first)
    second = assistant.say(user, "x" * 3_000)  # under the channel limit: an unusable answer
    assert first_step in texts(second)


def test_script_or_off_topic_answers_leave_the_check(assistant):
    first_step = playbooks()["unmanaged_aad_tenant"].paths["main"].steps[0].text
    _, replies = check(assistant, "unmanaged_aad_tenant", "<script>alert(1)</script>")
    assert first_step in texts(replies) and "<script>" not in texts(replies)


def test_a_new_question_instead_of_an_answer_starts_that_topic(assistant):
    _, replies = check(assistant, "unmanaged_aad_tenant", "how do I create a nuget account?")
    assert intro("create_account") in texts(replies)


def test_asking_for_a_person_during_the_check(assistant):
    _, replies = check(assistant, "unmanaged_aad_tenant", "I want to talk to a real person")
    assert "Shall I open it?" in texts(replies)


@pytest.fixture(scope="module")
def assistant_without_backend(tmp_path_factory, backend):
    """The assistant with its backend address pointing at a closed port."""
    from dataclasses import replace

    from tools.servers import free_port

    dead = replace(backend, url=f"http://127.0.0.1:{free_port()}")
    assistant, processes = start_assistant(tmp_path_factory.mktemp("no-backend"), dead)
    yield assistant
    stop(processes)


def test_backend_down_gives_the_general_steps_and_the_conversation_goes_on(
    assistant_without_backend,
):
    me = signed_in("LegacyDev")
    user, replies = start(assistant_without_backend, "recover_password_login", me)
    said = texts(replies)
    assert "I could not check your account just now" in said
    assert first_step("recover_password_login") in said
    assert first_step("recover_password_login").replace("1 of", "2 of") in texts(
        assistant_without_backend.say(user, "/next_step")
    )
    offer = assistant_without_backend.say(user, "talk to a person please")
    assert "Shall I open it?" in texts(offer)
    assert "reply by email" in texts(assistant_without_backend.say(user, "/affirm"))
    failed = assistant_without_backend.say(user, "/deny")  # no address
    assert "could not record the support request" in texts(failed)


TYPED_EMAILS = [
    "account1@outlook.com",
    "account2@outlook.com",
    "account3@outlook.com",
    "builder@contoso.com",
    "legacy.dev@example.org",
    "nobody.here@example.org",
]


def test_logs_of_all_these_conversations_hold_no_email_address(assistant):
    logs = [*assistant.logs, assistant.backend.log]
    written = "\n".join(path.read_text(errors="replace") for path in logs)
    assert '"event": "account_checked"' in written  # the logs are there and structured
    for email in TYPED_EMAILS:
        assert email not in written


def test_trying_many_domains_in_one_conversation_reaches_the_limit(assistant):
    """The backend under test keeps the default budget of 5 look-ups per conversation."""
    user = sender()
    for number in range(6):
        asked = assistant.say(user, ASKS["unmanaged_aad_tenant"])
        assert playbooks()["unmanaged_aad_tenant"].ask in texts(asked)
        said = texts(assistant.say(user, f"probe-{number}.example.org"))
        limited = "reached the limit of account checks" in said
        assert limited == (number == 5), (number, said)
    assert "probe-5" not in said
