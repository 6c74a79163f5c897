from __future__ import annotations

from actions import support_requests


def test_transcript_keeps_user_and_bot_text_masked_and_bounded():
    events = [{"event": "user", "text": f"turn {i} x@example.org"} for i in range(250)]
    events += [{"event": "slot", "name": "topic", "value": "x"}, {"event": "bot", "text": ""}]
    lines = support_requests.transcript(events)
    assert len(lines) == support_requests.MAX_TURNS
    assert lines[-1] == {"from": "user", "text": "turn 249 x***@example.org"}


def test_long_text_is_cut():
    lines = support_requests.transcript([{"event": "user", "text": "a" * 50_000}])
    assert len(lines[0]["text"]) == support_requests.MAX_TEXT
