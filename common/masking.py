"""Masking of personal data before it is shown, stored or logged.

Shared by the action server and the account backend, so both mask the same way.

Addresses follow common/identifiers.py's grammar (a local part of at most 64 characters,
labels of at most 63, a bounded number of them), and are found from their "@" rather than
tried at every position: a regular expression searched over the whole text retries at each
character of a long run, which made the old unbounded pattern quadratic (5.4 s for a
45,000-character message). Here each "@" is tried once, with a bounded domain pattern and a
look back of at most 64 characters, so masking is linear in the text's length.

Masking reads addresses more widely than that grammar, as people type them: letters and
digits of any script (RFC 6531 allows them), decomposed accents (a letter and a combining
mark), and the full-width or small forms of "@" and "." some keyboards and input methods
give (`jöhn.doe@exämple.de`, `account1＠outlook.com`). Masking too much is harmless; an
address left whole is not.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

from common.identifiers import MAX_LABELS, MAX_LOCAL

AT_SIGNS = "@\uff20\ufe6b"  # "@", full-width "＠", small "﹫"
DOTS = ".\uff0e\u3002\uff61"  # ".", full-width "．", ideographic "。" and its half-width form
# Combining marks (accents typed as a letter and a mark): the main Unicode blocks of them.
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# \w is Unicode-aware on str patterns: letters and digits of every script, and "_".
LOCAL_CHAR = rf"[\w{MARKS}!#$%&'*+/=?^`{{|}}~{DOTS}-]"  # RFC 5322 atext, any script, dots
LABEL = rf"[\w{MARKS}-]{{1,63}}"
AT_SIGN = re.compile(f"[{AT_SIGNS}]")

# An "@" with a local-part character before it and a domain after it. A doubled "@" too
# ("bob@@example.com"): a typo is still someone's address to the person who reads it.
AT_DOMAIN = re.compile(
    rf"(?<={LOCAL_CHAR})[{AT_SIGNS}]{{1,2}}{LABEL}(?:[{DOTS}]{LABEL}){{1,{MAX_LABELS}}}"
)
LOCAL_REVERSED = re.compile(rf"{LOCAL_CHAR}{{1,{MAX_LOCAL}}}")  # matched on reversed text
# How far past a cut an address that begins before it must be read to be recognised: its
# local part, the "@", a label, a dot and the next label's first character.
LOOKAHEAD = MAX_LOCAL + 1 + 63 + 2


def mask_email(email: str) -> str:
    """`account1@outlook.com` -> `a***1@outlook.com`, as nuget.org's sign-in assistance shows.

    The at sign stays as it was typed (`＠` too)."""
    at = AT_SIGN.search(email)
    if at is None or at.start() == 0 or at.end() == len(email):
        return "***"
    local = email[: at.start()]
    shown = local[0] + "***" + (local[-1] if len(local) > 2 else "")
    return shown + email[at.start() :]


def addresses(text: str, end: int) -> Iterator[Tuple[int, int]]:
    """(start, stop) of each address in text[:end], left to right, not overlapping."""
    done = 0
    for found in AT_DOMAIN.finditer(text, 0, end):
        at = found.start()
        local = LOCAL_REVERSED.match(text[max(done, at - MAX_LOCAL) : at][::-1])
        if local:  # none when the previous address ends right before this "@"
            yield at - local.end(), found.end()
            done = found.end()


def mask_text(text: str, limit: Optional[int] = None) -> str:
    """Every email address in `text` masked.

    With `limit`: the first `limit` characters, masked, reading at most LOOKAHEAD characters
    beyond them, so a long text costs no more than a short one. An address across the cut is
    masked before it is cut: cutting first would leave "account1@outl", which no longer looks
    like an address."""
    end = len(text) if limit is None else min(len(text), limit + LOOKAHEAD)
    stop = end if limit is None else limit
    parts, done = [], 0
    for start, after in addresses(text, end):
        if start >= stop:
            break
        parts += [text[done:start], mask_email(text[start:after])]
        done = after
    parts.append(text[done:stop])
    masked = "".join(parts)
    return masked if limit is None else masked[:limit]
