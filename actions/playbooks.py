"""Loads the topic playbooks (playbooks/*.yml): the one place each topic's steps live.

A playbook has named paths. A path shows an intro, then its steps one at a time, then
ends in one of: a "Did that work?" check (default), a choice between further paths
(`choices`), a jump to another playbook (`then`), or a support-request offer (`end: handoff`).
Addresses are written as {name} and filled from the knowledge base's links; each path (and
each finding that states a fact) `cites` the knowledge facts it states. The title and FAQ
section of a topic are the knowledge file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import yaml

from actions.knowledge import Knowledge, KnowledgeError, knowledge

PLAYBOOK_DIR = FsPath(__file__).resolve().parent.parent / "playbooks"
HANDOFF = "handoff"
DONE = "done"
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
Links = Callable[[str], str]  # link name -> address


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
    # The step asks the user to type something (an error message, a username): whatever they
    # type is noted for a support request and the walk-through goes on (actions/typed_replies.py).
    reply: bool = False


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
    cites: Tuple[str, ...] = ()  # the knowledge facts its texts state

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
    cites: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Playbook:
    topic: str
    title: str
    faq_section: str
    paths: Mapping[str, Path] = field(default_factory=dict)
    check: Optional[str] = None  # what the account check looks at (actions/account_check.py)
    ask: Optional[str] = None  # asked first when the check needs an identifier from the user
    findings: Mapping[str, Finding] = field(default_factory=dict)


def fill_links(text: str, links: Links) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return links(match.group(1))
        except KnowledgeError as error:
            raise PlaybookError(str(error)) from None

    return _PLACEHOLDER.sub(replace, " ".join(text.split()))


def _choices(raw: Any) -> Tuple[Choice, ...]:
    return tuple(Choice(title=c["title"], goto=c["goto"]) for c in raw or ())


def _stuck(raw: Optional[Dict[str, Any]], links: Links) -> Optional[StuckHelp]:
    if not raw:
        return None
    return StuckHelp(text=fill_links(raw["text"], links), choices=_choices(raw.get("choices")))


def _step(raw: Any, links: Links) -> Step:
    if isinstance(raw, str):
        return Step(text=fill_links(raw, links))
    return Step(
        text=fill_links(raw["text"], links),
        stuck=_stuck(raw.get("stuck"), links),
        reply=bool(raw.get("reply")),
    )


def _optional_text(raw: Dict[str, Any], key: str, links: Links) -> Optional[str]:
    return fill_links(raw[key], links) if raw.get(key) else None


def _path(name: str, raw: Dict[str, Any], links: Links) -> Path:
    return Path(
        name=name,
        intro=_optional_text(raw, "intro", links),
        steps=tuple(_step(s, links) for s in raw.get("steps", ())),
        done=_optional_text(raw, "done", links),
        choices_text=_optional_text(raw, "choices_text", links),
        choices=_choices(raw.get("choices")),
        then=raw.get("then"),
        end=raw.get("end"),
        stuck=_stuck(raw.get("stuck"), links),
        cites=tuple(raw.get("cites") or ()),
    )


def _finding(raw: Dict[str, Any], links: Links) -> Finding:
    return Finding(
        say=fill_links(raw["say"], links),
        goto=raw.get("goto"),
        choices=_choices(raw.get("choices")),
        cites=tuple(raw.get("cites") or ()),
    )


def _check_cites(book: Playbook, known: Knowledge) -> None:
    cited = [c for p in book.paths.values() for c in p.cites]
    cited += [c for f in book.findings.values() for c in f.cites]
    for ref in cited:
        if known.fact(ref, book.topic) is None:
            raise PlaybookError(f"{book.topic} cites unknown fact {ref}")


def parse_playbook(raw: Dict[str, Any], known: Knowledge) -> Playbook:
    topic = raw["topic"]
    if topic not in known.topics:
        raise PlaybookError(f"playbook {topic} has no knowledge file")

    def links(name: str) -> str:
        return known.link(name, topic)

    paths = {name: _path(name, body, links) for name, body in raw["paths"].items()}
    if "main" not in paths:
        raise PlaybookError(f"playbook {topic} has no 'main' path")
    findings = {name: _finding(body, links) for name, body in (raw.get("findings") or {}).items()}
    for name, finding in findings.items():
        if bool(finding.goto) == bool(finding.choices):
            raise PlaybookError(f"finding {name} needs either goto or choices")
    if raw.get("ask") and not raw.get("check"):
        raise PlaybookError(f"playbook {topic}: `ask` needs a `check`")
    book = Playbook(
        topic=topic,
        title=known.topics[topic].title,
        faq_section=known.topics[topic].faq_section or "",
        paths=paths,
        ask=_optional_text(raw, "ask", links),
        check=raw.get("check"),
        findings=findings,
    )
    _check_cites(book, known)
    return book


def load_playbooks(
    directory: FsPath = PLAYBOOK_DIR, known: Optional[Knowledge] = None
) -> Dict[str, Playbook]:
    known = known or knowledge()
    books: Dict[str, Playbook] = {}
    for file in sorted(directory.glob("*.yml")):
        book = parse_playbook(yaml.safe_load(file.read_text(encoding="utf-8")), known)
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
