"""How fast this machine runs Python right now: one fixed workload, timed.

The same model and code measured 2.5 times slower per turn at one hour than at another on
this shared machine (session 14: the session-12 and session-13 models side by side were
equally slow). Speed figures are only comparable between runs whose calibration agrees, so
the speed run records it at its start and end.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from typing import Dict


def workload() -> int:
    """Hashing, sorting and dictionary counting: the kind of work a turn does."""
    digests = sorted(hashlib.sha256(str(i).encode()).hexdigest() for i in range(20_000))
    counts: Dict[str, int] = {}
    for digest in digests:
        counts[digest[:4]] = counts.get(digest[:4], 0) + 1
    return len(counts)


def calibration_ms(repeats: int = 7) -> float:
    """The median wall time of the workload in milliseconds (lower: a faster machine)."""
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        workload()
        timings.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(timings), 2)
