"""The account backend over real HTTP, on a real SQLite database seeded with the demo data."""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import create_engine, select, text

from account_backend import bindings, identity, queries
from account_backend.database import api_keys, connect, support_requests
from account_backend.seed import ACCOUNTS, API_KEYS, seed
from tools.servers import IDENTITY_SECRET


@pytest.fixture
def backend(any_backend):
    """Every test here runs on SQLite and, where it could be started, PostgreSQL."""
    return any_backend


def call(backend, method, path, token="default", conversation=None, **kwargs):
    token = backend.token if token == "default" else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if conversation:
        headers["X-Conversation-Id"] = conversation
    return requests.request(method, backend.url + path, headers=headers, timeout=10, **kwargs)


def verify(backend, token, conversation="c" * 32):
    """The identity route as the action server calls it, for a conversation."""
    body = {"token": token}
    return call(backend, "POST", "/v1/identity/verify", conversation=conversation, json=body)


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
    assert admin["organizations"] == [{"name": "FabrikamOrg", "role": "admin", "last_admin": True}]
    assert admin["microsoft_account"]["kind"] == "aad"


# --- the newer account states, one demo account each ---------------------------------------


def account(backend, username):
    response = call(backend, "GET", f"/v1/accounts/{username}")
    assert response.status_code == 200
    return response.json()


def test_keys_come_as_metadata_only(backend):
    for username in API_KEYS:
        for key in account(backend, username)["api_keys"]:
            assert set(key) == {"name", "scopes", "glob_patterns", "expires_on", "legacy"}


def test_expired_key(backend):
    [key] = account(backend, "ExpiredKeyDev")["api_keys"]
    assert key["name"] == "ci-push" and key["legacy"] is False
    assert key["scopes"] == ["push new packages and package versions"]
    assert key["glob_patterns"] == ["*"]
    assert date.fromisoformat(key["expires_on"]) < date.today()


def test_key_expiring_within_ten_days(backend):
    [key] = account(backend, "ExpiringKeyDev")["api_keys"]
    days_left = (date.fromisoformat(key["expires_on"]) - date.today()).days
    assert 0 <= days_left <= 10
    assert key["scopes"] == ["push new packages and package versions", "unlist"]


def test_legacy_key(backend):
    [key] = account(backend, "LegacyKeyDev")["api_keys"]
    assert key["legacy"] is True and key["expires_on"] is None


def test_current_key_and_no_keys(backend):
    [key] = account(backend, "MyNuGetAccount1")["api_keys"]
    assert key["scopes"] == ["push only new package versions"]
    assert key["glob_patterns"] == ["MyNuGet.*"]
    assert (date.fromisoformat(key["expires_on"]) - date.today()).days > 10
    assert account(backend, "LegacyDev")["api_keys"] == []


def test_package_owners_and_pending_invitations(backend):
    assert account(backend, "MyNuGetAccount1")["packages"] == [
        {"name": "MyNuGet.Logging", "sole_owner": False, "other_owners": ["CoOwnerDev"]},
        {"name": "MyNuGet.Utilities", "sole_owner": False, "other_owners": ["CoOwnerDev"]},
    ]
    invited = account(backend, "InvitedDev")
    assert invited["ownership_invitations"] == {
        "received": [{"package": "Northwind.Toolkit", "from_username": "InvitingDev"}],
        "sent": [],
    }
    assert invited["packages"] == []  # not an owner until the invitation is confirmed
    inviting = account(backend, "InvitingDev")
    assert inviting["ownership_invitations"] == {
        "received": [],
        "sent": [{"package": "Northwind.Toolkit", "to_username": "InvitedDev"}],
    }
    assert inviting["packages"] == [
        {"name": "Northwind.Toolkit", "sole_owner": True, "other_owners": []}
    ]


