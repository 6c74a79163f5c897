"""An attacker with a list of email addresses learns nothing over the REST channel: no
username, no difference between known and unknown addresses; and a signed-in client probing
Microsoft logins is refused past its budget, however many conversations it opens."""

from __future__ import annotations

import uuid

import pytest

from account_backend import identity
from account_backend.seed import ACCOUNTS
from tests.test_conversations import texts
from tools.servers import IDENTITY_SECRET, start_assistant, start_backend, stop

pytestmark = pytest.mark.model

CLIENT_LIMIT = 20
KNOWN = [email for email, *_ in ACCOUNTS.values()]
EMAILS = KNOWN + [f"probe.{n}@example.org" for n in range(300 - len(KNOWN))]
# The question, then the address as the answer (the attack the issue reported), or both in one.
PROBES = [
    ("which microsoft account is linked to my nuget account", "{email}"),
    ("I forgot my nuget.org password", "it's {email}"),
    ("how do I change the microsoft account I use to log in", "{email}"),
    ("which microsoft account is linked to my nuget account {email}", None),
]


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """Backend and assistant with the production budgets (per client 20)."""
    directory = tmp_path_factory.mktemp("enumeration")
    limits = {"LOOKUP_LIMIT_PER_CLIENT": str(CLIENT_LIMIT)}
    backend, backend_process = start_backend(directory, limits=limits)
    assistant, processes = start_assistant(directory, backend)
    yield assistant
    stop([*processes, backend_process])


def conversation(assistant, messages, email: str) -> str:
    """The replies, with the address written as <email> in the answer to the message that
    carried it (the playbooks' own example addresses stay as they are)."""
    user = f"probe-{uuid.uuid4().hex}"
    turns = []
    for message in filter(None, messages):
        said = texts(assistant.say(user, message))
        turns.append(said.replace(email, "<email>") if email in message else said)
    return "\n".join(turns)


@pytest.mark.parametrize("probe", PROBES)
def test_300_emails_reveal_no_username_and_no_existence(limited, probe):
    answers = {}
    for email in EMAILS:
        said = conversation(limited, [m and m.format(email=email) for m in probe], email)
        assert not any(username in said for username in ACCOUNTS), said
        answers[email] = said
    known = {answers[email] for email in KNOWN}
    unknown = {answers[email] for email in EMAILS if email not in KNOWN}
    # Nothing a known address gets tells it apart from the unknown ones. (The wording of an
    # address can still move the NLU, e.g. digits in it; that says nothing about an account.)
    assert known <= unknown, known - unknown


def test_a_signed_in_client_is_refused_past_its_budget_in_any_conversation(limited):
    limited_after = []
    for number, email in enumerate(EMAILS[:30]):
        user = f"probe-{uuid.uuid4().hex}"  # a new conversation each time
        # a page load each time too: a token speaks for one conversation only
        me = {"identity_token": identity.sign("MyNuGetAccount1", IDENTITY_SECRET)}
        # the first reply looks at the account's own login, the second at the typed address:
        # two look-ups of the budget, so the refusal can come with either
        asked = texts(
            limited.say(user, "how do I change the microsoft account I use to log in", metadata=me)
        )
        said = texts(limited.say(user, email, metadata=me))
        assert "MyNuGetAccount2" not in said.split("\n")[0]
        if "reached the limit of account checks" in asked + said:
            limited_after.append(number)
    # two look-ups a probe (the own login, the typed address): refused from the probe that
    # would take the 21st, and ever after
    assert limited_after == list(range(CLIENT_LIMIT // 2, 30))


def test_an_unverified_client_is_refused_past_its_budget_in_any_conversation(limited):
    """Tenant checks need no sign-in; a script opening a new conversation for each still
    spends one budget, its network address's (the REST channel's client key)."""
    limited_after = []
    for number in range(CLIENT_LIMIT + 5):
        user = f"tenant-{uuid.uuid4().hex}"
        limited.say(
            user, "login fails with my company email because of an unmanaged azure ad tenant"
        )
        said = texts(limited.say(user, f"domain{number}.example"))
        if "reached the limit of account checks" in said:
            limited_after.append(number)
    assert limited_after == list(range(CLIENT_LIMIT, CLIENT_LIMIT + 5))
