"""`make chat`'s script (scripts/chat.sh) in a real pseudo-terminal: a question gets its answer,
`/stop` leaves no server behind, and neither does a terminal that goes away without a signal to
the script (its watcher stops the servers)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from account_backend import identity
from tests.helpers import listening_hosts, process_stats
from tools.servers import ROOT, free_port

pytestmark = pytest.mark.model

STRAY_SECRET = "chat-script-test-secret"
READY = "Bot loaded"  # rasa shell's prompt line, once the model is loaded
DOWN = "\x1b[B"  # the arrow key, in a button menu
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\r")


class Chat:
    """scripts/chat.sh on a pseudo-terminal, in its own session without a controlling terminal,
    as under tmux when `make` is the pane's process: closing the terminal sends it no signal."""

    def __init__(self, tmp: Path, **extra_env: str) -> None:
        self.ports = {"rasa": free_port(), "actions": free_port(), "backend": free_port()}
        env = {
            **os.environ,
            **extra_env,
            "RASA_PORT": str(self.ports["rasa"]),
            "ACTION_PORT": str(self.ports["actions"]),
            "ACCOUNT_BACKEND_URL": f"http://127.0.0.1:{self.ports['backend']}",
            "TRACKER_DB_URL": f"sqlite:///{tmp / 'tracker.db'}",
            "ACCOUNT_DB_URL": f"sqlite:///{tmp / 'accounts.db'}",
        }
        env.pop("ACTION_ENDPOINT_URL", None)  # derived from ACTION_PORT by scripts/env.sh
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            ["bash", "scripts/chat.sh"],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""

    def read_until(self, pattern: str, timeout: float) -> str:
        """What is shown from now until `pattern` (a regex) appears, escape sequences removed."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.screen[start:]):
            if time.monotonic() > deadline:
                shown = self.screen[start:][-3000:]
                raise AssertionError(f"{pattern!r} did not appear; the screen:\n{shown}")
            self.screen += _read(self.master)
        return self.screen[start:]

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close_terminal(self) -> None:
        os.close(self.master)
        self.master = -1

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.master >= 0:
            os.close(self.master)


def _read(fd: int) -> str:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        return ""
    try:
        data = os.read(fd, 65536)
    except OSError:  # the script and every process on the terminal are gone
        return ""
    return _ESCAPES.sub("", data.decode("utf-8", "replace"))


def listening(ports: Dict[str, int]) -> List[str]:
    """The names of the ports something still listens on."""
    return [name for name, port in ports.items() if listening_hosts(port)]


def session_processes(session: int) -> List[int]:
    """Processes still alive in the script's session (its servers and rasa shell)."""
    return [
        pid
        for pid, fields in process_stats()
        if int(fields[3]) == session and fields[0] != "Z"  # session id; not a zombie
    ]


def wait_until_gone(chat: Chat, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not session_processes(chat.process.pid) and not listening(chat.ports):
            return
        time.sleep(0.5)
    raise AssertionError(
        f"left running: ports {listening(chat.ports)}, "
        f"processes {session_processes(chat.process.pid)}"
    )


def started_chat(tmp: Path, **extra_env: str) -> Iterator[Chat]:
    started = Chat(tmp, **extra_env)
    try:
        started.read_until(READY, timeout=180)
        yield started
    finally:
        started.stop()


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[Chat]:
    """`make chat`: nobody signed in, even with a token for an account with an expired key left
    in the environment (scripts/chat.sh only passes one it minted for `SIGN_IN`)."""
    stray = identity.sign("ExpiredKeyDev", STRAY_SECRET, ttl_seconds=600)
    yield from started_chat(tmp_path, IDENTITY_SECRET=STRAY_SECRET, CHAT_IDENTITY_TOKEN=stray)


@pytest.fixture
def signed_in_chat(tmp_path: Path) -> Iterator[Chat]:
    """`make chat SIGN_IN=LegacyDev`: the demo account without a linked Microsoft account."""
    yield from started_chat(tmp_path, CHAT_AS="LegacyDev")


def test_a_question_is_answered_and_stop_leaves_nothing_running(chat: Chat) -> None:
    assert not {"rasa", "actions", "backend"} - set(listening(chat.ports))
    chat.press("my api key expired\r")
    step = chat.read_until(r"Type out your own message", timeout=60)
    assert "Step 1 of" in step and "API Keys" in step, step  # the API-key walk-through began
    assert "ci-push" not in step, step  # ExpiredKeyDev's expired key: the stray token was used
    assert "That worked" in step and "Still stuck" in step, step  # its buttons, as a menu
    chat.press(DOWN * 3 + "\r")  # the menu's last entry: type a message instead
    chat.read_until(r"Your input", timeout=30)
    chat.press("/stop\r")
    assert chat.process.wait(timeout=60) == 0
    wait_until_gone(chat, timeout=30)


def test_a_terminal_gone_without_a_signal_leaves_nothing_running(chat: Chat) -> None:
    chat.close_terminal()
    # The watcher looks once a second, then allows 5 s before it kills what is stuck.
    wait_until_gone(chat, timeout=60)
    assert chat.process.wait(timeout=10) is not None


def test_a_chat_signed_in_as_a_demo_account_gets_its_account_checked(
    signed_in_chat: Chat,
) -> None:
    assert "Signed in as LegacyDev" in signed_in_chat.screen
    signed_in_chat.press("I forgot my nuget password\r")
    answer = signed_in_chat.read_until(r"Type out your own message", timeout=60)
    # the check's finding for this account (password_only), not the general steps
    assert "No Microsoft account is linked to LegacyDev" in answer, answer
    choices = len(re.findall(r"^\W*\d+: ", answer, flags=re.MULTILINE))
    signed_in_chat.press(DOWN * choices + "\r")  # the menu's last entry: type a message
    signed_in_chat.read_until(r"Your input", timeout=30)
    signed_in_chat.press("/stop\r")
    assert signed_in_chat.process.wait(timeout=60) == 0


def test_a_chat_as_an_unknown_account_starts_nothing(tmp_path: Path) -> None:
    chat = Chat(tmp_path, CHAT_AS="NoSuchDemoAccount")
    try:
        assert chat.process.wait(timeout=60) == 2
        chat.read_until("name one demo account: .*LegacyDev", timeout=5)
        assert not listening(chat.ports)
    finally:
        chat.stop()
