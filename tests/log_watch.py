"""Reads only what server log files gained since a mark, and picks out error lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List

# Rasa and rasa-sdk write "<date> ERROR    <logger>  - ...", Rasa's structlog JSON carries
# "level": "error", uvicorn writes "ERROR:    Exception in ASGI application", Python's
# logging module prints "--- Logging error ---" when a record cannot be written.
ERROR_LINE = re.compile(
    r"Traceback|\bERROR\b|\bCRITICAL\b|\"level\": \"(error|critical)\"|--- Logging error ---"
)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class LogWatch:
    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = list(paths)
        self.offsets: Dict[Path, int] = {}
        self.mark()

    def mark(self) -> None:
        self.offsets = {path: _size(path) for path in self.paths}

    def grown(self) -> bool:
        return any(_size(path) > self.offsets[path] for path in self.paths)

    def new_text(self) -> Dict[Path, str]:
        found = {}
        for path in self.paths:
            if _size(path) <= self.offsets[path]:
                continue
            with path.open("rb") as handle:
                handle.seek(self.offsets[path])
                found[path] = handle.read().decode("utf-8", errors="replace")
        return found

    def error_lines(self) -> List[str]:
        """Error lines written since the mark, each prefixed with its file's name."""
        return [
            f"{path.name}: {line[:300]}"
            for path, text in self.new_text().items()
            for line in text.splitlines()
            if ERROR_LINE.search(line)
        ]


def server_logs(assistant) -> List[Path]:
    """The action server's and Rasa's logs, and the account backend's."""
    return [*assistant.logs, assistant.backend.log]
