"""endpoints.yml and credentials.yml take their settings from the environment."""

from __future__ import annotations

import yaml
from rasa.utils.endpoints import read_endpoint_config

from tests.helpers import ROOT


def test_the_action_endpoint_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions.internal:9000/webhook")
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.url == "http://actions.internal:9000/webhook"


def test_every_channel_is_registered_without_secrets_in_the_file():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert set(credentials) == {
        "channels.rest.CheckedRestInput",
        "channels.socketio.WidgetSocketIOInput",
        "channels.slack.SlackChannel",
        "channels.teams.TeamsChannel",
    }
    assert credentials["channels.socketio.WidgetSocketIOInput"]["session_persistence"] is True
    assert credentials["channels.slack.SlackChannel"] is None
    assert credentials["channels.teams.TeamsChannel"] is None
