from __future__ import annotations

import time

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


def test_a_long_adversarial_text_is_cut_before_it_is_masked():
    started = time.process_time()
    lines = support_requests.transcript([{"event": "user", "text": "a" * 45_000}] * 3)
    assert time.process_time() - started < 1.0  # was 5.4 s per text with mask-then-cut
    assert [len(line["text"]) for line in lines] == [support_requests.MAX_TEXT] * 3


def test_an_address_across_the_cut_is_still_masked():
    text = "x" * (support_requests.MAX_TEXT - 5) + " account1@outlook.com"
    (line,) = support_requests.transcript([{"event": "user", "text": text}])
    assert line["text"].endswith(" a***")
    assert "acc" not in line["text"]


def test_a_button_press_shows_its_title_not_its_payload():
    payload = '/next_step{"question": "5cced6f0"}'
    events = [
        {
            "event": "bot",
            "text": "Step 1 of 2: ...",
            "data": {"buttons": [{"title": "Next step", "payload": payload}]},
        },
        {"event": "user", "text": payload},
        {"event": "user", "text": "/deny"},  # no button showed it: kept as it came
    ]
    assert [line["text"] for line in support_requests.transcript(events)[1:]] == [
        "[Next step]",
        "/deny",
    ]
