"""The backend client against the real backend, and against a stand-in for faults the real
one cannot be made to show (slow answers, 5xx, wrong shapes)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from actions.backend_client import (
    BackendClient,
    BackendUnavailable,
    LookupLimited,
)
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


def test_wrong_token_is_unavailable_not_a_crash(backend):
    with pytest.raises(BackendUnavailable, match="401"):
        asyncio.run(BackendClient(backend.url, "wrong").account("LegacyDev"))


def test_down_backend():
    with pytest.raises(BackendUnavailable):
        asyncio.run(BackendClient(f"http://127.0.0.1:{free_port()}", "t").account("x"))


class StandIn(BaseHTTPRequestHandler):
    """Answers every request with the class's status, body and delay."""

    status, body, delay = 200, b"{}", 0.0

    def _answer(self) -> None:
        time.sleep(self.delay)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stand_in():
    servers = []

    def make(status=200, body=b"{}", delay=0.0) -> str:
        handler = type("Handler", (StandIn,), {"status": status, "body": body, "delay": delay})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield make
    for server in servers:
        server.shutdown()


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


def test_a_refused_look_up_is_limited_not_just_unavailable(stand_in):
    client = BackendClient(stand_in(status=429, body=b'{"error": "too many"}'), "t")
    with pytest.raises(LookupLimited):
        asyncio.run(client.account("x"))


def test_the_conversation_reaches_the_backend_only_as_a_digest():
    client = BackendClient.from_env("sender-42")
    assert client.conversation == conversation_key("sender-42")
    assert "sender-42" not in client.conversation and len(client.conversation) == 32
    assert BackendClient.from_env().conversation is None
