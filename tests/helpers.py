"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FAQ = (SHARED / "faq" / "nuget-account-faq.md").read_text(encoding="utf-8")
TOPICS = yaml.safe_load((SHARED / "faq" / "topics.yml").read_text(encoding="utf-8"))
ACCOUNT_TOPICS = tuple(TOPICS["topics"])
