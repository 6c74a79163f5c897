from __future__ import annotations

import json
import logging

from common.logs import log_event


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
