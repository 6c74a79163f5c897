"""Masking of personal data before it is shown, stored or logged.

Shared by the action server and the account backend, so both mask the same way.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_email(email: str) -> str:
    """`account1@outlook.com` -> `a***1@outlook.com`, as nuget.org's sign-in assistance shows."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    shown = local[0] + "***" + (local[-1] if len(local) > 2 else "")
    return f"{shown}@{domain}"


def mask_text(text: str) -> str:
    """Every email address in `text` masked."""
    return EMAIL.sub(lambda m: mask_email(m.group(0)), text)
