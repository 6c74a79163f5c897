"""Browser-facing surface: the widget channel refuses socket.io connections from pages not in
CORS_ORIGINS, and Rasa's HTTP API is not served."""

from __future__ import annotations

import pytest
import requests

from rasa_plugins.channels.socketio import allowed_origins
from tools.servers import start_assistant, stop

ALLOWED = "http://help.example.test"


def test_origins_are_read_from_a_space_or_comma_separated_list():
    assert allowed_origins("http://a.test, http://b.test/ http://c.test") == [
        "http://a.test",
        "http://b.test",
        "http://c.test",
    ]
    assert allowed_origins(None) == [] and allowed_origins("*") == []


@pytest.fixture(scope="module")
def guarded_assistant(backend, tmp_path_factory):
    env = {"CORS_ORIGINS": ALLOWED}
    assistant, processes = start_assistant(tmp_path_factory.mktemp("origins"), backend, env)
    yield assistant
    stop(processes)


def handshake(url: str, origin: str) -> requests.Response:
    """The first request of every socket.io connection (engine.io v4 polling handshake);
    the origin check applies to it as to a websocket upgrade."""
    return requests.get(
        url + "/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=10,
    )


@pytest.mark.model
def test_only_the_configured_origin_may_connect(guarded_assistant):
    accepted = handshake(guarded_assistant.url, ALLOWED)
    assert accepted.status_code == 200 and '"sid"' in accepted.text
    refused = handshake(guarded_assistant.url, "http://evil.example.test")
    assert refused.status_code == 400
    assert "not an accepted origin" in refused.text


@pytest.mark.model
def test_rasas_http_api_is_not_exposed(assistant):
    """`rasa run` without --enable-api: no tracker, model or status routes to reach."""
    for path in ("/status", "/conversations/someone/tracker", "/model/parse", "/domain"):
        method = requests.post if path == "/model/parse" else requests.get
        assert method(assistant.url + path, timeout=10).status_code == 404, path
