"""Only Rasa may call the action server (actions/server_access.py): it listens on loopback
unless SANIC_HOST says otherwise, needs ACTION_SERVER_TOKEN's bearer token on every route but
/health when one is set, and will not listen beyond loopback without one. The account
backend listens on loopback unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest
import requests

from actions.server_access import authorized, settings
from tests.helpers import listening_hosts
from tests.test_conversations import ASKS, sender, texts
from tools.servers import ROOT, free_port, stop
from tools.wait_for import wait_for

# What an account check sends: the direct POST the issue reported ran a backend look-up.
ACTION_CALL = {
    "next_action": "action_start_playbook",
    "sender_id": "direct-caller",
    "version": "3.6.2",
    "domain": {},
    "tracker": {
        "sender_id": "direct-caller",
        "slots": {},
        "latest_message": {"intent": {"name": "delete_account", "confidence": 1.0}},
        "events": [],
        "latest_action_name": "action_listen",
        "active_loop": {},
        "paused": False,
        "followup_action": None,
        "latest_event_time": None,
    },
}


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_bearer_token_is_compared_whole_and_never_raises():
    assert authorized("Bearer s3cret", "s3cret") and authorized("bearer s3cret", "s3cret")
    for header in (None, "", "s3cret", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret"):
        assert not authorized(header, "s3cret"), header
    assert not authorized("Bearer s3crét", "s3cret")  # non-ASCII: False, not TypeError


def test_loopback_is_the_default_and_a_public_address_needs_a_token():
    assert settings({}) == ("127.0.0.1", "")
    assert settings({"SANIC_HOST": "::1"}) == ("::1", "")
    assert settings({"SANIC_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": "t"}) == ("0.0.0.0", "t")
    for host in ("0.0.0.0", "::", "10.1.2.3"):
        with pytest.raises(SystemExit):
            settings({"SANIC_HOST": host, "ACTION_SERVER_TOKEN": ""})


@pytest.mark.model
def test_a_direct_call_without_the_token_is_refused(assistant):
    calls = {
        "no token": {},
        "wrong token": {"Authorization": "Bearer not-the-token"},
        "another scheme": {"Authorization": f"Basic {assistant.action_token}"},
    }
    for case, headers in calls.items():
        answer = requests.post(
            assistant.actions + "/webhook", json=ACTION_CALL, headers=headers, timeout=10
        )
        assert answer.status_code == 401, case
        assert "action_name" not in answer.text and "events" not in answer.text, case
        listed = requests.get(assistant.actions + "/actions", headers=headers, timeout=10)
        assert listed.status_code == 401, case
    assert requests.get(assistant.actions + "/health", timeout=10).status_code == 200


@pytest.mark.model
def test_rasa_sends_the_token_and_the_token_opens_the_server(assistant):
    good = {"Authorization": f"Bearer {assistant.action_token}"}
    listed = requests.get(assistant.actions + "/actions", headers=good, timeout=10)
    assert listed.status_code == 200
    assert {"name": "action_start_playbook"} in listed.json()
    # a custom action ran for this reply: Rasa's calls carry the token
    said = texts(assistant.say(sender(), ASKS["create_account"]))
    assert "Step 1 of" in said


@pytest.mark.model
def test_the_action_server_and_the_backend_listen_on_loopback_only(assistant):
    assert listening_hosts(_port(assistant.actions)) == {"127.0.0.1"}
    assert listening_hosts(_port(assistant.backend.url)) == {"127.0.0.1"}


def _action_server(tmp_path: Path, env: Dict[str, str]):
    port = free_port()
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    log = tmp_path / "action-server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    return port, process, log


def test_the_action_server_will_not_listen_publicly_without_a_token(tmp_path):
    port, process, log = _action_server(
        tmp_path, {"SANIC_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": ""}
    )
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        stop([process])
    assert code not in (None, 0), log.read_text()[-2000:]
    assert "set ACTION_SERVER_TOKEN to listen on 0.0.0.0" in log.read_text()


def test_a_public_action_server_as_the_images_run_it_needs_the_token(tmp_path):
    env = {"SANIC_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": "image-token"}
    port, process, log = _action_server(tmp_path, env)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health", 60), log.read_text()[-2000:]
        assert listening_hosts(port) == {"0.0.0.0"}
        url = f"http://127.0.0.1:{port}/actions"
        assert requests.get(url, timeout=10).status_code == 401
        good = {"Authorization": "Bearer image-token"}
        assert requests.get(url, headers=good, timeout=10).status_code == 200
    finally:
        stop([process])
