from __future__ import annotations

import json
import logging
import time

from common.logs import MAX_VALUE, log_event


def test_log_lines_are_json_and_masked(caplog):
    logger = logging.getLogger("test.logs")
    with caplog.at_level(logging.INFO, logger="test.logs"):
        log_event(logger, "checked", topic="delete_account", error="bad x@example.org", n=None)
    line = json.loads(caplog.records[0].getMessage())
    assert line == {
        "event": "checked",
        "topic": "delete_account",
        "error": "bad x***@example.org",
        "n": None,
    }


def test_disabled_level_writes_nothing(caplog):
    logger = logging.getLogger("test.quiet")
    with caplog.at_level(logging.WARNING, logger="test.quiet"):
        log_event(logger, "detail", value="x")
    assert caplog.records == []


def test_long_values_are_cut_before_they_are_masked(caplog):
    logger = logging.getLogger("test.long")
    value = "a" * 1_000_000 + " x@example.org"
    started = time.process_time()
    with caplog.at_level(logging.INFO, logger="test.long"):
        log_event(logger, "long", value=value, near="y" * (MAX_VALUE - 3) + " x@example.org")
    assert time.process_time() - started < 1.0
    line = json.loads(caplog.records[0].getMessage())
    assert line["value"] == "a" * MAX_VALUE
    assert line["near"].endswith(" x*") and "x@" not in line["near"]
