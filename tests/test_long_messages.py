"""Long and oversized messages against the real servers: one conversation's message does not
hold up the others."""

from __future__ import annotations

import threading
import time

import pytest

from tests.bad_inputs import SLOW_TO_MASK
from tests.test_conversations import ASKS, sender, texts

pytestmark = pytest.mark.model

# Other conversations' turns take milliseconds; seconds mean the action server was blocked.
# Generous, since CI machines are shared.
PROMPT = 2.0


def timed_turn(assistant) -> float:
    """Seconds for a new conversation's first turn, which runs a custom action."""
    started = time.monotonic()
    replies = assistant.say(sender(), ASKS["recover_password_login"])
    assert texts(replies), replies
    return time.monotonic() - started


def test_a_long_message_in_a_support_request_does_not_hold_up_others(assistant):
    user = sender()
    assistant.say(user, SLOW_TO_MASK[0])  # 45,000 characters
    assert "support request" in texts(assistant.say(user, "talk to a person"))
    opened = {}
    request = threading.Thread(target=lambda: opened.update(replies=assistant.say(user, "yes")))
    started = time.monotonic()
    request.start()
    others = [timed_turn(assistant)]
    while request.is_alive():
        others.append(timed_turn(assistant))
    request.join()
    print(f"\nsupport request in {time.monotonic() - started:.2f} s; other turns {others}")
    assert "NGS-" in texts(opened["replies"])
    assert max(others) < PROMPT, others
