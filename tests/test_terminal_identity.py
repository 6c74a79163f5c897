"""The terminal chat's sign-in (rasa_plugins/terminal_identity.py, tools/demo_identity.py): the
`cmdline` channel carries the token only when scripts/chat.sh sets it, and the token is one the
backend accepts for that demo account."""

from __future__ import annotations

import os
import subprocess
from types import SimpleNamespace

import pytest
from rasa.core.channels.console import CmdlineInput
from rasa.core.channels.rest import RestInput

from account_backend import identity
from common.identifiers import MAX_IDENTITY_TOKEN
from rasa_plugins import terminal_identity
from tests.helpers import ROOT
from tools import demo_identity

SECRET = "test-identity-secret"
REQUEST = SimpleNamespace(json={"sender": "me", "message": "hi"})  # what rasa shell posts


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever apply() does to the channel class is undone after the test."""
    monkeypatch.setattr(CmdlineInput, "get_metadata", CmdlineInput.get_metadata)
    monkeypatch.setattr(RestInput, "get_metadata", RestInput.get_metadata)


@pytest.mark.usefixtures("restored")
def test_the_terminal_channel_sends_the_token_it_is_given() -> None:
    assert terminal_identity.apply({terminal_identity.ENV: "abc.def"})
    assert CmdlineInput().get_metadata(REQUEST) == {"identity_token": "abc.def"}
    assert RestInput().get_metadata(REQUEST) is None  # the REST channel is not touched
    other = SimpleNamespace(json={"metadata": {"client": "x"}})  # what else it sends, kept
    assert CmdlineInput().get_metadata(other) == {"client": "x", "identity_token": "abc.def"}


@pytest.mark.usefixtures("restored")
@pytest.mark.parametrize("value", ["", "   ", "x" * MAX_IDENTITY_TOKEN])
def test_no_token_or_one_the_actions_would_drop_changes_nothing(value: str) -> None:
    assert not terminal_identity.apply({terminal_identity.ENV: value})
    assert CmdlineInput().get_metadata(REQUEST) is None


def test_a_demo_token_names_the_account_and_verifies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("IDENTITY_SECRET", SECRET)
    assert demo_identity.main(["LegacyDev"]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert captured.err == f"Signed in as LegacyDev for {identity.max_lifetime() // 60} minutes.\n"
    assert identity.verify(token, SECRET, lifetime=identity.max_lifetime()) == "LegacyDev"
    assert identity.verify(token, "another secret", lifetime=identity.max_lifetime()) is None


@pytest.mark.parametrize("argv", [[], ["NoSuchDemo"], ["FabrikamOrg"], ["LegacyDev", "extra"]])
def test_only_one_demo_person_can_be_named(
    argv: list, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("IDENTITY_SECRET", SECRET)
    assert demo_identity.main(argv) == 2
    captured = capsys.readouterr()
    assert not captured.out and "LegacyDev" in captured.err  # the names to choose from


def test_no_secret_no_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("IDENTITY_SECRET", raising=False)
    assert demo_identity.main(["LegacyDev"]) == 2
    assert "IDENTITY_SECRET" in capsys.readouterr().err


def chat_recipe(*args: str, **env: str) -> str:
    """The command `make chat` would run (a dry run: nothing is set up or started)."""
    environ = {k: v for k, v in os.environ.items() if k != "SIGN_IN"} | env
    shown = subprocess.run(
        ["make", "-n", "chat", *args], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    return next(line for line in shown.stdout.splitlines() if "scripts/chat.sh" in line)


def test_make_chat_signs_in_only_when_told_on_the_command_line() -> None:
    assert chat_recipe() == 'CHAT_AS="" bash scripts/chat.sh'
    assert chat_recipe("SIGN_IN=LegacyDev") == 'CHAT_AS="LegacyDev" bash scripts/chat.sh'
    # a variable of the caller's environment does not sign anybody in
    assert chat_recipe(SIGN_IN="LegacyDev") == 'CHAT_AS="" bash scripts/chat.sh'
