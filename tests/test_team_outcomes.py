"""What a conversation's events say happened (team_console/outcomes.py), and the figures and
review queue built from them (refresh.py, figures.py, review.py) on a real SQLite database."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa

from team_console import review
from team_console.figures import Period, figures
from team_console.outcomes import sessions, summarize
from team_console.refresh import refresh
from team_console.tables import conversations, events, review_items

T0 = 1_780_000_000.0  # a fixed moment, so days and idle times are known


class Script:
    """Events as Rasa's tracker store keeps them, one conversation after another."""

    def __init__(self, start: float = T0) -> None:
        self.clock = start
        self.rows: List[Dict[str, Any]] = []

    def _add(self, event: Dict[str, Any], seconds: float = 1.0) -> Script:
        self.clock += seconds
        self.rows.append({"timestamp": self.clock, **event})
        return self

    def start(self) -> Script:
        self._add({"event": "action", "name": "action_session_start"})
        return self._add({"event": "session_started"})

    def user(self, text: str, intent: str, confidence: float = 0.99, **entities: str) -> Script:
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        return self._add(
            {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}
        )

    def slot(self, name: str, value: Any) -> Script:
        return self._add({"event": "slot", "name": name, "value": value}, 0.0)

    def action(self, name: str) -> Script:
        return self._add({"event": "action", "name": name}, 0.0)

    def loop(self, name: Any) -> Script:
        return self._add({"event": "active_loop", "name": name}, 0.0)

    def topic(self, topic: str, step: int = 1, awaiting: str = "step") -> Script:
        self.slot("topic", topic).slot("playbook_path", "main")
        return self.slot("playbook_step", float(step)).slot("awaiting", awaiting)

    def numbered(self) -> List[tuple]:
        return list(enumerate(self.rows, 1))


def one(script: Script):
    summary = summarize(sessions(script.numbered())[-1])
    assert summary is not None
    return summary


def test_a_confirmed_fix_is_resolved_and_the_furthest_step_is_kept():
    script = Script().start().user("forgot my password", "recover_password_login")
    script.topic("recover_password_login", 1).user("/next_step", "next_step")
    script.slot("playbook_step", 2.0).user('/affirm{"outcome": "worked"}', "affirm")
    script.slot("conversation_outcome", "resolved").slot("awaiting", None)
    summary = one(script)
    assert summary.state == "resolved"
    assert summary.topic == "recover_password_login"
    assert summary.furthest == {("recover_password_login", "main"): 2}
    assert summary.user_messages == 3 and summary.channel == "rest"
    assert summary.candidates == []


def test_a_walkthrough_left_waiting_is_in_progress_with_where_it_stood():
    script = Script().start().user("delete my account", "delete_account")
    script.topic("delete_account", 1).user("/deny", "deny").slot("playbook_step", 1.0)
    summary = one(script)
    assert summary.state == "in_progress"
    assert summary.left == ("delete_account", "main", 1)
    assert summary.stuck == ("delete_account", "main", 1)


def test_an_answer_nothing_waits_on_is_unconfirmed_and_a_new_topic_overrides_a_milestone():
    script = Script().start().user("weather?", "out_of_scope").action("action_out_of_scope")
    script.slot("conversation_outcome", "refused")
    assert one(script).state == "refused"
    script.user("is my username case sensitive", "change_username")
    script.topic("change_username", 0, "offer_walkthrough").user("no thanks", "deny")
    script.slot("awaiting", None)
    assert one(script).state == "unconfirmed"


def test_unsure_messages_are_candidates_and_answers_to_forms_never_are():
    script = Script().start().user("my thing is broken", "nlu_fallback", 0.3)
    script.action("action_did_you_mean")
    script.user("how do I add an owner", "manage_package_owners", 0.55)
    script.topic("manage_package_owners").user("wrong question", "wrong_topic")
    script.loop("contact_form").user("me@example.com", "inform", 0.2).loop(None)
    script.user("what is the meaning of life", "out_of_scope", 0.9)
    reasons = {c.text: c.reason for c in one(script).candidates}
    assert reasons == {
        "my thing is broken": "fallback",
        "how do I add an owner": "low_confidence",
        "what is the meaning of life": "out_of_scope",
    }


def test_a_correction_and_a_thumbs_down_flag_the_question_they_are_about():
    script = Script().start().user("remove me as owner", "delete_account", 0.93)
    script.topic("delete_account").user("that's not my question", "wrong_topic")
    assert [c.reason for c in one(script).candidates] == ["corrected"]
    script = Script().start().user("key expired", "manage_api_keys", 0.95)
    script.topic("manage_api_keys").user('/feedback{"helpful": "no"}', "feedback", helpful="no")
    script.slot("conversation_feedback", "down")
    script.loop("feedback_form").user("it did not say where", "inform").loop(None)
    script.slot("feedback_comment", "it did not say where")
    summary = one(script)
    assert (summary.feedback, summary.comment) == ("down", "it did not say where")
    assert [(c.text, c.reason) for c in summary.candidates] == [("key expired", "thumbs_down")]


