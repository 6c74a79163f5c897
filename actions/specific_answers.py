"""Specific questions inside a topic: which fact (or which undocumented question) a message asks.

"Is the username case sensitive?" should get that one fact first, not the whole walk-through;
"how long does deletion take?" should get an honest "the documentation doesn't say". The
knowledge base's `asks` (per fact and per `not_in_docs` entry) are the examples; a message is
compared with them by TF-IDF cosine over words and character n-grams, built once per topic.
The topic's NLU training examples (data/nlu/<topic>.yml: mostly problems and whole-task
requests) stand for the walk-through: a message nearer to them than to any fact's questions
gets None, the walk-through. Plain Python: the action server needs no machine-learning
library for this.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import yaml

from actions.knowledge import Fact, Knowledge, Unknown, knowledge

NLU_DIR = Path(__file__).resolve().parent.parent / "data" / "nlu"
# Both chosen on the dev half of tests/evaluation/specific_questions.yml
# (python -m tools.evaluate_specific --half dev --sweep); the test half is reported.
MIN_SIMILARITY = 0.25  # below it a message is not taken as asking one fact
# The walk-through examples far outnumber a fact's questions; their nearness counts less so
# that a question near one fact's wording still gets that fact.
WALKTHROUGH_WEIGHT = 0.75
MAX_CHARACTERS = 400  # a long story is a problem description: the walk-through fits it better
# The walk-through's nearness is a maximum over the topic's examples, so it grows with their
# number: 6,000 new examples in session 13 (many of them one-fact questions) took the dev half
# from 0.648 to 0.586. The first examples of each file stand for the walk-through (300: the
# best of 300-500 on the dev half, 0.660); the classifier still learns from all of them.
MAX_WALKTHROUGH_EXAMPLES = 300
# Requests for the whole task: their nearness marks a message as "walk me through it".
WALKTHROUGH_FORMS = (
    "how do I {title}",
    "help me {title}",
    "I need to {title}",
    "{title}",
    "{title} step by step",
    "I have a problem: {title}",
)
_WORD = re.compile(r"[a-z0-9]+")
# People ask "how do I delete my account", not "... your NuGet.org account": the title's
# site words are left out of a second set of whole-task requests.
_SITE_WORDS = re.compile(r"\b(nuget\.org|nuget|your)\b")
_QUESTION_WORDS = frozenset(
    "what whats how why when where which who whom whose can could does do did is are was will "
    "would should shall may might must if whether any anyone".split()
)
_MARKUP = re.compile(r"\[([^\]]*)\]\([a-z_]+\)")  # [text](entity)
_STOP = frozenset(
    "a an the to of in on for my i me is it do does can be and or with at this that what how "
    "you your am are was were will would should could if so by from as".split()
)

Answer = Union[Fact, Unknown]
Vector = Dict[str, float]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def features(text: str) -> Counter:
    """Word stems (without stop words) and character 4-grams of the words."""
    words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]
    grams = Counter(f"w:{w}" for w in words)
    for word in words:
        padded = f" {word} "
        grams.update(f"c:{padded[i : i + 4]}" for i in range(max(1, len(padded) - 3)))
    return grams


@dataclass(frozen=True)
class _Index:
    idf: Dict[str, float]
    vectors: Tuple[Tuple[Vector, Optional[Answer]], ...]  # None: a walk-through request


def _weigh(counts: Counter, idf: Dict[str, float]) -> Vector:
    vector = {g: (1 + math.log(n)) * idf.get(g, 0.0) for g, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {g: v / norm for g, v in vector.items()}


def nlu_examples(topic: str, directory: Path = NLU_DIR) -> List[str]:
    """The topic's intent examples, without entity mark-up; none when the file is missing."""
    file = directory / f"{topic}.yml"
    if not file.exists():
        return []
    blocks = yaml.safe_load(file.read_text(encoding="utf-8")).get("nlu") or []
    lines = [b["examples"] for b in blocks if b.get("intent") == topic]
    texts = [ln.strip()[2:] for block in lines for ln in block.splitlines() if ln.strip()]
    return [_MARKUP.sub(r"\1", text) for text in texts]


