"""Support requests (human handoff): the conversation, masked, sent to the account backend."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from common.masking import mask_text

MAX_TURNS = 200  # the newest turns are enough for support; bounds the record size
MAX_TEXT = 2000


def transcript(events: Iterable[Dict[str, Any]]) -> List[Dict[str, str]]:
    """User and bot texts of a tracker's events, emails masked, newest MAX_TURNS kept.

    Each text is cut to MAX_TEXT as it is masked (mask_text's `limit`), so a long message costs
    no more than a short one."""
    lines = [
        {"from": e["event"], "text": mask_text(str(e.get("text") or ""), limit=MAX_TEXT)}
        for e in events
        if e.get("event") in ("user", "bot") and e.get("text")
    ]
    return lines[-MAX_TURNS:]
