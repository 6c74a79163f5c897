"""Known advisories of the locked Python packages, from a local copy of the PyPA advisory
database (https://github.com/pypa/advisory-database, OSV YAML: the data PyPI's vulnerability
API and so `pip-audit` serve). For machines where pip-audit cannot ask PyPI (`make audit`
is the usual check; docs/security-advisories.md).

    python tools/audit_offline.py --db ../advisory-database requirements/*.lock

Prints one line per advisory that affects a locked version; exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List

import yaml
from packaging.version import InvalidVersion, Version


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(path: Path) -> Dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            pins[normalize(match.group(1))] = match.group(2)
    return pins


def affects(version: str, affected: dict) -> bool:
    """Whether an OSV `affected` entry covers `version` (its list or its ECOSYSTEM ranges)."""
    if version in affected.get("versions", []):
        return True
    current = Version(version)
    for span in affected.get("ranges", []):
        if span.get("type") != "ECOSYSTEM":
            continue
        introduced = None
        for event in span.get("events", []):
            if "introduced" in event:
                introduced = Version(event["introduced"])
            elif "fixed" in event and introduced is not None:
                if introduced <= current < Version(event["fixed"]):
                    return True
                introduced = None
            elif "last_affected" in event and introduced is not None:
                if introduced <= current <= Version(event["last_affected"]):
                    return True
                introduced = None
        if introduced is not None and current >= introduced:
            return True
    return False


def fixed_in(affected: dict) -> List[str]:
    return [
        event["fixed"]
        for span in affected.get("ranges", [])
        if span.get("type") == "ECOSYSTEM"
        for event in span.get("events", [])
        if "fixed" in event
    ]


def advisories(db: Path, name: str, version: str) -> Iterator[str]:
    folder = db / "vulns" / name
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        if entry.get("withdrawn"):
            continue
        for affected in entry.get("affected", []):
            if normalize(affected["package"]["name"]) != name:
                continue
            try:
                if not affects(version, affected):
                    continue
            except InvalidVersion:
                continue
            aliases = ",".join(entry.get("aliases", []))
            fixed = ",".join(fixed_in(affected)) or "no fix"
            yield f"{name}=={version}  {entry['id']}  {aliases}  fixed in: {fixed}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="a clone of the PyPA database")
    parser.add_argument("locks", nargs="+", type=Path)
    args = parser.parse_args()
    found = False
    for lock in args.locks:
        pins = lock_pins(lock)
        print(f"== {lock} ({len(pins)} packages)")
        for name, version in sorted(pins.items()):
            for line in advisories(args.db, name, version):
                print(line)
                found = True
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
