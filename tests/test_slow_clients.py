"""Slow clients against every server: one that sends a request's headers, or its body, a byte
at a time is cut off (a 408 or a closed connection) within a bounded time instead of holding a
connection for as long as it likes; a request that is merely a little slow is still served.
Real sockets against the real servers: Rasa, the action server, the account backend, the
help site and the team console (common/request_deadlines.py has the bounds)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Optional, Tuple
from urllib.parse import urlsplit

import pytest
import requests

from common.request_deadlines import BODY_SECONDS, HEADER_SECONDS
from help_site.server import make_server
from tests.helpers import ROOT
from tests.log_watch import LogWatch, server_logs
from tools.servers import free_port, stop

GAP = 0.5  # seconds between two bytes of a slow client
SLACK = 4.0  # a server checks its deadlines every few seconds
GIVE_UP = BODY_SECONDS + 2 * SLACK
BODY = b'{"sender": "slow", "message": "' + b"x" * 2_000 + b'"}'


def _address(url: str) -> Tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _cut_off(address, first: bytes, dripped: Iterable[bytes]) -> Optional[Tuple[float, bytes]]:
    """Sends `first`, then `dripped` a piece every GAP seconds: (seconds until the server
    answered or closed, its answer), or None if it was still listening after GIVE_UP."""
    with socket.create_connection(address, timeout=5) as sock:
        sock.settimeout(GAP)
        started = time.monotonic()
        sock.sendall(first)
        for piece in dripped:
            if time.monotonic() - started > GIVE_UP:
                return None
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                answer = None
            except OSError:
                answer = b""
            if answer is not None:
                return time.monotonic() - started, answer
            try:
                sock.sendall(piece)
            except OSError:
                return time.monotonic() - started, b""
    return None


def _pieces(data: bytes, size: int = 1) -> Iterable[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def _head(path: str, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{extra}"
    ).encode()


def slow_headers(address, path: str):
    endless = (b"a" for _ in range(10_000))
    return _cut_off(address, _head(path) + b"X-Slow: ", endless)


def slow_body(address, path: str, extra: str = ""):
    head = _head(path, f"{extra}Content-Length: {len(BODY)}\r\n\r\n")
    return _cut_off(address, head, _pieces(BODY))


def merely_slow(address, path: str, extra: str = "") -> bytes:
    """The whole request in four pieces over about 1.5 s: served, not cut off."""
    request = _head(path, f"{extra}Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n")
    request += BODY
    with socket.create_connection(address, timeout=30) as sock:
        for piece in _pieces(request, len(request) // 4 + 1):
            sock.sendall(piece)
            time.sleep(0.5)
        return sock.recv(65536)


def check(address, path: str, extra: str = "") -> None:
    with ThreadPoolExecutor(3) as pool:
        headers = pool.submit(slow_headers, address, path)
        body = pool.submit(slow_body, address, path, extra)
        served = pool.submit(merely_slow, address, path, extra)
        results = {"headers": headers.result(), "body": body.result()}
        answer = served.result()
    print(f"\n{address}: {results}")
    for phase, bound in (("headers", HEADER_SECONDS), ("body", BODY_SECONDS)):
        found = results[phase]
        assert found is not None, f"slow {phase}: still connected after {GIVE_UP} s"
        elapsed, answer_of_slow = found
        assert elapsed <= bound + SLACK, f"slow {phase}: cut off only after {elapsed:.1f} s"
        status = answer_of_slow.split(b"\r\n", 1)[0]
        assert answer_of_slow == b"" or b" 408 " in status + b" ", status
    assert b" 408 " not in answer.split(b"\r\n", 1)[0] + b" ", answer[:200]
    assert answer.startswith(b"HTTP/1."), answer[:200]


@pytest.mark.model
def test_rasa_cuts_off_slow_clients(assistant):
    watch = LogWatch(server_logs(assistant))
    check(_address(assistant.url), "/webhooks/rest/webhook")
    assert assistant.is_up()
    assert watch.error_lines() == []


@pytest.mark.model
def test_the_action_server_cuts_off_slow_clients(assistant):
    watch = LogWatch(server_logs(assistant))
    check(_address(assistant.actions), "/webhook")
    assert watch.error_lines() == []


def test_the_account_backend_cuts_off_slow_clients(backend):
    watch = LogWatch([backend.log])
    token = f"Authorization: Bearer {backend.token}\r\n"
    check(_address(backend.url), "/v1/support-requests", token)
    assert backend.get("/health").status_code == 200
    assert watch.error_lines() == []


@pytest.fixture
def help_site():
    server = make_server("127.0.0.1", 0, "http://localhost:5005")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ("127.0.0.1", server.server_address[1])
    server.shutdown()


def test_the_help_site_cuts_off_slow_clients(help_site):
    # It serves GET only: a body is never waited for, slow headers are the danger.
    found = slow_headers(help_site, "/")
    assert found is not None, f"slow headers: still connected after {GIVE_UP} s"
    assert found[0] <= HEADER_SECONDS + SLACK
    assert slow_body(help_site, "/")[0] <= SLACK
    with socket.create_connection(help_site, timeout=10) as sock:
        for piece in (b"GET / HTTP/1.0\r\n", b"Host: localhost\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(0.5)
        assert sock.recv(64).startswith(b"HTTP/1.0 200")


@pytest.fixture
def team_console(tmp_path):
    """`python -m team_console` as `make console` runs it, on a free port and an empty
    tracker database: (address, log file)."""
    port, log = free_port(), tmp_path / "console.log"
    env = {
        **os.environ,
        "TEAM_CONSOLE_PASSWORD": "slow-clients-test",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
    }
    command = [sys.executable, "-m", "team_console", "--port", str(port)]
    with log.open("w") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    url = f"http://127.0.0.1:{port}/login"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop([process])
            pytest.fail("the team console did not start: " + log.read_text()[-2000:])
        time.sleep(0.2)
    yield ("127.0.0.1", port), log
    stop([process])


def test_the_team_console_cuts_off_slow_clients(team_console):
    address, log = team_console
    watch = LogWatch([log])
    check(address, "/login")
    assert requests.get(f"http://{address[0]}:{address[1]}/login", timeout=5).status_code == 200
    assert watch.error_lines() == []
