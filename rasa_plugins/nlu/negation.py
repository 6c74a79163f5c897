"""Words a message says it is not about, marked so they stop voting for their topic.

"I want to stop signing in with my old Microsoft account, not delete anything" went to the
delete-account walk-through at 0.91: "delete" is that topic's strongest word, and a bag of
n-grams cannot see the "not". Only negations of intent are marked ("don't want to", "no need
to", "without deleting", "instead of", "rather than", ", not ..."): a negation that states
the problem ("can't sign in", "didn't get the mail") is the topic's own signal and stays.

The scope runs from the cue to the next punctuation mark or clause word, at most
`MAX_SCOPE` words. Each word in it becomes `not_<word>`: a feature of its own for the word
n-grams; the character n-grams do not see it (linear_model.without_negated). Works on
lower-cased text (linear_model.normalise); a typographic apostrophe ("don’t", as phones
type it) counts as a straight one.
"""

from __future__ import annotations

import hashlib
import re
from typing import List

MAX_SCOPE = 3  # 5 reached the topic's own words: "don't want to delete my old API key"
PREFIX = "not_"
WORD_CHARACTER = r"[\w'’]"  # a word keeps its apostrophes: "don't", "doesn’t"

_TOKEN = re.compile(rf"{WORD_CHARACTER}+|[^\w\s]")
_NEGATIONS = {"not", "never", "don't", "dont", "doesn't", "didn't", "no", "won't", "isn't"}
_DO = {"do", "does", "did"}
# "don't want to", "not trying to", "no need to", "not asking about"...
_INTENT_WORDS = {
    "want",
    "wanna",
    "need",
    "wish",
    "intend",
    "mean",
    "plan",
    "planning",
    "trying",
    "looking",
    "asking",
    "interested",
    "going",
}
_INTENT_LINKS = {"to", "about", "for", "in", "anything", "any"}
_CLAUSE_ENDS = {"but", "and", "so", "because", "just", "only", "i", "we", "instead", "rather"}
# ", not delete anything", "and not remove it": `not` opening a clause of its own, before a
# plain verb (not a participle or a state: "not receiving", "not allowed", "not able")
_CLAUSE_STARTS = {",", ";", "-", "–", "and", "but", "or", "just", "only", "."}
_STATE_ENDINGS = ("ing", "ed", "en", "able", "ible", "ly")


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def _scope_start(tokens: List[str], at: int) -> int:
    """Where a negated scope starts if tokens[at] opens one, else -1."""
    token = tokens[at]
    following = tokens[at + 1] if at + 1 < len(tokens) else ""
    if token == "without" and following.endswith("ing"):
        return at + 1
    if token == "instead" and following == "of" or token == "rather" and following == "than":
        return at + 2
    negation = token in _NEGATIONS or token in _DO and following == "not"
    if not negation:
        return -1
    after = at + (2 if token in _DO else 1)
    if after < len(tokens) and tokens[after] in _INTENT_WORDS:
        after += 1
        while after < len(tokens) and tokens[after] in _INTENT_LINKS:
            after += 1
        return after
    previous = tokens[at - 1] if at > 0 else "."
    if token == "not" and previous in _CLAUSE_STARTS and _is_base_verb(following):
        return at + 1
    return -1


def _is_base_verb(word: str) -> bool:
    """Roughly: a word that does not end like a participle or a state."""
    return bool(word) and _is_word(word) and not word.endswith(_STATE_ENDINGS)


def mark_negated(text: str) -> str:
    """`text` with the words in a negation-of-intent scope written `not_<word>`; everything
    else, spacing and punctuation included, as it was."""
    matches = list(_TOKEN.finditer(text))
    tokens = [match.group().replace("’", "'") for match in matches]
    negated = set()
    at = 0
    while at < len(tokens):
        start = _scope_start(tokens, at)
        if start < 0:
            at += 1
            continue
        end = start
        while end < len(tokens) and end - start < MAX_SCOPE:
            if not _is_word(tokens[end]) or tokens[end] in _CLAUSE_ENDS:
                break
            negated.add(end)
            end += 1
        at = max(end, at + 1)
    if not negated:
        return text
    pieces, last = [], 0
    for index in sorted(negated):
        begin = matches[index].start()
        pieces += [text[last:begin], PREFIX]
        last = begin
    return "".join(pieces) + text[last:]


def fingerprint() -> str:
    """Changes whenever the rules do: part of the intent model's cache key."""
    rules = [
        MAX_SCOPE,
        PREFIX,
        _TOKEN.pattern,
        _NEGATIONS,
        _DO,
        _INTENT_WORDS,
        _INTENT_LINKS,
        _CLAUSE_ENDS,
        _CLAUSE_STARTS,
        _STATE_ENDINGS,
    ]
    text = repr([sorted(rule) if isinstance(rule, set) else rule for rule in rules])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
