"""Purge personal data by sender id and/or by age.

    python -m retention --older-than-days 30          # what `make purge` runs
    python -m retention --sender <sender id>          # one user's conversation and requests

Databases from the environment: TRACKER_DB_URL (Rasa's SQL tracker store) and ACCOUNT_DB_URL
(the account backend), as the servers use them; the team console's analytics and review
queue live in the tracker database and go with it; with --sender also DIGEST_SECRET, the key the
action server digests conversations with (common/conversation.py), to find the sender's
support requests. Prints counts only, never a sender id.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Optional, Sequence

from common.conversation import SECRET_VARIABLE
from retention.stores import (
    Selection,
    connect,
    purge_analytics,
    purge_backend,
    purge_conversations,
)

DAY = 86_400


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retention", description=__doc__.split("\n")[0])
    parser.add_argument("--sender", help="delete this sender id's conversation and requests")
    parser.add_argument("--older-than-days", type=float, help="delete data older than this")
    parser.add_argument("--tracker-db", default=os.environ.get("TRACKER_DB_URL"))
    parser.add_argument("--account-db", default=os.environ.get("ACCOUNT_DB_URL"))
    args = parser.parse_args(argv)
    if args.sender is None and args.older_than_days is None:
        parser.error("give --sender, --older-than-days, or both")
    if args.sender is not None and args.account_db and not os.environ.get(SECRET_VARIABLE):
        parser.error(f"--sender needs {SECRET_VARIABLE} to find the sender's support requests")
    if args.older_than_days is not None and args.older_than_days < 0:
        parser.error("--older-than-days must not be negative")
    before = time.time() - args.older_than_days * DAY if args.older_than_days is not None else None
    selection = Selection(sender_id=args.sender, before=before)
    counts = {}
    if args.tracker_db:
        tracker = connect(args.tracker_db)
        counts["conversation_events"] = purge_conversations(tracker, selection)
        counts.update(purge_analytics(tracker, selection))
    if args.account_db:
        counts.update(purge_backend(connect(args.account_db), selection))
    if not counts:
        parser.error("no database: set TRACKER_DB_URL and/or ACCOUNT_DB_URL")
    print(json.dumps({"purged": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
