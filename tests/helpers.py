"""Shared test helpers: the project root and its knowledge base (knowledge/), read as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


SOURCES: Dict[str, Dict[str, Any]] = _load(KNOWLEDGE / "sources.yml")
TOPICS: Dict[str, Dict[str, Any]] = {
    path.stem: _load(path) for path in sorted((KNOWLEDGE / "topics").glob("*.yml"))
}
# Every topic the assistant walks through: one playbook, one intent and one NLU file each.
ACCOUNT_TOPICS = tuple(TOPICS)
# Conversation-level intents: what the user does rather than which account problem they have.
CONVERSATION_INTENTS = (
    "out_of_scope",
    "human_handoff",
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "bot_challenge",
)


def finding_says(topic: str, finding: str, **values: str) -> str:
    """What the assistant says for an account-check finding, from the topic's playbook."""
    from string import Template

    from actions.playbooks import playbooks

    return Template(playbooks()[topic].findings[finding].say).safe_substitute(values)


def first_step(topic: str, path: str = "main") -> str:
    """ "Step 1 of N" of a playbook path, as the assistant numbers it."""
    from actions.playbooks import playbooks

    return f"Step 1 of {len(playbooks()[topic].paths[path].steps)}"
