"""The endpoint and channel files: deploy/endpoints.yml and credentials.yml take their settings
from the environment; endpoints.yml works for the Rasa CLI with nothing set."""

from __future__ import annotations

import re
import subprocess

import yaml
from rasa.utils.endpoints import read_endpoint_config

from rasa_plugins.tracker_store import DEFAULT_URL, database_url
from tests.helpers import ROOT

ENV_FILE = ROOT / "deploy" / "endpoints.yml"
CLI_FILE = ROOT / "endpoints.yml"
ENV_VARIABLES = ("ACTION_ENDPOINT_URL", "TRACKER_DB_URL", "LOCK_STORE_TYPE", "REDIS_HOST")


def test_the_action_endpoint_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions.internal:9000/webhook")
    endpoint = read_endpoint_config(str(ENV_FILE), "action_endpoint")
    assert endpoint.url == "http://actions.internal:9000/webhook"


def test_the_cli_endpoints_load_with_no_variable_set(monkeypatch):
    for name in ENV_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert read_endpoint_config(str(CLI_FILE), "action_endpoint").url == (
        "http://localhost:5055/webhook"
    )
    store = read_endpoint_config(str(CLI_FILE), "tracker_store")
    assert store.type == yaml.safe_load(ENV_FILE.read_text())["tracker_store"]["type"]
    assert database_url(store.url, {}) == DEFAULT_URL


def test_the_cli_defaults_are_the_embedded_defaults_of_scripts_env_sh():
    env = (ROOT / "scripts" / "env.sh").read_text()
    assert f'TRACKER_DB_URL="${{TRACKER_DB_URL:-{DEFAULT_URL}}}"' in env
    assert re.search(r"ACTION_ENDPOINT_URL=.*localhost:\$\{ACTION_PORT:-5055\}/webhook", env)
    assert 'LOCK_STORE_TYPE="${LOCK_STORE_TYPE:-in_memory}"' in env


def test_the_tracker_store_url_comes_from_the_file_then_the_environment():
    assert database_url("postgresql://db/x", {"TRACKER_DB_URL": "sqlite:///a.db"}) == (
        "postgresql://db/x"
    )
    assert database_url(None, {"TRACKER_DB_URL": "sqlite:////tmp/b.db"}) == "sqlite:////tmp/b.db"


def test_rasa_loads_the_project_plugins_from_the_project_root_without_pythonpath():
    """`rasa` puts the working directory on sys.path, as `rasa shell` from the root needs."""
    code = (
        "import os, sys; sys.path.insert(1, os.getcwd());"
        "from rasa.shared.utils.common import class_from_module_path as load;"
        "print(load('rasa_plugins.tracker_store.ResilientSQLTrackerStore').__name__)"
    )
    venv_python = ROOT / ".venv" / "bin" / "python"
    found = subprocess.run(
        [str(venv_python), "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert found.stdout.strip() == "ResilientSQLTrackerStore", found.stderr[-2000:]


def test_every_channel_is_registered_without_secrets_in_the_file():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert set(credentials) == {
        "rasa_plugins.channels.rest.CheckedRestInput",
        "rasa_plugins.channels.socketio.WidgetSocketIOInput",
        "rasa_plugins.channels.slack.SlackChannel",
        "rasa_plugins.channels.teams.TeamsChannel",
    }
    assert (
        credentials["rasa_plugins.channels.socketio.WidgetSocketIOInput"]["session_persistence"]
        is True
    )
    assert credentials["rasa_plugins.channels.slack.SlackChannel"] is None
    assert credentials["rasa_plugins.channels.teams.TeamsChannel"] is None
