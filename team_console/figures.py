"""The figures the team reads, for a period: one function the page and the report share.

Every rate is over the conversations that started in the period (a conversation is a Rasa
session in which the user wrote at least once); the thumbs-up share is over the thumbs
given. DEFINITIONS is the one wording of each figure: the page, the report and docs/team.md
show it.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from team_console.tables import conversations, create_tables, review_items, steps

DAY = 86_400
DEFAULT_IDLE_MINUTES = 30
UNANSWERED_REASONS = ("out_of_scope", "fallback", "did_you_mean")
TOP_UNANSWERED = 10
DEFINITIONS = {
    "conversations": "Sessions that started in the period in which the user wrote at least once.",
    "answer_rate": "Share of conversations in which the assistant recognised an account topic "
    "and answered it.",
    "resolution_rate": "Share of conversations whose user confirmed that the fix worked "
    '("That worked", in any wording) after the last topic they raised.',
    "escalation_rate": "Share of conversations in which a support request was opened.",
    "refused": "Conversations that ended on a question outside what the assistant covers.",
    "abandoned": "Conversations left with the assistant waiting on a walk-through step for "
    "longer than the idle time.",
    "open": "Conversations still waiting on the user, idle for less than the idle time.",
    "unconfirmed": "Conversations that got an answer the user neither confirmed nor escalated.",
    "no_topic": "Conversations in which no account topic came up (greetings only, say).",
    "thumbs_up_share": 'Share of "Did this help?" answers that were a thumbs up.',
    "top_unanswered": "The most frequent messages the assistant could not place: out of scope, "
    'fallback or "did you mean" (addresses masked).',
    "funnel": "For each walk-through path, how many conversations reached each step.",
}


@dataclass(frozen=True)
class Period:
    start: float  # epoch seconds, inclusive
    end: float  # exclusive

    @classmethod
    def last_days(cls, days: float, now: Optional[float] = None) -> Period:
        end = time.time() if now is None else now
        return cls(end - days * DAY, end)


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def _day(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y-%m-%d")


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def outcome(state: str, last_active: float, now: float, idle_minutes: float) -> str:
    """A stored state as the team reads it: an in-progress walk-through is abandoned once
    idle for `idle_minutes`, else open."""
    if state != "in_progress":
        return state
    return "abandoned" if now - last_active >= idle_minutes * 60 else "open"


def _conversations(engine: Engine, period: Period) -> List[Dict[str, Any]]:
    query = sa.select(
        conversations.c.started,
        conversations.c.last_active,
        conversations.c.topic,
        conversations.c.state,
        conversations.c.feedback,
    ).where(conversations.c.started >= period.start, conversations.c.started < period.end)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def figures(
    engine: Engine,
    period: Period,
    idle_minutes: float = DEFAULT_IDLE_MINUTES,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    create_tables(engine)
    now = time.time() if now is None else now
    rows = _conversations(engine, period)
    for row in rows:
        row["outcome"] = outcome(row["state"], row["last_active"], now, idle_minutes)
    counts = Counter(row["outcome"] for row in rows)
    total = len(rows)
    answered = sum(1 for row in rows if row["topic"])
    up = sum(1 for row in rows if row["feedback"] == "up")
    down = sum(1 for row in rows if row["feedback"] == "down")
    return {
        "period": {"start": _iso(period.start), "end": _iso(period.end)},
        "idle_minutes": idle_minutes,
        "conversations": total,
        "answered": answered,
        "answer_rate": _rate(answered, total),
        "resolved": counts["resolved"],
        "resolution_rate": _rate(counts["resolved"], total),
        "escalated": counts["escalated"],
        "escalation_rate": _rate(counts["escalated"], total),
        **{
            name: counts[name]
            for name in ("refused", "abandoned", "open", "unconfirmed", "no_topic")
        },
        "thumbs_up": up,
        "thumbs_down": down,
        "thumbs_up_share": _rate(up, up + down),
        "by_topic": _by_topic(rows),
        "by_day": _by_day(rows, period),
        "top_unanswered": top_unanswered(engine, period),
        "funnels": funnels(engine, period),
        "definitions": dict(DEFINITIONS),
    }


def _by_topic(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    table: Dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if not row["topic"]:
            continue
        counts = table[row["topic"]]
        counts["conversations"] += 1
        counts[row["outcome"]] += 1
        counts["thumbs_up"] += row["feedback"] == "up"
        counts["thumbs_down"] += row["feedback"] == "down"
    names = ("conversations", "resolved", "escalated", "abandoned", "thumbs_up", "thumbs_down")
    found = [{"topic": t, **{n: int(c[n]) for n in names}} for t, c in table.items()]
    return sorted(found, key=lambda r: (-r["conversations"], r["topic"]))


def _by_day(rows: List[Dict[str, Any]], period: Period) -> List[Dict[str, Any]]:
    names = ("conversations", "resolved", "escalated", "refused", "abandoned")
    days: Dict[str, Counter] = {}
    day = datetime.fromtimestamp(period.start, timezone.utc).date()
    last = datetime.fromtimestamp(max(period.start, period.end - 1e-6), timezone.utc).date()
    while day <= last:
        days[day.isoformat()] = Counter()
        day += timedelta(days=1)
    for row in rows:
        counts = days.setdefault(_day(row["started"]), Counter())
        counts["conversations"] += 1
        counts[row["outcome"]] += 1
    return [{"day": d, **{n: int(days[d][n]) for n in names}} for d in sorted(days)]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def top_unanswered(engine: Engine, period: Period) -> List[Dict[str, Any]]:
    query = sa.select(review_items.c.text, review_items.c.reason).where(
        review_items.c.created >= period.start,
        review_items.c.created < period.end,
        review_items.c.reason.in_(UNANSWERED_REASONS),
    )
    with engine.connect() as connection:
        found = connection.execute(query).all()
    counts: Counter = Counter()
    shown: Dict[str, tuple] = {}
    for text, reason in found:
        key = _normal(text)
        counts[key] += 1
        shown.setdefault(key, (text, reason))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_UNANSWERED]
    return [{"text": shown[k][0], "count": n, "reason": shown[k][1]} for k, n in ranked]


def funnels(engine: Engine, period: Period) -> List[Dict[str, Any]]:
    """For each path, the number of conversations that reached step 1, 2, ..."""
    query = sa.select(steps.c.topic, steps.c.path, steps.c.furthest).where(
        steps.c.started >= period.start, steps.c.started < period.end
    )
    reached: Dict[tuple, Counter] = defaultdict(Counter)
    with engine.connect() as connection:
        for topic, path, furthest in connection.execute(query):
            reached[(topic, path)][furthest] += 1
    result = []
    for (topic, path), counts in sorted(reached.items()):
        deepest = max(counts)
        at_least = [
            sum(n for step, n in counts.items() if step >= k) for k in range(1, deepest + 1)
        ]
        result.append({"topic": topic, "path": path, "steps": at_least})
    return result
