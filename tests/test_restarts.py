"""The embedded default keeps conversations in the SQL tracker store (SQLite file): a user
mid-walk-through continues where they were after the assistant restarts."""

from __future__ import annotations

import pytest

from actions.playbooks import playbooks
from tests.test_conversations import sender, texts
from tools.servers import start_assistant, stop

pytestmark = pytest.mark.model


def test_a_conversation_survives_a_restart_of_the_assistant(backend, tmp_path):
    book = playbooks()["create_account"]
    steps = book.paths["main"].steps
    user = sender()
    assistant, processes = start_assistant(tmp_path, backend)
    try:
        first = texts(assistant.say(user, "how do I create a nuget account?"))
        assert steps[0].text in first
    finally:
        stop(processes)
    assert (tmp_path / "tracker.db").stat().st_size > 0

    assistant, processes = start_assistant(tmp_path, backend)  # same tracker database
    try:
        second = texts(assistant.say(user, "/next_step"))
    finally:
        stop(processes)
    assert steps[1].text in second