def _examples(known: Knowledge, topic: str) -> List[Tuple[str, Optional[Answer]]]:
    book = known.topics[topic]
    titles = {book.title.lower(), " ".join(_SITE_WORDS.sub(" ", book.title.lower()).split())}
    walkthrough = [form.format(title=title) for form in WALKTHROUGH_FORMS for title in titles]
    walkthrough += nlu_examples(topic)[:MAX_WALKTHROUGH_EXAMPLES]
    examples: List[Tuple[str, Optional[Answer]]] = [(text, None) for text in walkthrough]
    for fact in book.facts.values():
        examples += [(ask, fact) for ask in fact.asks]
    for unknown in book.not_in_docs:
        examples += [(ask, unknown) for ask in (unknown.question, *unknown.asks)]
    return examples


def build_index(known: Knowledge, topic: str) -> _Index:
    examples = _examples(known, topic)
    counted = [(features(text), answer) for text, answer in examples]
    documents = Counter(g for counts, _ in counted for g in counts)
    total = len(counted)
    idf = {g: math.log((1 + total) / (1 + n)) + 1 for g, n in documents.items()}
    return _Index(idf, tuple((_weigh(c, idf), a) for c, a in counted))


@cache
def _index(topic: str) -> _Index:
    return build_index(knowledge(), topic)


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(g, 0.0) for g, v in a.items())


def _nearest(topic: str, text: str) -> Tuple[float, Optional[Answer], float]:
    """The best fact-or-unknown similarity with its answer, and the best walk-through one."""
    index = _index(topic)
    query = _weigh(features(text), index.idf)
    best, answer, walkthrough = 0.0, None, 0.0
    for vector, candidate in index.vectors:
        score = _cosine(query, vector)
        if candidate is None:
            walkthrough = max(walkthrough, score)
        elif score > best:
            best, answer = score, candidate
    return best, answer, walkthrough


def scored(topic: str, text: str) -> Tuple[float, Optional[Answer]]:
    """The nearest example's similarity and what it answers (None: a walk-through request)."""
    best, answer, walkthrough = _nearest(topic, text)
    if best < walkthrough * WALKTHROUGH_WEIGHT:
        return walkthrough, None
    return best, answer


def is_question(text: str) -> bool:
    """A question mark or a question's first word: a statement of a problem
    ("sign-in fails with my work email") asks for the walk-through, not one fact."""
    first = next(iter(_WORD.findall(text.lower())), "")
    return "?" in text or first in _QUESTION_WORDS


def specific_answer(topic: str, text: str) -> Optional[Answer]:
    """The fact or undocumented question `text` asks within `topic`, or None (walk through)."""
    found = specific_answer_among((topic,), text)
    return found[1] if found else None


def specific_answer_among(
    topics: Sequence[str], text: str, min_similarity: float = MIN_SIMILARITY
) -> Optional[Tuple[str, Answer]]:
    """The best (topic, fact or undocumented question) over the classifier's likeliest topics:
    a question worded like one topic's can be answered by a neighbour's fact."""
    if not text or text.startswith("/") or len(text) > MAX_CHARACTERS or not is_question(text):
        return None  # a button payload, a story or a problem statement: the walk-through fits
    known = [t for t in topics if t in knowledge().topics]
    if not known:
        return None
    nearest = {t: _nearest(t, text) for t in known}
    # the likeliest topic's walk-through requests set the bar every topic's facts must clear
    bar = nearest[known[0]][2] * WALKTHROUGH_WEIGHT
    score, topic = max((nearest[t][0], t) for t in known)
    answer = nearest[topic][1]
    if answer is None or score < max(bar, min_similarity):
        return None
    return topic, answer
