"""skops.io, imported without its scan of every loaded module.

When skops.io is first imported it names numpy's and scipy.special's ufuncs. A ufunc has no
`__module__`, so skops searches every module in `sys.modules` for it (pickle's
`whichmodule`). In a Rasa process that is about 5,600 modules, TensorFlow's included, for
about 800 ufuncs: 5 to 7 seconds of every start and of every training. Each of those
ufuncs lives in one of two compiled modules (UFUNC_HOMES): looking there first finds the
names a process with only numpy and scipy loaded finds, in a tenth of a second.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any, Callable

# Where a process with only numpy and scipy loaded finds the ufuncs skops.io._trusted_types
# names (a ufunc missing from both is still searched for in every module).
UFUNC_HOMES = ("numpy.core._multiarray_umath", "scipy.special._ufuncs")


def _homes_first(fallback: Callable[[Any, str], str]) -> Callable[[Any, str], str]:
    def whichmodule(obj: Any, name: str) -> str:
        module = getattr(obj, "__module__", None)
        if module is not None:
            return module
        for home in UFUNC_HOMES:
            if getattr(sys.modules.get(home), name, None) is obj:
                return home
        return fallback(obj, name)

    return whichmodule


def skops_io() -> ModuleType:
    """`skops.io`, its first import made with the fast lookup (restored afterwards)."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    for home in UFUNC_HOMES:
        importlib.import_module(home)

    # The package's __init__ is what names the ufuncs, so its module is made and registered
    # first, its _utils loaded and patched, and only then is the __init__ run, as importlib
    # itself would run it.
    spec = importlib.util.find_spec("skops.io")
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["skops.io"] = package
    try:
        utils = importlib.import_module("skops.io._utils")
        original = utils.whichmodule
        utils.whichmodule = _homes_first(original)
        try:
            spec.loader.exec_module(package)
        finally:
            utils.whichmodule = original
    except BaseException:
        sys.modules.pop("skops.io", None)
        raise
    return package
