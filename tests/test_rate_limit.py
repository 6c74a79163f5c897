"""Look-ups are limited per conversation, per client and in total, and spent by whoever asks."""

from __future__ import annotations

import os
import uuid

import pytest
import requests
from sqlalchemy import select

from account_backend.database import connect, lookup_attempts
from account_backend.rate_limit import Limits, LookupLimiter, forget_attempts
from tools.servers import start_backend, stop


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return connect(f"sqlite:///{tmp_path / 'limits.db'}")
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL is not available (TEST_POSTGRES_URL unset)")
    engine = connect(url)
    with engine.begin() as connection:
        connection.execute(lookup_attempts.delete())
    return engine


def limiter(engine, clock, per_conversation=2, per_client=3, total=100, window=60.0):
    return LookupLimiter(engine, Limits(per_conversation, per_client, total, window), clock)


def test_a_conversation_gets_its_budget_then_a_wait(engine):
    clock = Clock()
    limits = limiter(engine, clock)
    assert limits.admit("conv-a", "client-a") is None
    assert limits.admit("conv-a", "client-a") is None
    wait = limits.admit("conv-a", "client-a")
    assert wait is not None and 0 < wait <= 60
    assert limits.admit("conv-b", "client-b") is None  # others are not affected


def test_one_client_across_many_conversations_is_stopped(engine):
    clock = Clock()
    limits = limiter(engine, clock)
    for number in range(3):
        assert limits.admit(f"conv-{number}", "client-a") is None
    assert limits.admit("conv-new", "client-a") is not None  # a new conversation does not help
    assert limits.admit("conv-new", "client-b") is None  # another client keeps its budget


def test_everyone_together_has_a_budget(engine):
    clock = Clock()
    limits = limiter(engine, clock, per_conversation=100, per_client=100, total=4)
    for number in range(4):
        assert limits.admit(f"conv-{number}", f"client-{number}") is None
    assert limits.admit("conv-new", "client-new") is not None


def test_the_window_slides(engine):
    clock = Clock()
    limits = limiter(engine, clock)
    limits.admit("conv-a", "client-a")
    clock.now += 30
    limits.admit("conv-a", "client-a")
    assert limits.admit("conv-a", "client-a") is not None
    clock.now += 31  # the first look-up has left the window
    assert limits.admit("conv-a", "client-a") is None


def test_a_refused_look_up_does_not_use_budget(engine):
    clock = Clock()
    limits = limiter(engine, clock, per_conversation=1, per_client=10)
    limits.admit("conv-a", "client-a")
    for _ in range(5):
        assert limits.admit("conv-a", "client-a") is not None
    assert limits.admit("conv-b", "client-a") is None


def test_only_digests_are_stored_and_old_attempts_can_be_purged(engine):
    clock = Clock()
    limits = limiter(engine, clock)
    limits.admit("conversation-secret", "client-secret")
    with engine.connect() as connection:
        keys = [row.key for row in connection.execute(select(lookup_attempts.c.key))]
    assert len(keys) == 3 and all(len(key) == 64 for key in keys)
    assert not any("secret" in key for key in keys)
    assert forget_attempts(engine, before=clock.now + 1) == 3


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LOOKUP_LIMIT_PER_CONVERSATION", "7")
    monkeypatch.setenv("LOOKUP_LIMIT_PER_CLIENT", "9")
    monkeypatch.setenv("LOOKUP_LIMIT_TOTAL", "50")
    monkeypatch.setenv("LOOKUP_WINDOW_SECONDS", "120")
    assert Limits.from_env() == Limits(7, 9, 50, 120.0)


@pytest.fixture(scope="module")
def strict_backend(tmp_path_factory):
    limits = {"LOOKUP_LIMIT_PER_CONVERSATION": "2", "LOOKUP_LIMIT_PER_CLIENT": "3"}
    backend, process = start_backend(tmp_path_factory.mktemp("strict"), limits=limits)
    yield backend
    stop([process])


def lookup(backend, conversation: str, email: str, client: str = "") -> requests.Response:
    return requests.post(
        backend.url + "/v1/accounts/lookup",
        json={"email": email},
        headers={
            "Authorization": f"Bearer {backend.token}",
            "X-Conversation-Id": conversation,
            "X-Client-Id": client or conversation,
        },
        timeout=10,
    )


def test_the_api_answers_429_with_retry_after_and_the_same_for_known_and_unknown(
    strict_backend,
):
    conversation = uuid.uuid4().hex
    assert lookup(strict_backend, conversation, "account1@outlook.com").status_code == 200
    assert lookup(strict_backend, conversation, "nobody@example.org").status_code == 404
    for email in ("account1@outlook.com", "nobody-else@example.org"):
        refused = lookup(strict_backend, conversation, email)
        assert refused.status_code == 429
        assert refused.json() == {"error": "too many account look-ups; try again later"}
        assert int(refused.headers["Retry-After"]) >= 1


def test_the_api_limits_one_client_across_conversations(strict_backend):
    client = uuid.uuid4().hex
    email = "account1@outlook.com"
    codes = [lookup(strict_backend, uuid.uuid4().hex, email, client).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_client_spending_its_budget_does_not_lock_out_the_account_owner(strict_backend):
    """Today's budgets are the asker's: probing an account costs its owner nothing."""
    attacker = uuid.uuid4().hex
    for _ in range(4):
        lookup(strict_backend, uuid.uuid4().hex, "account1@outlook.com", attacker)
    owner = lookup(strict_backend, uuid.uuid4().hex, "account1@outlook.com", uuid.uuid4().hex)
    assert owner.status_code == 200
