"""skops.io imported the fast way names the same types as a bare import does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NAMES = """
import json, sys
if sys.argv[1] == "fast":
    import rasa.core.agent  # thousands of modules loaded, as in a Rasa process
    from rasa_plugins.nlu.skops_import import skops_io
    skops_io()
    from skops.io import _utils
    restored = _utils.whichmodule.__module__ == "skops.io._utils"
else:
    import skops.io  # noqa: F401
    restored = True
from skops.io import _trusted_types as t
print(json.dumps({
    "numpy_ufuncs": t.NUMPY_UFUNC_TYPE_NAMES,
    "scipy_ufuncs": t.SCIPY_UFUNC_TYPE_NAMES,
    "dtypes": t.NUMPY_DTYPE_TYPE_NAMES,
    "estimators": t.SKLEARN_ESTIMATOR_TYPE_NAMES,
    "restored": restored,
}))
"""


def _names(how: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", NAMES, how],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fast_import_names_the_types_a_bare_import_names():
    bare, fast = _names("bare"), _names("fast")
    assert fast.pop("restored") is True
    bare.pop("restored")
    assert len(bare["numpy_ufuncs"]) > 50 and len(bare["scipy_ufuncs"]) > 100
    assert fast == bare


def test_a_second_call_returns_the_loaded_module():
    from rasa_plugins.nlu.skops_import import skops_io

    assert skops_io() is skops_io()
    assert skops_io() is sys.modules["skops.io"]
