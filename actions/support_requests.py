"""Support requests (human handoff): the conversation, masked, sent to the account backend,
with the address the user gave for the reply (if they chose to give one)."""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from common.identifiers import EMAIL, MAX_EMAIL
from common.masking import addresses, mask_text

_EMAIL = re.compile(EMAIL)

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


def contact_address_in(text: Optional[str]) -> Optional[str]:
    """The first email address in what the user typed, if it is one the backend accepts."""
    text = text or ""
    for start, stop in addresses(text, len(text)):
        found = text[start:stop]
        if len(found) <= MAX_EMAIL and _EMAIL.match(found):
            return found
    return None
