"""Runs the account backend: `python -m account_backend [--port 8001] [--reset]`.

The demo accounts (seed.py) are loaded on every start unless --no-seed.
Settings come from the environment: ACCOUNT_DB_URL (default: SQLite file var/accounts.db),
ACCOUNT_BACKEND_TOKEN (required), DIGEST_SECRET (required: the key of the stored digests,
shared with the action server; common/conversation.py), IDENTITY_SECRET (optional: enables
signed identities), IDENTITY_MAX_LIFETIME_SECONDS (the longest a signed identity may live,
default 3600).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import uvicorn

from account_backend.app import create_app
from account_backend.database import connect
from account_backend.deadlines import DeadlineH11Protocol
from account_backend.seed import seed
from common.conversation import SECRET_VARIABLE

DEFAULT_DB = Path(__file__).resolve().parent.parent / "var" / "accounts.db"


def main() -> int:
    parser = argparse.ArgumentParser(description="nuget.org account backend")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("ACCOUNT_BACKEND_PORT", 8001))
    )
    parser.add_argument(
        "--reset", action="store_true", help="empty the database before loading the demo data"
    )
    parser.add_argument("--no-seed", action="store_true", help="do not load the demo accounts")
    args = parser.parse_args()

    token = os.environ.get("ACCOUNT_BACKEND_TOKEN")
    if not token:
        print("ACCOUNT_BACKEND_TOKEN is not set", file=sys.stderr)
        return 2
    if not os.environ.get(SECRET_VARIABLE):
        # a key of its own would differ from the action server's and be lost at a restart
        print(f"{SECRET_VARIABLE} is not set", file=sys.stderr)
        return 2
    DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    engine = connect(os.environ.get("ACCOUNT_DB_URL") or f"sqlite:///{DEFAULT_DB}")
    if not args.no_seed or args.reset:
        seed(engine, reset=args.reset)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(engine, token, os.environ.get("IDENTITY_SECRET"))
    # h11 with request deadlines: a slow client is cut off (deadlines.py)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", http=DeadlineH11Protocol)
    return 0


if __name__ == "__main__":
    sys.exit(main())
