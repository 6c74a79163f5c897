"""The benchmark's load scripts still get the replies they expect from the real assistant.

A script whose expected text drifted walks another path than the one it was written for, and
the benchmark would measure that path instead (each drift shows as a `mismatch`)."""

from __future__ import annotations

import asyncio

import pytest

from tools.bench.load import SCRIPTS, Settings, run_load
from tools.servers import IDENTITY_SECRET

pytestmark = pytest.mark.model


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.name for script in SCRIPTS])
def test_each_load_script_gets_its_expected_replies(assistant, script):
    settings = Settings(
        url=assistant.url,
        users=1,
        duration=60.0,
        max_turns=12,
        think_time=0.0,
        scripts=(script,),
        identity_secret=IDENTITY_SECRET,
    )
    result = asyncio.run(run_load(settings))
    assert result["error_count"] == 0
    assert result["turns"] >= len(script.steps)
    assert result["mismatches"] == {}
