"""Out of scope, but pointed somewhere useful: the documentation page of the area a question
names (restore errors, publishing, Visual Studio...), else the documentation's start page,
and in both cases the offer of a support request.

The areas, their keywords and their pages are data: knowledge/out_of_scope_areas.yml.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml
from rasa_sdk import Tracker

from actions import engine
from actions.actions import EngineAction
from actions.engine import Message, State, Turn
from common.logs import log_event

AREAS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "out_of_scope_areas.yml"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    title: str
    url: str
    keywords: Tuple[str, ...]
    pattern: re.Pattern

    def hits(self, text: str) -> int:
        """How many different keywords of the area `text` contains."""
        return len({found.lower() for found in self.pattern.findall(text)})


def _area(raw: Dict[str, Any]) -> Area:
    keywords = tuple(str(k).lower() for k in raw["keywords"])
    # whole words or phrases: "restore" is not in "restored" (listed on its own where wanted)
    alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])", re.IGNORECASE)
    return Area(raw["id"], raw["name"], raw["title"], raw["url"], keywords, pattern)


def load_areas(path: Path = AREAS_FILE) -> List[Area]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [_area(item) for item in raw["areas"]]


@lru_cache(maxsize=1)
def areas() -> Tuple[Area, ...]:
    return tuple(load_areas())


def area_of(text: Optional[str], known: Sequence[Area] = ()) -> Optional[Area]:
    """The area `text` names most (the first listed on a tie), or None."""
    scored = [(area.hits(text or ""), -i, area) for i, area in enumerate(known or areas())]
    best = max(scored, key=lambda s: s[:2], default=None)
    return best[2] if best and best[0] > 0 else None


def pointer(area: Optional[Area]) -> Message:
    """The out-of-scope reply: the area's page, or the documentation's start page."""
    if area is None:
        return Message(response="utter_out_of_scope")
    values = (("area", area.name), ("title", area.title), ("url", area.url))
    return Message(response="utter_out_of_scope_area", values=values)


def out_of_scope(state: State, text: Optional[str]) -> Turn:
    area = area_of(text)
    log_event(log, "out_of_scope", area=area.id if area else None)
    return replace(engine.offer_support_request(state, (pointer(area),)), outcome=engine.REFUSED)


class ActionOutOfScope(EngineAction):
    action_name = "action_out_of_scope"

    def decide(self, state: State, tracker: Tracker) -> Turn:
        return out_of_scope(state, tracker.latest_message.get("text"))
