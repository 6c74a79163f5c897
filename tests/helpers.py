"""Shared test helpers: the project root and its knowledge base (knowledge/), read as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

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


def listening_hosts(port: int) -> set:
    """The local addresses a TCP port listens on in this network namespace (/proc/net)."""
    import socket

    found = set()
    for name, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)  # 32-bit words in host (little-endian) order
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, words))
    return found


def process_stats() -> Iterator[Tuple[int, List[str]]]:
    """Every live process's /proc/<pid>/stat fields after the command name: state first, then
    ppid, process group, session (a process that ends while being read is skipped)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue


def feedback_buttons() -> list:
    """The "Did this help?" buttons as the actions send them, each naming its question."""
    from actions import questions
    from actions.engine import FEEDBACK, THUMBS_DOWN, THUMBS_UP, State

    asked = questions.question_of(State(topic="create_account", path="main", awaiting=FEEDBACK))
    return [
        {"title": t, "payload": questions.tagged(p, asked)} for t, p in (THUMBS_UP, THUMBS_DOWN)
    ]


def parsed_payload(text: str) -> tuple:
    """What Rasa makes of a message that is a button's payload: (intent, {entity: value}),
    checked against the domain."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    domain = Domain.load(ROOT / "domain.yml")
    message = YAMLStoryReader.unpack_regex_message(Message(data={"text": text}), domain)
    entities = {e["entity"]: e["value"] for e in message.get("entities") or []}
    return (message.get("intent") or {}).get("name"), entities
