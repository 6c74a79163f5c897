"""Writes data/rules/topics.yml from the playbooks: each topic intent starts its playbook.
(Whether the account form asks a question next is the action's decision, by the playbook's
`check:`: it returns a FollowupAction, so no rule depends on it.)

    python -m tools.topic_rules          # rewrite the file (scripts/train.sh runs this)
    python -m tools.topic_rules --check  # exit 1 when the file is not what the playbooks say

Adding a topic is then a playbook, an NLU file and a domain entry; the rule follows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Mapping, Optional, Sequence

from actions.playbooks import Playbook, playbooks

RULES = Path(__file__).resolve().parents[1] / "data" / "rules" / "topics.yml"
HEADER = """version: "3.1"
# Written by `python -m tools.topic_rules` from playbooks/*.yml: do not edit by hand.
# Each account topic starts its playbook; action_start_playbook decides whether the account
# form asks a question first (then action_diagnose: data/rules/account_check.yml).
rules:
"""


def rule(book: Playbook) -> str:
    start = "{action: action_start_playbook}"
    return f"- rule: {book.topic}\n  steps: [{{intent: {book.topic}}}, {start}]\n"


def render(books: Mapping[str, Playbook]) -> str:
    return HEADER + "".join(rule(book) for book in books.values())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    wanted = render(playbooks())
    current = RULES.read_text(encoding="utf-8") if RULES.exists() else ""
    if args.check:
        if current != wanted:
            print(f"{RULES} is out of date: run python -m tools.topic_rules", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        RULES.write_text(wanted, encoding="utf-8")
        print(f"topic_rules: wrote {RULES.relative_to(RULES.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
