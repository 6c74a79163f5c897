"""The team's figures on the command line: a table for a period, and the same as JSON.

    python -m team_console.report --days 7 --json reports/team-report.json   (make report)

Reads TRACKER_DB_URL (as the servers), brings the analytics tables up to date first.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from team_console.database import connect
from team_console.figures import DEFAULT_IDLE_MINUTES, Period, figures
from team_console.refresh import refresh

HEADLINE = (
    ("conversations", "Conversations"),
    ("answer_rate", "Answer rate"),
    ("resolution_rate", "Resolution rate"),
    ("escalation_rate", "Escalation rate"),
    ("refused", "Refused"),
    ("abandoned", "Abandoned"),
    ("open", "Open"),
    ("unconfirmed", "Unconfirmed"),
    ("no_topic", "No topic"),
    ("thumbs_up", "Thumbs up"),
    ("thumbs_down", "Thumbs down"),
    ("thumbs_up_share", "Thumbs-up share"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def table(header: Sequence[str], rows: List[Sequence[Any]]) -> str:
    cells = [list(header)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(result: Dict[str, Any]) -> str:
    period = result["period"]
    parts = [
        f"Period {period['start']} to {period['end']} (idle after {result['idle_minutes']} min)",
        table(("Figure", "Value"), [(label, result[key]) for key, label in HEADLINE]),
    ]
    if result["by_topic"]:
        names = (
            "topic",
            "conversations",
            "resolved",
            "escalated",
            "abandoned",
            "thumbs_up",
            "thumbs_down",
        )
        parts.append(table(names, [[r[n] for n in names] for r in result["by_topic"]]))
    if result["top_unanswered"]:
        rows = [(r["count"], r["reason"], r["text"][:80]) for r in result["top_unanswered"]]
        parts.append(table(("count", "reason", "top unanswered"), rows))
    for funnel in result["funnels"]:
        steps = " > ".join(str(n) for n in funnel["steps"])
        parts.append(f"funnel {funnel['topic']}/{funnel['path']}: {steps}")
    return "\n\n".join(parts)


def _date(text: str) -> float:
    day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return day.timestamp()


def period_of(args: argparse.Namespace) -> Period:
    if args.start:
        end = _date(args.end) + 86_400 if args.end else datetime.now(timezone.utc).timestamp()
        return Period(_date(args.start), end)
    return Period.last_days(args.days)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m team_console.report", description=__doc__)
    parser.add_argument("--days", type=float, default=7, help="the last N days (default 7)")
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (UTC), inclusive")
    parser.add_argument("--idle-minutes", type=float, default=DEFAULT_IDLE_MINUTES)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--db", help="database URL (default: TRACKER_DB_URL)")
    args = parser.parse_args(argv)
    try:
        period = period_of(args)
    except ValueError:
        parser.error("dates are YYYY-MM-DD")
    engine = connect(args.db)
    refresh(engine)
    result = figures(engine, period, idle_minutes=args.idle_minutes)
    print(render(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
