"""Reads the knowledge base (knowledge/): the facts the assistant may state, with their sources.

The one place each nuget.org fact lives. Playbooks cite facts by id; specific answers quote a
fact's `says` with its source's address; `not_in_docs` questions get an honest "the
documentation doesn't say". Loaded once per process, read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
# A fact points at another topic as "(see <topic id>)"; users read the topic's title there.
_SEE_TOPIC = re.compile(r"\(see ([a-z_]+)\)")


class KnowledgeError(ValueError):
    """A knowledge file is malformed or cites something that does not exist."""


@dataclass(frozen=True)
class Fact:
    topic: str
    id: str
    says: str
    source: str  # "<source id>" or "<source id>#<section>"
    asks: Tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.topic}.{self.id}"


@dataclass(frozen=True)
class Unknown:
    """A question users ask that the documentation does not answer."""

    question: str
    asks: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    group: str
    faq_section: Optional[str]
    facts: Mapping[str, Fact]
    links: Mapping[str, str]
    not_in_docs: Tuple[Unknown, ...]
    superseded_phrases: Tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    topics: Mapping[str, Topic]
    sources: Mapping[str, Mapping[str, Any]]

    def fact(self, ref: str, topic: str) -> Optional[Fact]:
        """A fact by "id" (in `topic`) or "other_topic.id"."""
        owner, _, fact_id = ref.rpartition(".")
        book = self.topics.get(owner or topic)
        return book.facts.get(fact_id) if book else None

    def source_url(self, fact: Fact) -> str:
        """The public address of the page (and section) a fact comes from."""
        source, _, section = fact.source.partition("#")
        url = str(self.sources[source]["url"])
        return f"{url}#{section}" if section else url

    def link(self, name: str, topic: str) -> str:
        """A named address: the topic's own first, else the one other topics agree on."""
        own = self.topics[topic].links if topic in self.topics else {}
        if name in own:
            return own[name]
        found = {t.links[name] for t in self.topics.values() if name in t.links}
        if len(found) != 1:
            raise KnowledgeError(f"link {{{name}}} is {'ambiguous' if found else 'unknown'}")
        return found.pop()


def _fact(topic: str, raw: Mapping[str, Any]) -> Fact:
    says = " ".join(str(raw["says"]).split())
    return Fact(topic, raw["id"], says, raw["source"], tuple(raw.get("asks") or ()))


def _unknown(raw: Mapping[str, Any]) -> Unknown:
    return Unknown(str(raw["question"]), tuple(raw.get("asks") or ()))


def _topic(raw: Mapping[str, Any]) -> Topic:
    topic = raw["topic"]
    return Topic(
        id=topic,
        title=raw["title"],
        group=raw["group"],
        faq_section=raw.get("faq_section"),
        facts={f["id"]: _fact(topic, f) for f in raw.get("facts") or ()},
        links=dict(raw.get("links") or {}),
        not_in_docs=tuple(_unknown(u) for u in raw.get("not_in_docs") or ()),
        superseded_phrases=tuple(p for s in raw.get("superseded") or () for p in s["phrases"]),
    )


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _titled(topics: Mapping[str, Topic]) -> Dict[str, Topic]:
    """The topics with each "(see <topic id>)" in their facts as "(see "<its title>")"."""

    def title(match: re.Match[str]) -> str:
        if match.group(1) not in topics:
            raise KnowledgeError(f"a fact points at unknown topic {match.group(1)}")
        return f'(see "{topics[match.group(1)].title}")'

    def facts(topic: Topic) -> Dict[str, Fact]:
        return {
            key: replace(fact, says=_SEE_TOPIC.sub(title, fact.says))
            for key, fact in topic.facts.items()
        }

    return {key: replace(topic, facts=facts(topic)) for key, topic in topics.items()}


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    sources: Dict[str, Mapping[str, Any]] = _read(directory / "sources.yml")
    topics = {}
    for file in sorted((directory / "topics").glob("*.yml")):
        topic = _topic(_read(file))
        if topic.id != file.stem:
            raise KnowledgeError(f"{file.name} declares topic {topic.id}")
        for fact in topic.facts.values():
            if fact.source.partition("#")[0] not in sources:
                raise KnowledgeError(f"{fact.ref} cites unknown source {fact.source}")
        topics[topic.id] = topic
    return Knowledge(topics=_titled(topics), sources=sources)


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The project's knowledge base, loaded once per process."""
    return load_knowledge()
