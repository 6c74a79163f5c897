"""The NLU training examples of data/nlu as plain (text, intent) pairs.

Used by the baselines that are not Rasa pipelines (tools.bench.baselines), so that every system
of the benchmark learns from exactly the same examples. Entity markup is stripped the way
Rasa reads it: `[JohnDev](username)`, `[x](entity:value)` and `[x]{"entity": ...}` all
become the plain text `JohnDev` / `x`. Blocks that are not intents (regex, lookup,
synonym) are skipped: they are features of a Rasa pipeline, not examples.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import yaml

NLU_DIR = Path("data/nlu")

# The annotation forms of Rasa's YAML format: [text](entity), [text](entity:value),
# [text]{"entity": "name", ...} and [text][{...}, {...}].
ENTITY_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")

Example = Tuple[str, str]  # (text, intent)


def strip_entities(text: str) -> str:
    """The text a user typed: entity annotations removed, their words kept."""
    return ENTITY_MARKUP.sub(lambda match: match.group("text"), text)


def _texts(examples: object) -> Iterable[str]:
    """The examples of one intent block: a `- item` string or a list of `{text: ...}`."""
    if isinstance(examples, str):
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield line[2:].strip()
            elif line == "-":
                continue
    elif isinstance(examples, list):
        for item in examples:
            text = item.get("text") if isinstance(item, dict) else item
            if text is not None:
                yield from _texts(f"- {text}")


def load_file(path: Path) -> List[Example]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs: List[Example] = []
    for block in raw.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        intent = str(block["intent"])
        for text in _texts(block.get("examples")):
            plain = strip_entities(text).strip()
            if plain:
                pairs.append((plain, intent))
    return pairs


def nlu_files(directory: Path = NLU_DIR) -> List[Path]:
    return sorted(p for p in Path(directory).rglob("*") if p.suffix in (".yml", ".yaml"))


def load_training_data(directory: Path = NLU_DIR) -> List[Example]:
    """Every intent example under `directory`, in file order."""
    pairs: List[Example] = []
    for path in nlu_files(directory):
        pairs.extend(load_file(path))
    if not pairs:
        raise ValueError(f"{directory}: no intent examples found")
    return pairs


def fingerprint(paths: Sequence[Path], extra: str = "") -> str:
    """sha256 over the files' names and contents (and `extra`), for reuse stamps.

    Only base names count, so a copy of data/nlu elsewhere has the same fingerprint.
    """
    digest = hashlib.sha256()
    for path in sorted((Path(p) for p in paths), key=lambda path: path.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(extra.encode())
    return digest.hexdigest()
