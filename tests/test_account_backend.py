"""The account backend over real HTTP, on a real SQLite database seeded with the demo data."""

from __future__ import annotations

import pytest
import requests

from account_backend import identity
from tools.servers import IDENTITY_SECRET


@pytest.fixture
def backend(any_backend):
    """Every test here runs on SQLite and, where it could be started, PostgreSQL."""
    return any_backend


def call(backend, method, path, token="default", **kwargs):
    token = backend.token if token == "default" else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, backend.url + path, headers=headers, timeout=10, **kwargs)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/accounts/MyNuGetAccount1"),
        ("GET", "/v1/tenants/contoso.com"),
        ("POST", "/v1/microsoft-logins/lookup"),
        ("POST", "/v1/support-requests"),
        ("GET", "/v1/support-requests/NGS-00000000"),
        ("GET", "/openapi.json"),
    ],
)
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_route_needs_the_service_token(backend, method, path, token):
    response = call(backend, method, path, token=token, json={})
    assert response.status_code == 401
    assert response.json() == {"error": "missing or wrong service token"}


def test_health_is_open_and_openapi_is_served_with_the_token(backend):
    assert requests.get(backend.url + "/health", timeout=5).json() == {"status": "ok"}
    spec = call(backend, "GET", "/openapi.json").json()
    assert "/v1/accounts/{username}" in spec["paths"]
    assert "/health" not in spec["paths"] and "/openapi.json" not in spec["paths"]


def test_linked_personal_account_with_co_owned_packages(backend):
    account = call(backend, "GET", "/v1/accounts/MyNuGetAccount1").json()
    assert account["microsoft_account"] == {
        "kind": "msa",
        "email_masked": "a***1@outlook.com",
        "domain": "outlook.com",
    }
    assert account["password_login"] is False
    assert {p["sole_owner"] for p in account["packages"]} == {False}
    assert "account1@outlook.com" not in str(account)


def test_usernames_match_whatever_the_case(backend):
    assert call(backend, "GET", "/v1/accounts/mynugetaccount1").json()["username"] == (
        "MyNuGetAccount1"
    )


def test_password_only_account(backend):
    account = call(backend, "GET", "/v1/accounts/LegacyDev").json()
    assert account["password_login"] is True
    assert account["microsoft_account"] is None
    assert account["email_masked"] == "l***v@example.org"


def test_sole_owner_and_last_admin(backend):
    sole = call(backend, "GET", "/v1/accounts/SoleOwnerDev").json()
    assert [p["sole_owner"] for p in sole["packages"]] == [True, True]
    admin = call(backend, "GET", "/v1/accounts/FabrikamAdmin").json()
    assert admin["organizations"] == [{"name": "FabrikamOrg", "last_admin": True}]
    assert admin["microsoft_account"]["kind"] == "aad"


def test_account_by_linked_email(backend):
    found = call(backend, "POST", "/v1/accounts/lookup", json={"email": "Builder@Contoso.com"})
    assert found.json()["username"] == "ContosoBuild"
    missing = call(backend, "POST", "/v1/accounts/lookup", json={"email": "nobody@example.org"})
    assert missing.status_code == 404 and missing.json() == {"error": "no such account"}


def test_microsoft_login_linked_to_another_account(backend):
    linked = call(
        backend, "POST", "/v1/microsoft-logins/lookup", json={"email": "account2@outlook.com"}
    )
    assert linked.json() == {"linked": True, "username": "MyNuGetAccount2"}
    free = call(
        backend, "POST", "/v1/microsoft-logins/lookup", json={"email": "account3@outlook.com"}
    )
    assert free.json() == {"linked": False, "username": None}


@pytest.mark.parametrize(
    "domain, state",
    [("contoso.com", "unmanaged"), ("FABRIKAM.com", "managed"), ("outlook.com", "none")],
)
def test_tenant_states(backend, domain, state):
    assert call(backend, "GET", f"/v1/tenants/{domain}").json()["state"] == state


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/v1/accounts/" + "a" * 65, None),
        ("GET", "/v1/accounts/bad%20name", None),
        ("GET", "/v1/accounts/x'%20OR%20'1'='1", None),
        ("GET", "/v1/tenants/no_dots", None),
        ("POST", "/v1/microsoft-logins/lookup", {"email": "not an email"}),
        ("POST", "/v1/microsoft-logins/lookup", {"email": "a" * 250 + "@x.com"}),
        ("POST", "/v1/accounts/lookup", {"email": "x@y.com'; DROP TABLE accounts; --"}),
        ("POST", "/v1/support-requests", {"transcript": [{"from": "admin", "text": "x"}]}),
        ("POST", "/v1/support-requests", {"transcript": "not a list"}),
    ],
)
def test_invalid_input_is_a_clear_422(backend, method, path, body):
    response = call(backend, method, path, json=body)
    assert response.status_code == 422
    assert response.json()["error"].startswith("invalid input")
    assert call(backend, "GET", "/v1/accounts/LegacyDev").status_code == 200


def test_support_request_round_trip(backend):
    transcript = [{"from": "user", "text": "help"}, {"from": "bot", "text": "sure"}]
    created = call(
        backend,
        "POST",
        "/v1/support-requests",
        json={"topic": "change_username", "channel": "rest", "transcript": transcript},
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    stored = call(backend, "GET", f"/v1/support-requests/{reference}").json()
    assert stored["transcript"] == transcript and stored["topic"] == "change_username"


def test_identity_tokens_are_verified(backend):
    good = identity.sign("LegacyDev", IDENTITY_SECRET)
    assert call(backend, "POST", "/v1/identity/verify", json={"token": good}).json() == {
        "username": "LegacyDev"
    }
    forged = identity.sign("LegacyDev", "another secret")
    expired = identity.sign("LegacyDev", IDENTITY_SECRET, ttl_seconds=-10)
    for token in (forged, expired, "garbage", good + "x"):
        response = call(backend, "POST", "/v1/identity/verify", json={"token": token})
        assert response.status_code == 401
