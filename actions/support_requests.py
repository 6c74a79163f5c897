"""Support requests (human handoff): a masked transcript stored with a reference to quote.

Stored in a local JSON-lines file for now (SUPPORT_REQUESTS_FILE, default
var/support_requests.jsonl); the account backend takes this over.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List

from actions.privacy import mask_text

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "var" / "support_requests.jsonl"
MAX_TURNS = 200  # the newest turns are enough for support; bounds the record size
MAX_TEXT = 2000


def transcript(events: Iterable[Dict[str, Any]]) -> List[Dict[str, str]]:
    """User and bot texts of a tracker's events, emails masked, newest MAX_TURNS kept."""
    lines = [
        {"from": e["event"], "text": mask_text(str(e.get("text") or ""))[:MAX_TEXT]}
        for e in events
        if e.get("event") in ("user", "bot") and e.get("text")
    ]
    return lines[-MAX_TURNS:]


def new_reference() -> str:
    return "NGS-" + secrets.token_hex(4).upper()


def record(topic: str | None, lines: List[Dict[str, str]]) -> str:
    """Store a support request and return its reference."""
    path = Path(os.environ.get("SUPPORT_REQUESTS_FILE", DEFAULT_FILE))
    path.parent.mkdir(parents=True, exist_ok=True)
    reference = new_reference()
    entry = {"reference": reference, "topic": topic, "created": time.time(), "transcript": lines}
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(entry) + "\n")
    return reference