def test_unconfirmed_email(backend):
    unconfirmed = account(backend, "UnconfirmedDev")
    assert unconfirmed["email_confirmed"] is False
    assert unconfirmed["email_masked"] == "r***h@outlook.com"
    assert account(backend, "LegacyDev")["email_confirmed"] is True


def test_organization_collaborator(backend):
    assert account(backend, "OrgCollaboratorDev")["organizations"] == [
        {"name": "FabrikamOrg", "role": "collaborator", "last_admin": False}
    ]
    # a collaborator is not an admin: FabrikamAdmin is still the last one
    assert account(backend, "FabrikamAdmin")["organizations"][0]["last_admin"] is True


def test_locked(backend):
    assert account(backend, "LockedDev")["locked"] is True
    assert account(backend, "LegacyDev")["locked"] is False


@pytest.mark.parametrize("username", sorted(ACCOUNTS))
def test_every_demo_account_answers_without_full_addresses(backend, username):
    answer = call(backend, "GET", f"/v1/accounts/{username}").text
    assert ACCOUNTS[username].email not in answer
    assert not ACCOUNTS[username].login or ACCOUNTS[username].login not in answer


@pytest.mark.parametrize("username", sorted(ACCOUNTS))
def test_every_demo_account_can_be_signed_in(backend, username):
    token = identity.sign(username, IDENTITY_SECRET)
    assert verify(backend, token).json() == {"username": username}


# --- the demo data over time and older databases ---------------------------------------------


def test_demo_dates_follow_the_day_of_loading_and_other_data_stays(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'accounts.db'}")
    seed(engine, today=date(2020, 1, 1))  # a database seeded long ago
    with engine.begin() as connection:
        queries.create_support_request(connection, "delete_account", "rest", [])
    seed(engine, today=date(2026, 5, 1))  # a later start
    with engine.connect() as connection:
        expiry = dict(connection.execute(select(api_keys.c.name, api_keys.c.expires_on)).all())
        requests_kept = connection.execute(select(support_requests)).all()
        keys = connection.execute(select(api_keys)).all()
    assert expiry["release-push"] == date(2026, 5, 1) + timedelta(days=7)
    assert expiry["ci-push"] == date(2026, 5, 1) - timedelta(days=3)
    assert len(requests_kept) == 1
    assert len(keys) == sum(len(demo_keys) for demo_keys in API_KEYS.values())  # no copies


OLD_SCHEMA = [
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY, username VARCHAR(64) NOT NULL UNIQUE, "
    "email VARCHAR(254) NOT NULL, password_login BOOLEAN NOT NULL, "
    "is_organization BOOLEAN NOT NULL)",
    "CREATE TABLE organization_admins (org_id INTEGER NOT NULL, admin_id INTEGER NOT NULL)",
    "INSERT INTO accounts VALUES (1, 'OldOrg', 'org@example.org', 0, 1)",
    "INSERT INTO accounts VALUES (2, 'OldAdmin', 'admin@example.org', 0, 0)",
    "INSERT INTO organization_admins VALUES (1, 2)",
]


def test_a_database_from_before_the_newer_states_is_brought_up_to_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with create_engine(url).begin() as connection:
        for statement in OLD_SCHEMA:
            connection.execute(text(statement))
    engine = connect(url)
    seed(engine)
    with engine.connect() as connection:
        old_admin = queries.account_view(connection, queries.find_account(connection, "OldAdmin"))
        locked = queries.account_view(connection, queries.find_account(connection, "LockedDev"))
    assert old_admin["organizations"] == [{"name": "OldOrg", "role": "admin", "last_admin": True}]
    assert old_admin["email_confirmed"] is True and old_admin["locked"] is False
    assert locked["locked"] is True  # the newer demo accounts are added


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


