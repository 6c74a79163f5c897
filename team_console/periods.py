"""The period the figures are read for, from the page's query: the last 7 or 30 days, or
from/to dates (both included). Days are UTC days, as the figures' `by_day` counts them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping, Optional, Tuple

LAST_DAYS = (7, 30)
MAX_DAYS = 366  # a custom period of more is cut to its last MAX_DAYS days


@dataclass(frozen=True)
class Choice:
    first: date
    last: date  # included
    last_days: Optional[int] = None  # 7 or 30, None for dates chosen
    notice: Optional[str] = None  # why the dates asked for were not (all) used

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def epoch_range(self) -> Tuple[float, float]:
        """(start, end) in epoch seconds, end exclusive: what figures.Period takes."""
        return _midnight(self.first), _midnight(self.last + timedelta(days=1))


def _midnight(day: date) -> float:
    return datetime.combine(day, time(0), tzinfo=timezone.utc).timestamp()


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def last_days(days: int, today: date) -> Choice:
    return Choice(today - timedelta(days=days - 1), today, last_days=days)


def choose(query: Mapping[str, str], today: date) -> Choice:
    """`?days=7|30`, or `?from=YYYY-MM-DD&to=YYYY-MM-DD`; anything else: the last 7 days."""
    if query.get("from") or query.get("to"):
        return _dates(query.get("from", ""), query.get("to", ""), today)
    days = query.get("days", "")
    return last_days(int(days) if days in {str(d) for d in LAST_DAYS} else 7, today)


def _dates(first_text: str, last_text: str, today: date) -> Choice:
    try:
        first, last = date.fromisoformat(first_text), date.fromisoformat(last_text)
    except ValueError:
        return _refused("Give both dates as YYYY-MM-DD", today)
    if first > last:
        return _refused("The first date is after the last one", today)
    if (last - first).days >= MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
        return Choice(first, last, notice=f"At most {MAX_DAYS} days: from {first} on.")
    return Choice(first, last)


def _refused(notice: str, today: date) -> Choice:
    return replace(last_days(7, today), notice=f"{notice}: showing the last 7 days.")
