"""Loads the topic playbooks (playbooks/*.yml): the one place each topic's steps live.

A playbook has named paths. A path shows an intro, then its steps one at a time, then
ends in one of: a "Did that work?" check (default), a choice between further paths
(`choices`), a jump to another playbook (`then`), or a support-request offer (`end: handoff`).
Addresses are written as {name} and filled from playbooks/links.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

PLAYBOOK_DIR = FsPath(__file__).resolve().parent.parent / "playbooks"
HANDOFF = "handoff"
DONE = "done"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class PlaybookError(ValueError):
    """A playbook file is malformed or points at something that does not exist."""


@dataclass(frozen=True)
class Choice:
    title: str
    goto: str  # "topic", "topic/path" or "handoff"


@dataclass(frozen=True)
class StuckHelp:
    text: str
    choices: Tuple[Choice, ...]


@dataclass(frozen=True)
class Step:
    text: str
    stuck: Optional[StuckHelp] = None


@dataclass(frozen=True)
class Path:
    name: str
    intro: Optional[str]
    steps: Tuple[Step, ...]
    done: Optional[str] = None
    choices_text: Optional[str] = None
    choices: Tuple[Choice, ...] = ()
    then: Optional[str] = None
    end: Optional[str] = None
    stuck: Optional[StuckHelp] = None

    @property
    def asks_outcome(self) -> bool:
        """True when the last step ends the path with "Did that work?"."""
        return not (self.choices or self.then or self.end)


@dataclass(frozen=True)
class Finding:
    """What to say about one account state the diagnosis found, and where to go next."""

    say: str
    goto: Optional[str] = None
    choices: Tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Playbook:
    topic: str
    title: str
    faq_section: str
    paths: Mapping[str, Path] = field(default_factory=dict)
    check: Optional[str] = None  # what the account check looks at (actions/account_check.py)
    ask: Optional[str] = None  # asked first when the check needs an identifier from the user
    findings: Mapping[str, Finding] = field(default_factory=dict)


def fill_links(text: str, links: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in links:
            raise PlaybookError(f"unknown link {{{name}}}")
        return links[name]

    return _PLACEHOLDER.sub(replace, " ".join(text.split()))


def _choices(raw: Any, links: Mapping[str, str]) -> Tuple[Choice, ...]:
    return tuple(Choice(title=c["title"], goto=c["goto"]) for c in raw or ())


def _stuck(raw: Optional[Dict[str, Any]], links: Mapping[str, str]) -> Optional[StuckHelp]:
    if not raw:
        return None
    return StuckHelp(text=fill_links(raw["text"], links), choices=_choices(raw["choices"], links))


def _step(raw: Any, links: Mapping[str, str]) -> Step:
    if isinstance(raw, str):
        return Step(text=fill_links(raw, links))
    return Step(text=fill_links(raw["text"], links), stuck=_stuck(raw.get("stuck"), links))


def _optional_text(raw: Dict[str, Any], key: str, links: Mapping[str, str]) -> Optional[str]:
    return fill_links(raw[key], links) if raw.get(key) else None


def _path(name: str, raw: Dict[str, Any], links: Mapping[str, str]) -> Path:
    return Path(
        name=name,
        intro=_optional_text(raw, "intro", links),
        steps=tuple(_step(s, links) for s in raw.get("steps", ())),
        done=_optional_text(raw, "done", links),
        choices_text=_optional_text(raw, "choices_text", links),
        choices=_choices(raw.get("choices"), links),
        then=raw.get("then"),
        end=raw.get("end"),
        stuck=_stuck(raw.get("stuck"), links),
    )


def _finding(raw: Dict[str, Any], links: Mapping[str, str]) -> Finding:
    return Finding(
        say=fill_links(raw["say"], links),
        goto=raw.get("goto"),
        choices=_choices(raw.get("choices"), links),
    )


def parse_playbook(raw: Dict[str, Any], links: Mapping[str, str]) -> Playbook:
    paths = {name: _path(name, body, links) for name, body in raw["paths"].items()}
    if "main" not in paths:
        raise PlaybookError(f"playbook {raw['topic']} has no 'main' path")
    findings = {name: _finding(body, links) for name, body in (raw.get("findings") or {}).items()}
    for name, finding in findings.items():
        if bool(finding.goto) == bool(finding.choices):
            raise PlaybookError(f"finding {name} needs either goto or choices")
    if raw.get("ask") and not raw.get("check"):
        raise PlaybookError(f"playbook {raw['topic']}: `ask` needs a `check`")
    return Playbook(
        topic=raw["topic"],
        title=raw["title"],
        faq_section=raw["faq_section"],
        paths=paths,
        ask=_optional_text(raw, "ask", links),
        check=raw.get("check"),
        findings=findings,
    )


def load_links(directory: FsPath = PLAYBOOK_DIR) -> Dict[str, str]:
    return yaml.safe_load((directory / "links.yml").read_text(encoding="utf-8"))


def load_playbooks(directory: FsPath = PLAYBOOK_DIR) -> Dict[str, Playbook]:
    links = load_links(directory)
    books: Dict[str, Playbook] = {}
    for file in sorted(directory.glob("*.yml")):
        if file.name == "links.yml":
            continue
        book = parse_playbook(yaml.safe_load(file.read_text(encoding="utf-8")), links)
        if book.topic != file.stem:
            raise PlaybookError(f"{file.name} declares topic {book.topic}")
        books[book.topic] = book
    _check_targets(books)
    return books


def split_target(target: str) -> Tuple[str, str]:
    topic, _, path = target.partition("/")
    return topic, path or "main"


def _targets(book: Playbook):
    for finding in book.findings.values():
        yield from ([finding.goto] if finding.goto else [])
        yield from (c.goto for c in finding.choices)
    for path in book.paths.values():
        yield from (c.goto for c in path.choices)
        if path.then:
            yield path.then
        for help_ in [path.stuck] + [s.stuck for s in path.steps]:
            yield from (c.goto for c in help_.choices) if help_ else ()


def _check_targets(books: Mapping[str, Playbook]) -> None:
    for book in books.values():
        for target in _targets(book):
            if target in (HANDOFF, DONE):
                continue
            topic, path = split_target(target)
            if topic not in books or path not in books[topic].paths:
                raise PlaybookError(f"{book.topic} points at unknown {target}")


@lru_cache(maxsize=1)
def playbooks() -> Dict[str, Playbook]:
    """The playbooks of this project, loaded once per process."""
    return load_playbooks()


def account_topics() -> Tuple[str, ...]:
    """Every topic the assistant walks through: one per playbook file."""
    return tuple(playbooks())