def test_a_support_request_keeps_the_reply_address_given_and_never_logs_it(backend):
    body = {"transcript": [{"from": "user", "text": "help"}], "contact_email": "jo.x@example.com"}
    created = call(backend, "POST", "/v1/support-requests", json=body)
    assert created.status_code == 201
    stored = call(backend, "GET", f"/v1/support-requests/{created.json()['reference']}").json()
    assert stored["contact_email"] == "jo.x@example.com"
    assert "jo.x@example.com" not in backend.log.read_text(encoding="utf-8")
    without = call(backend, "POST", "/v1/support-requests", json={"transcript": []}).json()
    assert (
        call(backend, "GET", f"/v1/support-requests/{without['reference']}").json()["contact_email"]
        is None
    )


@pytest.mark.parametrize("address", ["not an address", "a" * 250 + "@x.com", "x@y"])
def test_a_reply_address_that_is_not_one_is_refused(backend, address):
    body = {"transcript": [], "contact_email": address}
    assert call(backend, "POST", "/v1/support-requests", json=body).status_code == 422


def test_identity_tokens_are_verified(backend):
    good = identity.sign("LegacyDev", IDENTITY_SECRET)
    assert verify(backend, good).json() == {"username": "LegacyDev"}
    forged = identity.sign("LegacyDev", "another secret")
    expired = identity.sign("LegacyDev", IDENTITY_SECRET, ttl_seconds=-10)
    for token in (forged, expired, "garbage", good + "x"):
        assert verify(backend, token).status_code == 401


def signed_claims(claims: dict) -> str:
    """A token with exactly these claims, signed with the backend's secret."""
    payload = identity._b64(json.dumps(claims).encode())
    return f"{payload}.{identity._signature(payload, IDENTITY_SECRET)}"


def test_an_identity_token_lives_an_hour_at_most_and_is_never_issued_ahead(backend):
    now = int(time.time())
    refused = {
        "a day long": {"sub": "LegacyDev", "iat": now, "exp": now + 86400},
        "no iat (the old format)": {"sub": "LegacyDev", "exp": now + 600},
        "issued in an hour": {"sub": "LegacyDev", "iat": now + 3600, "exp": now + 3700},
        "iat not a number": {"sub": "LegacyDev", "iat": "now", "exp": now + 600},
    }
    for case, claims in refused.items():
        assert verify(backend, signed_claims(claims)).status_code == 401, case
    hour = {"sub": "LegacyDev", "iat": now - 10, "exp": now - 10 + 3600}
    assert verify(backend, signed_claims(hour)).json() == {"username": "LegacyDev"}


def test_an_identity_token_speaks_for_the_first_conversation_that_shows_it(backend):
    token = identity.sign("LegacyDev", IDENTITY_SECRET)
    first, other = "a" * 32, "b" * 32
    assert verify(backend, token, first).json() == {"username": "LegacyDev"}
    assert verify(backend, token, first).json() == {"username": "LegacyDev"}  # again: fine
    assert verify(backend, token, other).status_code == 401
    assert verify(backend, token, first).status_code == 200
    assert verify(backend, token, conversation=None).status_code == 400
    fresh = identity.sign("LegacyDev", IDENTITY_SECRET)  # a new page load: a new token
    assert fresh != token and verify(backend, fresh, other).status_code == 200


def test_two_first_uses_at_once_bind_the_token_to_one_conversation(db_url, monkeypatch):
    """The later insert of a race fails on the key, and its caller reads who won."""
    engine, token, now = connect(db_url), f"token-{os.urandom(8).hex()}", time.time()
    assert bindings.bind(engine, token, "a" * 32, now + 60, now)
    reads = []
    original = bindings._bound_to

    def not_seen_at_first(connection, key):  # the winner's insert came after this read
        reads.append(key)
        return None if len(reads) == 1 else original(connection, key)

    monkeypatch.setattr(bindings, "_bound_to", not_seen_at_first)
    assert not bindings.bind(engine, token, "b" * 32, now + 60, now)
    assert len(reads) == 2
    monkeypatch.undo()
    assert bindings.bind(engine, token, "a" * 32, now + 60, now)
