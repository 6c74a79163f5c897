from __future__ import annotations

import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# The key of the stored digests (common/conversation.py), for this process and every server
# the tests start, when pytest runs without scripts/env.sh.
os.environ.setdefault("DIGEST_SECRET", "test-digest-secret")

from tools.cluster import start_cluster
from tools.servers import MODEL, ROOT, backend_env, start_assistant, start_backend, stop


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database: a SQLite file, and PostgreSQL when the test command started one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL is not available (TEST_POSTGRES_URL unset)")
    from retention.stores import connect

    engine = connect(url)
    with engine.begin() as connection:
        for table in (
            "events",
            "support_requests",
            "lookup_attempts",
            "analytics_conversations",
            "analytics_steps",
            "review_items",
            "analytics_progress",
        ):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory):
    """The real account backend on a fresh SQLite database with the demo accounts."""
    backend, process = start_backend(tmp_path_factory.mktemp("backend"))
    yield backend
    stop([process])


@pytest.fixture(scope="session")
def backend(sqlite_backend):
    return sqlite_backend


@pytest.fixture
def backend_settings(backend, monkeypatch):
    """Points the action code in this process at the running backend."""
    for key, value in backend_env(backend).items():
        monkeypatch.setenv(key, value)
    return backend


@pytest.fixture(scope="session")
def assistant(backend, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test trains it)")
    assistant, processes = start_assistant(tmp_path_factory.mktemp("assistant"), backend)
    yield assistant
    stop(processes)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def any_backend(request, tmp_path_factory):
    """The backend on SQLite, and on PostgreSQL when the test command could start one."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_backend")
        return
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL is not available (TEST_POSTGRES_URL unset)")
    backend, process = start_backend(tmp_path_factory.mktemp("backend-pg"), db_url=url)
    yield backend
    stop([process])


@pytest.fixture(scope="session")
def agent():
    """The trained model loaded in this process (patches applied), for tests that compare
    parts of a turn without servers."""
    from rasa.core.agent import Agent

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test trains it)")
    return Agent.load(str(MODEL))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """The cluster profile (scripts/cluster.sh) on free loopback ports, for the whole run."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test trains it)")
    cluster = start_cluster(tmp_path_factory.mktemp("cluster"))
    yield cluster
    cluster.script("stop")


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
    """make(status, body, delay) -> the URL of a stand-in backend, for faults the real one
    cannot be made to show (slow answers, 5xx, wrong shapes)."""
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


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium for the browser tests, installed by scripts/browser.sh when missing."""
    found = subprocess.run(
        ["bash", "scripts/browser.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if found.returncode != 0:
        pytest.fail("no Chromium for the browser test: " + found.stderr[-2000:])
    return found.stdout.strip()


@pytest.fixture
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()
