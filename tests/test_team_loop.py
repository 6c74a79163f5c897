"""The learning loop over the real stack: scripted conversations give exactly the expected
figures in `make report`'s output; nothing personal reaches the analytics tables or the review
queue; a reviewed real message, after the retrain command, is classified as the reviewer said,
with the evaluation before and after printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Optional

import pytest
import sqlalchemy as sa

from team_console import review
from team_console.database import connect
from team_console.refresh import refresh
from tests.test_conversations import texts
from tools.servers import ROOT, start_assistant, stop

pytestmark = pytest.mark.model

# Confused today with an API-key question at low confidence (0.58 when written): a profile
# badge is outside every topic, so a reviewer confirms it out of scope.
CONFUSED = "my profile page shows a grey ghost badge instead of my avatar"


@pytest.fixture(scope="module")
def stack(backend, tmp_path_factory):
    """A stack of its own: its tracker database holds only this module's conversations."""
    workdir = tmp_path_factory.mktemp("team-loop")
    assistant, processes = start_assistant(workdir, backend)
    yield assistant, f"sqlite:///{workdir / 'tracker.db'}"
    stop(processes)


def run(*command: str, env: Optional[dict] = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def table_dump(url: str) -> str:
    engine = sa.create_engine(url, future=True)
    tables = ("analytics_conversations", "analytics_steps", "review_items")
    with engine.connect() as connection:
        rows = [
            list(map(str, row))
            for name in tables
            for row in connection.execute(sa.text(f"SELECT * FROM {name}"))
        ]
    engine.dispose()
    return json.dumps(rows, ensure_ascii=False)


def test_nothing_personal_reaches_the_analytics_or_the_review_queue(stack, tmp_path):
    assistant, url = stack
    user = f"private-{uuid.uuid4().hex[:8]}"
    for text in (
        "hi, I'm jane.doe@example.com and my backup is jd+nuget@contoso.co.uk",
        "what is the weather like for jane.doe@example.com in Paris",
        "zzkq blorp account1@outlook.com frobnicate",
    ):
        assistant.say(user, text)
    run("team_console.report", "--db", url, "--json", str(tmp_path / "r.json"))
    dumped = table_dump(url)
    for secret in ("jane.doe@example.com", "jd+nuget@contoso.co.uk", "account1@outlook.com", user):
        assert secret not in dumped
    assert "j***e@example.com" in dumped  # the texts are there, masked


def test_a_reviewed_message_is_learnt_after_the_retrain_command(stack, tmp_path, monkeypatch):
    assistant, url = stack
    user = f"review-{uuid.uuid4().hex[:8]}"
    replies = assistant.say(user, CONFUSED)
    assert "outside" not in texts(replies).lower()  # taken for a topic today
    assistant.say(user, "no, that's not my question")
    reviewed = tmp_path / "reviewed.yml"
    monkeypatch.setenv("REVIEWED_NLU_FILE", str(reviewed))
    engine = connect(url)
    refresh(engine)
    item = next(i for i in review.open_items(engine) if i["text"] == CONFUSED)
    assert item["reason"] in ("low_confidence", "corrected")
    assert item["predicted"] != "out_of_scope"
    decided = review.decide(engine, item["id"], "out_of_scope")
    engine.dispose()
    assert decided["written"] and f"    - {CONFUSED}" in reviewed.read_text()
    models = tmp_path / "models"
    output = run(
        "tools.retrain_reviewed",
        "--out",
        str(models),
        "--report",
        str(tmp_path / "r.json"),
        env={**os.environ, "REVIEWED_NLU_FILE": str(reviewed)},
    )
    figures = json.loads((tmp_path / "r.json").read_text())
    assert figures["before"]["reviewed examples"]["accuracy"] == 0.0
    assert figures["after"]["reviewed examples"]["accuracy"] == 1.0
    assert "utterances" in figures["after"] and "accuracy before" in output
    print(output)
