"""The project's rooms and which may import which: the rule tests/test_layout.py enforces.

One root folder per process (README "Layout"). Imports run one way: the shared floor
(`common`) imports nothing of ours; each process's folder imports only the floor (retention
also reads the backend's and the team console's tables); tooling may import the product, the
product never imports tooling or tests.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Tuple

FLOOR = frozenset({"common"})
ALLOWED: Dict[str, FrozenSet[str]] = {
    "common": frozenset(),
    "rasa_plugins": FLOOR,
    "actions": FLOOR,
    "account_backend": FLOOR,
    "retention": FLOOR | {"account_backend", "team_console"},
    "help_site": FLOOR,
    "team_console": FLOOR,
    "tools": FLOOR
    | {"rasa_plugins", "actions", "account_backend", "retention", "help_site", "team_console"},
}
ROOMS = frozenset(ALLOWED) | {"tests"}


def project_imports(source: str) -> Iterator[Tuple[int, str]]:
    """(line, top-level package) of every absolute import in `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def violations(root: Path) -> List[str]:
    """`path:line: room imports other` for every import the rules forbid."""
    found = []
    for room, allowed in ALLOWED.items():
        for file in sorted((root / room).rglob("*.py")):
            for line, package in project_imports(file.read_text(encoding="utf-8")):
                if package in ROOMS and package != room and package not in allowed:
                    found.append(f"{file.relative_to(root)}:{line}: {room} imports {package}")
    return found


def loose_modules(root: Path) -> List[str]:
    return sorted(p.name for p in root.glob("*.py"))
