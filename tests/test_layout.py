"""The tree is laid out by process and imports run one way (tools/layout.py)."""

from __future__ import annotations

import re
import subprocess

from tests.helpers import ROOT
from tools.layout import ALLOWED, loose_modules, violations


def test_no_import_runs_the_wrong_way():
    assert violations(ROOT) == []


def test_the_check_catches_a_wrong_import(tmp_path):
    for room in ALLOWED:
        (tmp_path / room).mkdir()
    (tmp_path / "common" / "masking.py").write_text("import actions.engine\n")
    (tmp_path / "actions" / "engine.py").write_text("from tools.servers import ROOT\n")
    (tmp_path / "account_backend" / "api.py").write_text("from common import logs\n")
    (tmp_path / "rasa_plugins" / "x.py").write_text("def f():\n    from tests import helpers\n")
    assert violations(tmp_path) == [
        "common/masking.py:1: common imports actions",
        "rasa_plugins/x.py:2: rasa_plugins imports tests",
        "actions/engine.py:1: actions imports tools",
    ]


def test_no_python_module_is_loose_at_the_root():
    assert loose_modules(ROOT) == []


def tracked_folders() -> set:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}


def test_the_readme_layout_names_every_folder_and_only_those():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)/`", section, flags=re.M))
    assert listed == tracked_folders()
