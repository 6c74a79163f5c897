from __future__ import annotations

import pytest

from tests.servers import MODEL, start_assistant, stop


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test trains it)")
    assistant, processes = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield assistant
    stop(processes)
