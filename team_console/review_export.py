"""Writes the reviewed items not yet in the training data (make review-export).

    python -m team_console.review_export      # into data/reviewed/nlu.yml (REVIEWED_NLU_FILE)

Items labelled on the page are written as they are decided; this catches those decided where
the file could not be written (a console on a host without the checkout), and prints counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

from team_console.database import connect
from team_console.refresh import refresh
from team_console.review import export, reviewed_file


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m team_console.review_export")
    parser.add_argument("--db", help="database URL (default: TRACKER_DB_URL)")
    args = parser.parse_args(argv)
    engine = connect(args.db)
    refresh(engine)
    print(json.dumps({"file": str(reviewed_file()), **export(engine)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
