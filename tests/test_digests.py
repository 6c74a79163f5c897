"""Stored digests are keyed (HMAC-SHA-256 under DIGEST_SECRET, common/conversation.py): whoever
reads a table cannot test a guessed username, sender id or token against it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from account_backend import bindings, rate_limit
from common import conversation
from retention.__main__ import main as retention_main
from tests.helpers import ROOT

DIGESTS = {
    "conversation": lambda: conversation.conversation_key("slack-U024BE7LH"),
    "signed-in user": lambda: conversation.client_key("MyNuGetAccount1"),
    "look-up budget": lambda: rate_limit.digest("client", "MyNuGetAccount1"),
    "identity binding": lambda: bindings.digest("eyJzdWIiOiJhIn0.signature"),
}
PLAIN = {
    "conversation": hashlib.sha256(b"slack-U024BE7LH").hexdigest()[:32],
    "signed-in user": hashlib.sha256(b"user:mynugetaccount1").hexdigest()[:32],
    "look-up budget": hashlib.sha256(b"client:mynugetaccount1").hexdigest(),
    "identity binding": hashlib.sha256(b"eyJzdWIiOiJhIn0.signature").hexdigest(),
}


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_a_digest_depends_on_the_server_secret(name, monkeypatch):
    monkeypatch.setenv("DIGEST_SECRET", "one secret")
    first = DIGESTS[name]()
    assert DIGESTS[name]() == first  # stable under one key: budgets and purges find it again
    monkeypatch.setenv("DIGEST_SECRET", "another secret")
    assert DIGESTS[name]() != first
    assert len(DIGESTS[name]()) == len(first)


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_no_digest_is_a_plain_sha256(name, monkeypatch):
    monkeypatch.setenv("DIGEST_SECRET", "one secret")
    assert DIGESTS[name]() != PLAIN[name]
    monkeypatch.delenv("DIGEST_SECRET")  # unset: this process's random key, still not plain
    assert DIGESTS[name]() != PLAIN[name]


def test_the_backend_refuses_to_start_without_the_digest_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_SECRET"}
    env.update(ACCOUNT_BACKEND_TOKEN="t", ACCOUNT_DB_URL=f"sqlite:///{tmp_path / 'a.db'}")
    done = subprocess.run(
        [sys.executable, "-m", "account_backend", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "DIGEST_SECRET" in done.stderr


def test_a_purge_by_sender_needs_the_digest_secret(monkeypatch, capsys):
    monkeypatch.delenv("DIGEST_SECRET")
    with pytest.raises(SystemExit):
        retention_main(["--sender", "someone", "--account-db", "sqlite://"])
    assert "DIGEST_SECRET" in capsys.readouterr().err
