"""The help-site server: the page, the widget's config and socket.io client, safe headers."""

from __future__ import annotations

import threading

import pytest
import requests

from help_site.server import SOCKET_IO_CLIENT, content_security_policy, make_server


@pytest.fixture(scope="module")
def site():
    server = make_server("127.0.0.1", 0, "https://assistant.example.org")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_page_loads_the_config_the_client_and_the_widget(site):
    page = requests.get(site + "/", timeout=5)
    assert page.status_code == 200
    scripts = ['src="/config.js"', 'src="/vendor/socket.io.min.js"', 'src="/widget/widget.js"']
    positions = [page.text.index(script) for script in scripts]
    assert positions == sorted(positions)  # config before client before widget


def test_config_points_the_widget_at_the_configured_assistant(site):
    config = requests.get(site + "/config.js", timeout=5).text
    assert config == (
        'window.NuGetAssistantConfig = Object.assign({"socketUrl": "https://assistant.example.org"}'
        ", window.NuGetAssistantConfig);\n"
    )


def test_the_socket_io_client_is_the_one_installed_from_npm(site):
    served = requests.get(site + "/vendor/socket.io.min.js", timeout=5)
    assert served.content == SOCKET_IO_CLIENT.read_bytes()
    assert served.headers["Content-Type"].startswith("text/javascript")


def test_every_response_forbids_inline_and_foreign_scripts(site):
    for path in ("/", "/config.js", "/widget/widget.js", "/missing.html"):
        headers = requests.get(site + path, timeout=5).headers
        assert "script-src 'self';" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_missing_files_are_404_and_paths_cannot_leave_the_public_folder(site):
    assert requests.get(site + "/nope.js", timeout=5).status_code == 404
    leaked = requests.get(site + "/../server.py", timeout=5)
    assert "make_server" not in leaked.text


def test_folders_are_not_listed(site):
    for path in ("/widget/", "/widget", "/widget/?C=M;O=A"):
        answer = requests.get(site + path, timeout=5)
        assert answer.status_code == 404, path
        assert "widget.js" not in answer.text
        assert "Directory listing" not in answer.text
    assert requests.get(site + "/", timeout=5).status_code == 200  # index.html still served


def test_websocket_origin_of_the_assistant_is_allowed():
    policy = content_security_policy("https://bot.example.org:8443")
    assert "connect-src 'self' https://bot.example.org:8443 wss://bot.example.org:8443;" in policy
    assert "ws://localhost:5005" in content_security_policy("http://localhost:5005")
