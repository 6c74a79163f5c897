"""Support requests (human handoff): the conversation, masked, sent to the account backend,
with the address the user gave for the reply (if they chose to give one)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Optional

from common.identifiers import EMAIL, MAX_EMAIL
from common.masking import addresses, mask_text

_EMAIL = re.compile(EMAIL)
_SPELLED_OUT = re.compile(r"\w\s*[\[(]?\s*at\s*[\])]?\s+\w+\s*[\[(]?\s*dot\s*[\])]?\s*\w")

MAX_TURNS = 200  # the newest turns are enough for support; bounds the record size
MAX_TEXT = 2000


def _said(text: str, pressed: Dict[str, str]) -> str:
    """A button press as the user saw it ("[Next step]"), not as its payload."""
    return f"[{pressed[text]}]" if text in pressed else text


def transcript(events: Iterable[Dict[str, Any]]) -> List[Dict[str, str]]:
    """User and bot texts of a tracker's events, emails masked, newest MAX_TURNS kept; a
    button press shows the button's title.

    Each text is cut to MAX_TEXT as it is masked (mask_text's `limit`), so a long message costs
    no more than a short one."""
    lines, pressed = [], {}
    for event in events:
        kind, text = event.get("event"), str(event.get("text") or "")
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            pressed.update({str(b.get("payload")): str(b.get("title")) for b in buttons})
        if kind in ("user", "bot") and text:
            said = _said(text, pressed) if kind == "user" else text
            lines.append({"from": kind, "text": mask_text(said, limit=MAX_TEXT)})
    return lines[-MAX_TURNS:]


def contact_address_in(text: Optional[str]) -> Optional[str]:
    """The first email address in what the user typed, if it is one the backend accepts
    (full-width forms, as some keyboards type them, read as the address they show)."""
    text = text or ""
    for start, stop in addresses(text, len(text)):
        found = unicodedata.normalize("NFKC", text[start:stop])
        if len(found) <= MAX_EMAIL and _EMAIL.match(found):
            return found
    return None


def tried_an_address(text: Optional[str]) -> bool:
    """The text tries to be an address ("bob@@example.com", "bob at example dot com"): a
    typo to ask about again, not a way out of the question."""
    typed = unicodedata.normalize("NFKC", text or "").lower()
    return "@" in typed or bool(_SPELLED_OUT.search(typed))