def test_feedback_counts_only_as_the_actions_took_it_and_carried_slots_are_no_news():
    script = Script().start().user("forgot password", "recover_password_login")
    script.topic("recover_password_login").user("/affirm", "affirm")
    script.slot("conversation_outcome", "resolved").slot("awaiting", "feedback")
    script.user('/feedback{"helpful": "no"}', "feedback", helpful="no")  # a stale button:
    assert one(script).feedback is None  # the actions set no conversation_feedback
    script.user("yes", "affirm").slot("conversation_feedback", "up").slot("awaiting", None)
    assert (one(script).feedback, one(script).state) == ("up", "resolved")
    # The next session starts with the old slots set again by Rasa, before any message.
    script.start().slot("conversation_outcome", "resolved").slot("conversation_feedback", "up")
    script.slot("topic", "recover_password_login").slot("awaiting", None)
    script.user("hello again", "greet")
    summary = one(script)
    assert (summary.state, summary.feedback, summary.topic) == ("no_topic", None, None)


def test_left_at_did_this_help_is_unconfirmed_and_left_in_a_form_is_in_progress():
    script = Script().start().user("is my username case sensitive", "change_username")
    script.topic("change_username", 0, "offer_walkthrough").user("no, that's all", "deny")
    assert one(script).state == "unconfirmed"
    script.slot("awaiting", "feedback")
    assert one(script).state == "unconfirmed"
    script = Script().start().user("which microsoft account is linked", "change_microsoft_account")
    script.slot("topic", "change_microsoft_account").loop("account_form")
    assert one(script).state == "in_progress"


def test_sessions_split_and_a_session_without_user_messages_is_no_conversation():
    script = Script().start().user("hi", "greet").start()
    parts = sessions(script.numbered())
    assert len(parts) == 2
    assert summarize(parts[0]).state == "no_topic"
    assert summarize(parts[1]) is None


# --- the tables, on a real database -------------------------------------------------------


@pytest.fixture
def engine(db_url):
    """SQLite, and PostgreSQL when the test command started one (tests/conftest.py)."""
    engine = sa.create_engine(db_url, future=True)
    events.create(engine)
    yield engine
    engine.dispose()


def store(engine, sender: str, script: Script) -> None:
    rows = [
        {
            "sender_id": sender,
            "type_name": e["event"],
            "timestamp": e["timestamp"],
            "data": json.dumps(e),
        }
        for e in script.rows
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(events), rows)


def resolved(start: float) -> Script:
    script = Script(start).start().user("forgot password", "recover_password_login")
    script.topic("recover_password_login").user("/affirm", "affirm")
    script.slot("conversation_outcome", "resolved").slot("awaiting", "feedback")
    script.user('/feedback{"helpful": "yes"}', "feedback", helpful="yes")
    return script.slot("conversation_feedback", "up").slot("awaiting", None)


def test_figures_count_each_outcome_once_and_refresh_is_incremental(engine):
    store(engine, "alice", resolved(T0))
    abandoned = Script(T0 + 10).start().user("delete my account", "delete_account")
    store(engine, "bob", abandoned.topic("delete_account", 2))
    refused = Script(T0 + 20).start().user("what's the weather", "out_of_scope")
    store(engine, "carol", refused.slot("conversation_outcome", "refused"))
    assert refresh(engine, now=T0 + 100) == 3
    period = Period(T0 - 86_400, T0 + 86_400)
    early = figures(engine, period, idle_minutes=30, now=T0 + 100)
    assert (early["conversations"], early["resolved"], early["open"]) == (3, 1, 1)
    late = figures(engine, period, idle_minutes=30, now=T0 + 3600)
    assert (late["abandoned"], late["open"], late["refused"]) == (1, 0, 1)
    assert late["answer_rate"] == round(2 / 3, 4)
    assert (late["thumbs_up"], late["thumbs_up_share"]) == (1, 1.0)
    assert late["top_unanswered"] == [
        {"text": "what's the weather", "count": 1, "reason": "out_of_scope"}
    ]
    assert late["funnels"] == [
        {"topic": "delete_account", "path": "main", "steps": [1, 1]},
        {"topic": "recover_password_login", "path": "main", "steps": [1]},
    ]
    assert sum(day["conversations"] for day in late["by_day"]) == 3
    # Nothing new since: the margin re-reads only the recently active senders.
    assert refresh(engine, now=T0 + 10_000) == 0
    store(engine, "alice", resolved(T0 + 20_000))
    assert refresh(engine, now=T0 + 20_100) == 2  # alice's both sessions, derived again
    with engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(conversations)).scalar() == 4
        )


