"""The page's one template helper: every value put into HTML is escaped unless it is already
markup made here, so a conversation's text can never become tags or attributes."""

from __future__ import annotations

import html
from typing import Any, Iterable


class Html(str):
    """A string of markup built by `render` (safe to put into a page as it is)."""


def escape(value: Any) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: Any) -> Html:
    """`template` with each `{name}` replaced by the escaped value (str.format syntax)."""
    return Html(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[Html], separator: str = "\n") -> Html:
    return Html(separator.join(escape(part) for part in parts))
