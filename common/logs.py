"""Structured log lines: one JSON object per event, with no personal data in it.

Callers pass only ids, names and counts; `mask_text` runs over every value anyway, so an
email address that slips in is masked before it is written. Each value is cut to MAX_VALUE
characters as it is masked, so a huge value (a user's text in an error) costs no more than
a short one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from common.masking import mask_text

MAX_VALUE = 1_000  # characters of one logged value


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    if not logger.isEnabledFor(level):
        return
    safe = {
        key: mask_text(str(value), limit=MAX_VALUE) if value is not None else None
        for key, value in fields.items()
    }
    logger.log(level, json.dumps({"event": event, **safe}, sort_keys=True))