def test_a_lone_surrogate_in_a_stored_text_is_kept_as_a_question_mark(engine):
    """Valid in JSON, so in a stored event; no database encoder takes it."""
    store(engine, "odd", Script().start().user("\udcff what", "out_of_scope", 0.9))
    assert refresh(engine, now=T0 + 100) == 1
    assert [item["text"] for item in review.open_items(engine)] == ["? what"]


def test_no_sender_id_or_address_reaches_the_tables(engine):
    script = Script().start().user("my address is jane.doe@example.com, help", "out_of_scope")
    store(engine, "slack-U123SECRET", script)
    refresh(engine, now=T0 + 100)
    with engine.connect() as connection:
        dumped = json.dumps(
            [
                [list(map(str, row)) for row in connection.execute(sa.select(table))]
                for table in (conversations, review_items)
            ]
        )
    assert "U123SECRET" not in dumped and "jane.doe@example.com" not in dumped
    assert "j***e@example.com" in dumped


def test_a_reviewed_item_becomes_a_training_example_unless_it_is_an_evaluation_text(
    engine, tmp_path, monkeypatch
):
    target = tmp_path / "reviewed.yml"
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    (evaluation / "set.yml").write_text(
        'examples:\n  - text: "Nuget key wont upload"\n    topic: manage_api_keys\n'
    )
    monkeypatch.setenv("REVIEWED_NLU_FILE", str(target))
    monkeypatch.setenv("EVALUATION_DIR", str(evaluation))
    script = Script().start().user("zork my nuget thingy please", "nlu_fallback", 0.2)
    script.user("nuget key wont upload", "nlu_fallback", 0.2)
    store(engine, "dave", script)
    refresh(engine, now=T0 + 100)
    items = {i["text"]: i for i in review.open_items(engine)}
    assert set(items) == {"zork my nuget thingy please", "nuget key wont upload"}
    done = review.decide(
        engine,
        items["zork my nuget thingy please"]["id"],
        "topic",
        topic="manage_api_keys",
        text="my nuget  key thingy\nexpired",
    )
    assert done == {"status": "topic", "written": True, "file": str(target), "refused": None}
    refused = review.decide(engine, items["nuget key wont upload"]["id"], "out_of_scope")
    assert refused["refused"] == review.IN_EVALUATION and not refused["written"]
    assert review.open_items(engine) == []
    written = target.read_text()
    assert "- intent: manage_api_keys" in written and "    - my nuget key thingy expired" in written
    assert "wont upload" not in written
    # Away from the checkout there are no evaluation sets to check by: nothing is written.
    monkeypatch.setenv("EVALUATION_DIR", str(tmp_path / "missing"))
    store(engine, "erin", Script(T0 + 50).start().user("blarg nuget gizmo", "nlu_fallback", 0.1))
    refresh(engine, now=T0 + 200)
    (late,) = review.open_items(engine)
    unchecked = review.decide(engine, late["id"], "topic", topic="manage_api_keys")
    assert unchecked["refused"] == review.NO_EVALUATION and "gizmo" not in target.read_text()
    # both labelled items not written yet wait for an export from a checkout
    assert review.export(engine)[review.NO_EVALUATION] == 2
    with pytest.raises(review.ReviewError):
        review.decide(engine, 999, "discard")
    with pytest.raises(review.ReviewError):
        review.decide(engine, 1, "topic", topic="not_a_topic")


def test_two_refreshes_at_once_give_each_row_once(engine):
    """The page and `make report` may refresh together: neither fails, nothing is doubled."""
    from concurrent.futures import ThreadPoolExecutor

    for n in range(40):
        script = Script(T0 + n).start().user(f"zork {n}", "nlu_fallback", 0.2)
        store(engine, f"user-{n}", script)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: refresh(engine, now=T0 + 100), range(2)))
    assert results[0] == results[1] == 40
    with engine.connect() as connection:
        for table in (conversations, review_items):
            count = sa.select(sa.func.count()).select_from(table)
            assert connection.execute(count).scalar() == 40


def test_a_training_line_is_one_plain_line_rasa_reads_back(tmp_path, monkeypatch):
    """Rasa reads an all-ASCII training file through a unicode-escape decoder."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    line = review.one_line("nuget.config in C:\\Users\\me\\AppData \\u0041\n[x](username)  ok")
    assert line == "nuget.config in C:/Users/me/AppData /u0041 (x)(username) ok"
    (tmp_path / "evaluation").mkdir()
    (tmp_path / "evaluation" / "set.yml").write_text("examples: []\n")
    monkeypatch.setenv("EVALUATION_DIR", str(tmp_path / "evaluation"))
    monkeypatch.setenv("REVIEWED_NLU_FILE", str(tmp_path / "nlu.yml"))
    assert review.write_example("out_of_scope", line) == (True, None)
    data = RasaYAMLReader().read(tmp_path / "nlu.yml")
    assert [m.get("text") for m in data.training_examples] == [line]
