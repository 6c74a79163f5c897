"""Text made plain for records people read with other tools (support-request transcripts).

A transcript is read by the help desk in whatever tool it uses, and a tool that renders HTML
would run `<script>` or `<img onerror=...>` a user typed. Stored plain, markup stays visible
as text but can never be taken for HTML: the angle brackets become the look-alike single
angle quotation marks (which no normalisation maps back to `<` and `>`). Control characters
(but newline and tab) and invisible format characters such as bidirectional overrides, which
can make a line read differently from what it holds, are dropped; a lone surrogate, which
no encoding can store, becomes U+FFFD. The text is never longer than it was.
"""

from __future__ import annotations

import unicodedata

ANGLES = {"<": "\u2039", ">": "\u203a"}
KEPT_CONTROLS = frozenset("\n\t")
# Format characters that join emoji and scripts: dropping them would change what is shown.
JOINERS = frozenset("\u200c\u200d")


def _plain(character: str) -> str:
    category = unicodedata.category(character)
    if category == "Cs":
        return "\ufffd"
    if category == "Cc" and character not in KEPT_CONTROLS:
        return ""
    if category == "Cf" and character not in JOINERS:
        return ""
    return ANGLES.get(character, character)


def plain_text(text: str) -> str:
    return "".join(_plain(character) for character in text)
