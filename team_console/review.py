"""The review queue: a person labels what the assistant was unsure about, and the labelled
texts become training examples.

A decision gives an item a topic (or confirms it out of scope, or discards it). A labelled
text is appended to the reviewed-examples file (`data/reviewed/nlu.yml`, REVIEWED_NLU_FILE),
which Rasa trains on with the rest of data/, unless it is a text of an evaluation set
(tests/evaluation/: those measure the model and must never be trained on) or already in the
training data. `make retrain-reviewed` then trains and shows the evaluation before and after.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Tuple

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from team_console.tables import MAX_TEXT, create_tables, review_items

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "data" / "reviewed" / "nlu.yml"
EVALUATION_DIR = ROOT / "tests" / "evaluation"
OUT_OF_SCOPE = "out_of_scope"
DECISIONS = ("topic", OUT_OF_SCOPE, "discard")
STATUS = {"topic": "topic", OUT_OF_SCOPE: OUT_OF_SCOPE, "discard": "discarded"}
# Why a labelled text was not written, as the end of "Not added to <file>: ...".
IN_EVALUATION = "the text is in an evaluation set"
ALREADY_TRAINED = "the text is already in the training data"
NO_EVALUATION = "no evaluation sets here to check it against (run the console from a checkout)"
_writing = threading.Lock()


class ReviewError(ValueError):
    """A decision that cannot be taken: unknown item, decision or topic, or an empty text."""


def reviewed_file() -> Path:
    return Path(os.environ.get("REVIEWED_NLU_FILE") or DEFAULT_FILE)


def evaluation_dir() -> Path:
    return Path(os.environ.get("EVALUATION_DIR") or EVALUATION_DIR)


@lru_cache(maxsize=1)
def topic_ids() -> Tuple[str, ...]:
    """The topics a reviewer can assign: one per playbook (playbooks/<topic>.yml)."""
    return tuple(sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml")))


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def one_line(text: str) -> str:
    """A text as one training example line: whitespace collapsed, Rasa's entity markup
    (`[word](entity)`) made plain, backslashes made "/" (Rasa reads an all-ASCII YAML file
    through a unicode-escape decoder: "C:\\Users" stopped training, "\\u0041" became "A"), at
    most MAX_TEXT characters."""
    text = re.sub(r"\s+", " ", text).strip().replace("[", "(").replace("]", ")")
    return text.replace("\\", "/")[:MAX_TEXT]


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str) and key in ("text", "examples"):
        yield from _example_lines(value) if key == "examples" else (value,)


def _example_lines(block: str) -> Iterator[str]:
    for line in block.splitlines():
        if line.strip().startswith("- "):
            yield line.strip()[2:]


def _texts_in(files: List[Path]) -> FrozenSet[str]:
    found = set()
    for file in files:
        try:
            found.update(normal(t) for t in _strings(yaml.safe_load(file.read_text("utf-8"))))
        except (OSError, yaml.YAMLError):
            continue
    return frozenset(found)


def evaluation_texts() -> FrozenSet[str]:
    return _texts_in(sorted(evaluation_dir().glob("*.yml")))


def training_texts() -> FrozenSet[str]:
    return _texts_in(sorted((ROOT / "data").rglob("*.yml")) + [reviewed_file()])


def _iso(stamp: Optional[float]) -> Optional[str]:
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def open_items(engine: Engine, limit: int = 50) -> List[Dict[str, Any]]:
    create_tables(engine)
    query = (
        sa.select(review_items)
        .where(review_items.c.status == "open")
        .order_by(review_items.c.created.desc(), review_items.c.id.desc())
        .limit(max(1, min(int(limit), 500)))
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        {
            "id": r.id,
            "created": _iso(r.created),
            "text": r.text,
            "predicted": r.predicted,
            "confidence": r.confidence,
            "reason": r.reason,
        }
        for r in rows
    ]


def decide(
    engine: Engine,
    item_id: int,
    decision: str,
    topic: Optional[str] = None,
    text: Optional[str] = None,
) -> Dict[str, Any]:
    """Records a reviewer's decision and writes a labelled text to the reviewed file."""
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}")
    if decision == "topic" and topic not in topic_ids():
        raise ReviewError("choose one of the topics")
    label = topic if decision == "topic" else OUT_OF_SCOPE
    create_tables(engine)
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(review_items).where(review_items.c.id == int(item_id))
        ).first()
        if row is None:
            raise ReviewError("no such item")
        example = one_line(text if text is not None else row.text)
        if decision != "discard" and not example:
            raise ReviewError("the text is empty")
        written, refused = (False, None)
        if decision != "discard":
            written, refused = write_example(label, example)
        connection.execute(
            sa.update(review_items)
            .where(review_items.c.id == row.id)
            .values(
                status=STATUS[decision],
                assigned=None if decision == "discard" else label,
                text=example or row.text,
                reviewed=time.time(),
                written=written or refused == ALREADY_TRAINED,
            )
        )
    return {
        "status": STATUS[decision],
        "written": written,
        "file": str(reviewed_file()),
        "refused": refused,
    }


def write_example(intent: str, text: str) -> Tuple[bool, Optional[str]]:
    """Appends `text` under `intent` in the reviewed file: (written, why not)."""
    key = normal(text)
    if not any(evaluation_dir().glob("*.yml")):
        return False, NO_EVALUATION  # a console away from the checkout: nothing to check by
    if key in evaluation_texts():
        return False, IN_EVALUATION
    with _writing:
        if key in training_texts():
            return False, ALREADY_TRAINED
        path = reviewed_file()
        blocks = load_reviewed(path)
        blocks.setdefault(intent, []).append(one_line(text))
        _save(path, blocks)
    return True, None


def load_reviewed(path: Path) -> Dict[str, List[str]]:
    """The reviewed-examples file as {intent: its texts}; empty when there is none yet."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    blocks: Dict[str, List[str]] = {}
    for block in data.get("nlu") or ():
        blocks.setdefault(block["intent"], []).extend(_example_lines(block.get("examples", "")))
    return blocks


HEADER = (
    "# Examples a reviewer labelled in the team console's review queue (team_console/review.py),\n"
    "# written by the console and `make review-export`; trained on with the rest of data/.\n"
)


def _save(path: Path, blocks: Dict[str, List[str]]) -> None:
    lines = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent in sorted(blocks):
        lines.append(f"- intent: {intent}\n  examples: |\n")
        lines.extend(f"    - {text}\n" for text in blocks[intent])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.replace(path)


def unwritten(engine: Engine) -> List[Any]:
    """Labelled items not yet in the reviewed file (decided where it could not be written)."""
    create_tables(engine)
    query = sa.select(review_items).where(
        review_items.c.status.in_(("topic", OUT_OF_SCOPE)), review_items.c.written.is_(False)
    )
    with engine.connect() as connection:
        return connection.execute(query).all()


def export(engine: Engine) -> Dict[str, int]:
    """Writes every labelled item not yet written; counts by what happened."""
    counts = {"written": 0, IN_EVALUATION: 0, ALREADY_TRAINED: 0, NO_EVALUATION: 0}
    for row in unwritten(engine):
        written, refused = write_example(row.assigned, row.text)
        counts["written" if written else refused] += 1
        if written or refused == ALREADY_TRAINED:
            with engine.begin() as connection:
                connection.execute(
                    sa.update(review_items).where(review_items.c.id == row.id).values(written=True)
                )
    return counts
