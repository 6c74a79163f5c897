"""python -m team_console [--host 127.0.0.1] [--port 8090] [--idle-minutes 30]

The team's page, on loopback unless told otherwise. Settings from the environment:
TEAM_CONSOLE_PASSWORD (required; scripts/env.sh makes one in var/), TEAM_CONSOLE_USER (the
user name, default "team"), TEAM_CONSOLE_SECURE_COOKIE=1 when served over HTTPS,
TRACKER_DB_URL (the tracker database, default the SQLite file var/tracker.db) and
REVIEWED_NLU_FILE (where accepted examples go, default data/reviewed/nlu.yml).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

from common import uvicorn_deadlines
from team_console.app import Settings, create_app, project_analytics
from team_console.database import connect
from team_console.figures import DEFAULT_IDLE_MINUTES


class ConsoleH11Protocol(uvicorn_deadlines.DeadlineH11Protocol):
    logger = logging.getLogger("team_console")


def main() -> int:
    parser = argparse.ArgumentParser(description="The team's page: figures and review queue")
    parser.add_argument("--host", default=os.environ.get("TEAM_CONSOLE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TEAM_CONSOLE_PORT", 8090)))
    parser.add_argument(
        "--idle-minutes",
        type=int,
        default=DEFAULT_IDLE_MINUTES,
        help="a conversation idle this long without an outcome counts as abandoned",
    )
    args = parser.parse_args()
    password = os.environ.get("TEAM_CONSOLE_PASSWORD", "")
    if not password:
        print("TEAM_CONSOLE_PASSWORD is not set (make console makes one)", file=sys.stderr)
        return 2
    settings = Settings(
        password=password,
        user=os.environ.get("TEAM_CONSOLE_USER") or "team",
        idle_minutes=args.idle_minutes,
        secure_cookie=os.environ.get("TEAM_CONSOLE_SECURE_COOKIE") == "1",
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(connect(), settings, project_analytics())
    print(f"team console: http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", http=ConsoleH11Protocol)
    return 0


if __name__ == "__main__":
    sys.exit(main())
