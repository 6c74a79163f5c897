"""Account words of other languages, glossed in English for the intent model.

The intent model learns from English examples and a few in other languages; a message in
Turkish or Korean shares almost no n-grams with them. Before features are taken, every
glossary term found in a message adds its English gloss, so "¿cómo elimino mi cuenta?" also
carries "delete account". The terms are data (glossary.yml, written by the project's
writers); a model is retrained when the file changes (LinearIntentClassifier's fingerprint).

Matching, on lower-cased text: a term in a script written without spaces (Chinese, Japanese,
Thai) or in Hangul (particles attach to the noun) matches anywhere; any other term matches a
whole word, or any word it starts when it ends in "*".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Pattern, Tuple

import yaml

GLOSSARY_FILE = Path(__file__).with_name("glossary.yml")
MAX_GLOSSES = 12  # a message naming every concept gains no more than this many words
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Concept:
    gloss: str
    substrings: Tuple[str, ...]
    words: Pattern[str] | None


def _word_pattern(terms: Iterable[str]) -> Pattern[str] | None:
    parts = sorted(
        (re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t) for t in terms),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)") if parts else None


def _concept(gloss: str, terms: Iterable[str]) -> Concept:
    cleaned = {" ".join(str(t).lower().split()) for t in terms if str(t).strip()}
    unspaced = {t for t in cleaned if _UNSPACED.search(t)}
    # A substring already matches whatever follows it: a stem's "*" has nothing left to say.
    substrings = tuple(sorted({t.rstrip("*") for t in unspaced}))
    return Concept(gloss, substrings, _word_pattern(t for t in cleaned if t not in unspaced))


def parse(raw: object) -> List[Concept]:
    concepts = (raw or {}).get("concepts") if isinstance(raw, dict) else None
    if not isinstance(concepts, list):
        raise ValueError("glossary: expected a mapping with a list under 'concepts'")
    return [_concept(str(c["gloss"]), c.get("terms") or []) for c in concepts]


@lru_cache(maxsize=1)
def concepts() -> Tuple[Concept, ...]:
    if not GLOSSARY_FILE.exists():  # a checkout without the file glosses nothing
        return ()
    return tuple(parse(yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))))


def glosses(lowered: str, table: Iterable[Concept] | None = None) -> List[str]:
    """The English glosses of the concepts that `lowered` (lower-case text) names."""
    found = []
    for concept in concepts() if table is None else table:
        named = any(term in lowered for term in concept.substrings) or bool(
            concept.words and concept.words.search(lowered)
        )
        if named:
            found.append(concept.gloss)
            if len(found) == MAX_GLOSSES:
                break
    return found


def fingerprint() -> str:
    """Changes whenever the glossary does: part of the intent model's cache key."""
    data = GLOSSARY_FILE.read_bytes() if GLOSSARY_FILE.exists() else b""
    return hashlib.sha256(data).hexdigest()
