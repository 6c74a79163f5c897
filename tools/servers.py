"""Starts the real action server and Rasa server for conversation tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from tools.wait_for import wait_for

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
IDENTITY_SECRET = "test-identity-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Backend:
    url: str
    token: str
    log: Path

    def get(self, path: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.get(self.url + path, headers=headers, timeout=10)


@dataclass
class Assistant:
    """A REST client for the running assistant."""

    url: str
    backend: Backend
    logs: List[Path]
    actions: str = ""  # the action server's base URL, where known
    action_token: str = ""  # what Rasa sends the action server (ACTION_SERVER_TOKEN)

    def say(
        self, sender: str, text: str, metadata: Optional[dict] = None, timeout: float = 30
    ) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def is_up(self) -> bool:
        return requests.get(self.url, timeout=5).status_code == 200


def _start(command: List[str], log: Path, env: Dict[str, str]) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def backend_env(backend: Backend) -> Dict[str, str]:
    return {"ACCOUNT_BACKEND_URL": backend.url, "ACCOUNT_BACKEND_TOKEN": backend.token}


# endpoints.yml's variables that scripts/env.sh sets for the embedded default (pytest may run
# without it).
EMBEDDED_DEFAULTS = {
    "LOCK_STORE_TYPE": "in_memory",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
}

# The test conversations sign in as the same few demo users many times within minutes, and
# all come from one address: the per-client budgets are lifted for them (and the support
# requests' total, which the fuzzing alone passes); the per-conversation budgets stay the
# defaults.
TEST_LIMITS = {
    "LOOKUP_LIMIT_PER_CLIENT": "100000",
    "SUPPORT_LIMIT_PER_CLIENT": "100000",
    "SUPPORT_LIMIT_TOTAL": "100000",
}
# Benchmarks replay the same accounts thousands of times: no limits, or the measured
# conversations would turn into "limit reached" replies.
NO_LIMITS = {
    "LOOKUP_LIMIT_PER_CLIENT": "1000000000",
    "LOOKUP_LIMIT_TOTAL": "1000000000",
    "LOOKUP_LIMIT_PER_CONVERSATION": "1000000000",
    "SUPPORT_LIMIT_PER_CLIENT": "1000000000",
    "SUPPORT_LIMIT_TOTAL": "1000000000",
    "SUPPORT_LIMIT_PER_CONVERSATION": "1000000000",
}


def start_backend(
    workdir: Path, db_url: Optional[str] = None, limits: Optional[Dict[str, str]] = None
):
    """Starts the account backend on a fresh database; returns (Backend, process).

    `limits`: LOOKUP_* and SUPPORT_* variables (account_backend/rate_limit.py); default
    TEST_LIMITS."""
    port = free_port()
    token = "test-token-" + os.urandom(8).hex()
    env = {
        **os.environ,
        **(TEST_LIMITS if limits is None else limits),
        "ACCOUNT_BACKEND_TOKEN": token,
        "IDENTITY_SECRET": IDENTITY_SECRET,
        "ACCOUNT_DB_URL": db_url or f"sqlite:///{workdir / 'accounts.db'}",
    }
    log = workdir / "account-backend.log"
    process = _start(
        [sys.executable, "-m", "account_backend", "--port", str(port), "--reset"], log, env
    )
    backend = Backend(f"http://127.0.0.1:{port}", token, log)
    if not wait_for(backend.url + "/health", 30):
        stop([process])
        raise RuntimeError("account backend did not start: " + log.read_text()[-2000:])
    return backend, process


def start_assistant(workdir: Path, backend: Backend, extra_env: Optional[Dict[str, str]] = None):
    """Starts both servers; returns (Assistant, processes). Raises if one does not come up.

    `extra_env` adds variables for both servers (e.g. a channel's settings)."""
    action_port, rasa_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"  # read by the project's endpoints.yml
    action_token = "test-action-token-" + os.urandom(8).hex()  # a new one per start
    env = {
        **EMBEDDED_DEFAULTS,
        **os.environ,
        **backend_env(backend),
        "ACTION_ENDPOINT_URL": action_url,
        "ACTION_SERVER_TOKEN": action_token,
        "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",  # a fresh one per start
    }
    env.update(extra_env or {})
    bin_dir = Path(sys.executable).parent
    logs = [workdir / "action-server.log", workdir / "rasa.log"]
    processes = [
        _start(
            [
                str(bin_dir / "python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(action_port),
            ],
            logs[0],
            env,
        ),
        _start(
            [
                str(bin_dir / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                str(ROOT / "deploy" / "endpoints.yml"),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
            ],
            logs[1],
            env,
        ),
    ]
    assistant = Assistant(
        f"http://127.0.0.1:{rasa_port}",
        backend,
        logs,
        f"http://127.0.0.1:{action_port}",
        env["ACTION_SERVER_TOKEN"],
    )
    if not (
        wait_for(f"http://127.0.0.1:{action_port}/health", 60) and wait_for(assistant.url, 120)
    ):
        stop(processes)
        raise RuntimeError(
            "servers did not start: " + " ".join(p.read_text()[-2000:] for p in logs)
        )
    return assistant, processes


def stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
