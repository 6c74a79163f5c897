"""The backend client against the real backend, and against a stand-in for faults the real
one cannot be made to show (slow answers, 5xx, wrong shapes)."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from datetime import date

import pytest

from actions.backend_client import (
    BackendClient,
    BackendUnavailable,
    LookupLimited,
)
from actions.diagnosis import ApiKey, Invitation, Membership
from common.conversation import conversation_key
from tools.servers import free_port


def client(backend, timeout: float = 3.0) -> BackendClient:
    return BackendClient(backend.url, backend.token, timeout=timeout)


def test_reads_accounts_logins_and_tenants(backend):
    c = client(backend)
    account = asyncio.run(c.account("SoleOwnerDev"))
    assert account.sole_owner_packages == ["SoleOwner.Core", "SoleOwner.Extensions"]
    assert account.login_kind == "msa" and account.login_email_masked == "s***r@outlook.com"
    assert asyncio.run(c.account("NoSuchUser")) is None
    assert asyncio.run(c.login_owner("account2@outlook.com")) == "MyNuGetAccount2"
    assert asyncio.run(c.login_owner("fresh@outlook.com")) is None
    assert asyncio.run(c.tenant_state("contoso.com")) == "unmanaged"
    assert asyncio.run(c.account_by_email("legacy.dev@example.org")).password_login is True


def test_reads_the_account_states(backend):
    c = client(backend)
    expired = asyncio.run(c.account("ExpiredKeyDev")).api_keys
    assert [(k.name, k.legacy) for k in expired] == [("ci-push", False)]
    assert expired[0].scopes == ["push new packages and package versions"]
    assert expired[0].glob_patterns == ["*"] and expired[0].expires_on < date.today()
    legacy = asyncio.run(c.account("LegacyKeyDev")).api_keys[0]
    assert legacy.legacy is True and legacy.expires_on is None
    invited = asyncio.run(c.account("InvitedDev"))
    assert invited.invitations_received == [Invitation("Northwind.Toolkit", "InvitingDev")]
    inviting = asyncio.run(c.account("InvitingDev"))
    assert inviting.invitations_sent == [Invitation("Northwind.Toolkit", "InvitedDev")]
    assert inviting.sole_owner_packages == ["Northwind.Toolkit"]
    assert asyncio.run(c.account("MyNuGetAccount1")).other_owners == {
        "MyNuGet.Logging": ["CoOwnerDev"],
        "MyNuGet.Utilities": ["CoOwnerDev"],
    }
    assert asyncio.run(c.account("UnconfirmedDev")).email_confirmed is False
    assert asyncio.run(c.account("LockedDev")).locked is True
    collaborator = asyncio.run(c.account("OrgCollaboratorDev"))
    assert collaborator.memberships == [Membership("FabrikamOrg", "collaborator")]
    assert collaborator.last_admin_of == []
    admin = asyncio.run(c.account("FabrikamAdmin"))
    assert admin.memberships == [Membership("FabrikamOrg", "admin")]
    assert admin.locked is False and admin.email_confirmed is True and admin.api_keys == []


def test_wrong_token_is_unavailable_not_a_crash(backend):
    with pytest.raises(BackendUnavailable, match="401"):
        asyncio.run(BackendClient(backend.url, "wrong").account("LegacyDev"))


def test_down_backend():
    with pytest.raises(BackendUnavailable):
        asyncio.run(BackendClient(f"http://127.0.0.1:{free_port()}", "t").account("x"))


def test_slow_backend_times_out_within_the_budget(stand_in):
    url = stand_in(delay=2.0)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        asyncio.run(BackendClient(url, "t", timeout=0.5).tenant_state("contoso.com"))
    assert time.monotonic() - started < 1.5


def test_default_budget_is_three_seconds():
    assert BackendClient("http://x", "t").timeout.total == 3.0


@pytest.mark.parametrize(
    "status, body",
    [
        (500, b'{"error": "boom"}'),
        (503, b"Service Unavailable"),
        (200, b"not json at all"),
        (200, b"[1, 2, 3]"),
        (200, json.dumps({"username": "x"}).encode()),
        (200, json.dumps({"state": "weird"}).encode()),
    ],
)
def test_errors_and_wrong_shapes_are_unavailable(stand_in, status, body):
    c = BackendClient(stand_in(status=status, body=body), "t")
    with pytest.raises(BackendUnavailable):
        asyncio.run(c.account("LegacyDev"))
    with pytest.raises(BackendUnavailable):
        asyncio.run(c.tenant_state("contoso.com"))


def _without(field):
    return lambda answer: answer.pop(field)


def _set(value, *path):
    def change(answer):
        *parents, last = path
        for part in parents:
            answer = answer[part]
        answer[last] = value

    return change


# Ways a backend (an older one, a faulty one) can get the newer fields wrong.
MALFORMED = {
    "no api_keys": _without("api_keys"),
    "no locked": _without("locked"),
    "no email_confirmed": _without("email_confirmed"),
    "no ownership_invitations": _without("ownership_invitations"),
    "locked as a string": _set("false", "locked"),
    "email_confirmed as null": _set(None, "email_confirmed"),
    "api_keys as an object": _set({"ci-push": {}}, "api_keys"),
    "expiry not a date": _set("next week", "api_keys", 0, "expires_on"),
    "expiry a number": _set(20300101, "api_keys", 0, "expires_on"),
    "scopes a string": _set("push", "api_keys", 0, "scopes"),
    "legacy missing": lambda answer: answer["api_keys"][0].pop("legacy"),
    "invitations a list": _set([], "ownership_invitations"),
    "invitation without its sender": _set([{"package": "P"}], "ownership_invitations", "received"),
    "unknown role": _set("owner", "organizations", 0, "role"),
    "other_owners null": _set(None, "packages", 0, "other_owners"),
}


@pytest.fixture(scope="module")
def full_answer(sqlite_backend):
    """A real answer with every newer field filled: keys, invitations, organizations."""
    answer = sqlite_backend.get("/v1/accounts/ExpiredKeyDev").json()
    answer["ownership_invitations"]["received"] = [{"package": "P", "from_username": "U"}]
    answer["organizations"] = [{"name": "FabrikamOrg", "role": "admin", "last_admin": True}]
    answer["packages"] = [{"name": "P", "sole_owner": False, "other_owners": ["U"]}]
    return answer


def test_the_full_answer_parses(stand_in, full_answer):
    c = BackendClient(stand_in(body=json.dumps(full_answer).encode()), "t")
    account = asyncio.run(c.account("ExpiredKeyDev"))
    assert account.api_keys[0] == ApiKey(
        "ci-push",
        ["push new packages and package versions"],
        ["*"],
        date.fromisoformat(full_answer["api_keys"][0]["expires_on"]),
        False,
    )


@pytest.mark.parametrize("fault", sorted(MALFORMED))
def test_malformed_or_missing_new_fields_are_unavailable(stand_in, full_answer, fault):
    answer = copy.deepcopy(full_answer)
    MALFORMED[fault](answer)
    c = BackendClient(stand_in(body=json.dumps(answer).encode()), "t")
    with pytest.raises(BackendUnavailable, match="malformed account answer"):
        asyncio.run(c.account("ExpiredKeyDev"))


def test_a_refused_look_up_is_limited_not_just_unavailable(stand_in):
    client = BackendClient(stand_in(status=429, body=b'{"error": "too many"}'), "t")
    with pytest.raises(LookupLimited):
        asyncio.run(client.account("x"))


def test_the_conversation_reaches_the_backend_only_as_a_digest():
    client = BackendClient.from_env("sender-42")
    assert client.conversation == conversation_key("sender-42")
    assert "sender-42" not in client.conversation and len(client.conversation) == 32
    assert BackendClient.from_env().conversation is None
