"""The team console without a browser: sessions, CSRF and the password back-off (auth.py),
the period chosen (periods.py), the HTML (escaping, an empty period, rates of None) and the
app over real HTTP with analytics given by the test (the figures dict of the issue-17
contract, built by hand)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date
from typing import Any, Dict, List, Optional

import pytest
import requests
from sqlalchemy import create_engine

from team_console import auth, charts, pages, periods
from team_console.app import Analytics, Settings, create_app
from team_console.figures import DEFINITIONS
from tests.console_server import serving
from tests.helpers import ROOT

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PASSWORD = "correct horse battery staple"


def figures_of(**changes: Any) -> Dict[str, Any]:
    """A figures dict as team_console.figures.figures returns it (contract of issue 17)."""
    figures = {
        "period": {"start": "2024-05-01T00:00:00+00:00", "end": "2024-05-03T00:00:00+00:00"},
        "conversations": 7,
        "answered": 5,
        "answer_rate": 5 / 7,
        "resolved": 3,
        "resolution_rate": 3 / 7,
        "escalated": 1,
        "escalation_rate": 1 / 7,
        "refused": 1,
        "abandoned": 1,
        "open": 0,
        "unconfirmed": 1,
        "no_topic": 0,
        "thumbs_up": 2,
        "thumbs_down": 1,
        "thumbs_up_share": 2 / 3,
        "by_topic": [
            {
                "topic": "locked_account",
                "conversations": 4,
                "resolved": 2,
                "escalated": 1,
                "abandoned": 0,
                "thumbs_up": 1,
                "thumbs_down": 0,
            }
        ],
        "by_day": [
            {
                "day": "2024-05-01",
                "conversations": 4,
                "resolved": 2,
                "escalated": 1,
                "refused": 0,
                "abandoned": 0,
            },
            {
                "day": "2024-05-02",
                "conversations": 3,
                "resolved": 1,
                "escalated": 0,
                "refused": 1,
                "abandoned": 1,
            },
        ],  # fmt: skip
        "top_unanswered": [{"text": "how do I sign packages", "count": 3, "reason": "fallback"}],
        "funnels": [{"topic": "locked_account", "path": "main", "steps": [4, 3, 1]}],
        "definitions": {
            "conversations": "Sessions with at least one user message started in the period.",
            "answer_rate": "Share of conversations in which a topic was recognised.",
        },
    }
    figures.update(changes)
    return figures


def empty_figures() -> Dict[str, Any]:
    days = [
        {"day": d, "conversations": 0, "resolved": 0, "escalated": 0, "refused": 0, "abandoned": 0}
        for d in ("2024-05-01", "2024-05-02")
    ]
    counts = dict.fromkeys(
        ["conversations", "answered", "resolved", "escalated", "refused", "abandoned", "open"]
        + ["unconfirmed", "no_topic", "thumbs_up", "thumbs_down"],
        0,
    )
    rates = dict.fromkeys(
        ["answer_rate", "resolution_rate", "escalation_rate", "thumbs_up_share"], None
    )
    return figures_of(**counts, **rates, by_topic=[], by_day=days, top_unanswered=[], funnels=[])


ITEM = {
    "id": 12,
    "created": "2024-05-02T09:30:00+00:00",
    "text": "my api key stopped working",
    "predicted": "api_keys",
    "confidence": 0.41,
    "reason": "low_confidence",
}


class FakeAnalytics:
    """Records what the app asked; decide() answers as review.decide would."""

    def __init__(self, figures: Optional[Dict[str, Any]] = None) -> None:
        self.data = figures or figures_of()
        self.items: List[Dict[str, Any]] = [dict(ITEM)]
        self.refreshed = 0
        self.asked: List[tuple] = []
        self.decisions: List[tuple] = []
        self.refuse_texts = {"in the evaluation set already"}

    def refresh(self, engine) -> int:
        self.refreshed += 1
        return 0

    def figures(self, engine, start: float, end: float, idle_minutes: int) -> Dict[str, Any]:
        self.asked.append((start, end, idle_minutes))
        return self.data

    def open_items(self, engine) -> List[Dict[str, Any]]:
        return self.items

    def decide(self, engine, item_id, decision, topic=None, text=None) -> Dict[str, Any]:
        self.decisions.append((item_id, decision, topic, text))
        if decision == "discard":
            return {"status": "discarded", "written": False, "file": None, "refused": None}
        if text in self.refuse_texts:
            return {
                "status": decision,
                "written": False,
                "file": "data/reviewed/nlu.yml",
                "refused": "the text is in an evaluation set",
            }
        return {"status": decision, "written": True, "file": "data/reviewed/nlu.yml",
                "refused": None}  # fmt: skip

    def topic_ids(self) -> List[str]:
        return ["api_keys", "locked_account"]

    def as_analytics(self) -> Analytics:
        return Analytics(self.refresh, self.figures, self.open_items, self.decide, self.topic_ids)


# ---- auth.py ----

KEY = b"k" * 32


def test_a_session_cookie_round_trips_and_an_altered_one_is_refused():
    session = auth.new_session("team", now=1000.0)
    cookie = auth.encode(session, KEY)
    assert auth.decode(cookie, KEY, now=1001.0) == session
    payload, signature = cookie.split(".")
    forged = auth.encode(auth.Session(session.sid, session.expires + 10**6, "team"), b"x" * 32)
    assert auth.decode(forged, KEY, now=1001.0) is None  # signed with another key
    assert auth.decode(forged.split(".")[0] + "." + signature, KEY, now=1001.0) is None
    assert auth.decode(cookie, b"y" * 32, now=1001.0) is None
    for junk in (None, "", ".", "abc", "abc.def", payload + ".", "é.é"):
        assert auth.decode(junk, KEY) is None


def test_a_session_expires():
    session = auth.new_session("team", now=1000.0)
    cookie = auth.encode(session, KEY)
    assert auth.decode(cookie, KEY, now=1000.0 + auth.SIGNED_IN_SECONDS - 1) is not None
    assert auth.decode(cookie, KEY, now=1000.0 + auth.SIGNED_IN_SECONDS) is None
    visitor = auth.new_session(now=1000.0)
    assert visitor.expires == 1000.0 + auth.VISITOR_SECONDS and not visitor.signed_in


def test_a_csrf_token_belongs_to_one_session():
    one, other = auth.new_session("team"), auth.new_session("team")
    token = auth.csrf_token(one, KEY)
    assert auth.csrf_ok(one, token, KEY)
    assert not auth.csrf_ok(other, token, KEY)
    assert not auth.csrf_ok(one, token, b"z" * 32)
    assert not auth.csrf_ok(one, "", KEY) and not auth.csrf_ok(one, None, KEY)
    assert not auth.csrf_ok(None, token, KEY)


def test_the_password_is_needed_and_the_user_name_optional():
    assert auth.password_ok("team", "pw", "team", "pw")
    assert auth.password_ok("", "pw", "team", "pw")
    assert not auth.password_ok("someone", "pw", "team", "pw")
    assert not auth.password_ok("team", "wrong", "team", "pw")
    assert not auth.password_ok("team", "", "team", "")  # no password set: nobody gets in
    assert not auth.password_ok("team", "pwé", "team", "pw")  # any text, no TypeError


def test_wrong_passwords_back_off_doubling_up_to_a_bound_and_are_forgotten():
    backoff = auth.LoginBackoff(free=2, longest=8.0, forget_after=100.0)
    for _ in range(2):
        assert backoff.wait("a", now=0.0) == 0.0
        backoff.failed("a", now=0.0)
    assert backoff.wait("a", now=0.0) == 1.0
    assert backoff.wait("b", now=0.0) == 0.0  # per client
    backoff.failed("a", now=1.0)
    assert backoff.wait("a", now=1.0) == 2.0
    for _ in range(5):
        backoff.failed("a", now=1.0)
    assert backoff.wait("a", now=1.0) == 8.0
    assert backoff.wait("a", now=200.0) == 0.0  # an hour's quiet forgets
    backoff.succeeded("a")
    backoff.failed("a", now=300.0)
    assert backoff.wait("a", now=300.0) == 0.0


def test_the_back_off_remembers_a_bounded_number_of_clients():
    backoff = auth.LoginBackoff(clients=3)
    for client in "abcde":
        backoff.failed(client, now=0.0)
    assert list(backoff._failures) == ["c", "d", "e"]


# ---- periods.py ----

TODAY = date(2024, 5, 10)


@pytest.mark.parametrize(
    "query, first, last, last_days, notice",
    [
        ({}, "2024-05-04", "2024-05-10", 7, None),
        ({"days": "30"}, "2024-04-11", "2024-05-10", 30, None),
        ({"days": "9999"}, "2024-05-04", "2024-05-10", 7, None),
        ({"from": "2024-01-01", "to": "2024-01-31"}, "2024-01-01", "2024-01-31", None, None),
        ({"from": "2024-02-01", "to": "2024-01-31"}, "2024-05-04", "2024-05-10", 7, "after"),
        ({"from": "junk", "to": "2024-01-31"}, "2024-05-04", "2024-05-10", 7, "YYYY-MM-DD"),
        ({"from": "2020-01-01", "to": "2024-01-31"}, "2023-01-31", "2024-01-31", None, "366"),
    ],
)
def test_the_period_chosen(query, first, last, last_days, notice):
    choice = periods.choose(query, TODAY)
    assert (str(choice.first), str(choice.last), choice.last_days) == (first, last, last_days)
    assert (notice is None) == (choice.notice is None)
    assert notice is None or notice in choice.notice


def test_a_period_is_whole_utc_days_end_exclusive():
    start, end = periods.choose({"from": "2024-05-01", "to": "2024-05-02"}, TODAY).epoch_range()
    assert (start, end) == (1714521600.0, 1714694400.0)  # 2024-05-01 and 05-03, 00:00 UTC


# ---- pages.py and charts.py ----


def test_percentages_and_none():
    assert [pages.percent(r) for r in (None, 0, 1, 3 / 7, 0.5)] == [
        "–",
        "0%",
        "100%",
        "42.9%",
        "50%",
    ]


def test_hostile_texts_are_shown_as_text_everywhere():
    figures = figures_of(
        by_topic=[{**figures_of()["by_topic"][0], "topic": HOSTILE}],
        top_unanswered=[{"text": HOSTILE, "count": 1, "reason": HOSTILE}],
        funnels=[{"topic": HOSTILE, "path": HOSTILE, "steps": [2, 1]}],
        definitions={HOSTILE: HOSTILE},
    )
    choice = periods.choose({}, TODAY)
    item = {**ITEM, "text": HOSTILE, "predicted": HOSTILE, "reason": HOSTILE, "created": HOSTILE}
    flash = {"decision": "topic", "topic": HOSTILE, "written": True, "file": HOSTILE}
    html = pages.figures_page(figures, choice, HOSTILE, HOSTILE)
    html += pages.review_page([item], [HOSTILE], HOSTILE, HOSTILE, flash)
    html += pages.login_page(HOSTILE, HOSTILE, HOSTILE)
    assert "<script" not in html and "<img" not in html  # never a tag: text only
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)") >= 10


def test_an_empty_period_renders_with_no_rates():
    html = pages.figures_page(empty_figures(), periods.choose({}, TODAY), "team", "t")
    cards = re.findall(r'<dd class="value">([^<]*)</dd>', html)
    assert cards == ["0", "–", "–", "–", "–"]
    assert "No conversations" in html  # in the chart
    assert "No topic was recognised in this period." in html
    assert "Every question of this period was answered." in html
    assert "No walk-through was started." in html


def test_the_day_chart_stacks_each_outcome_and_has_a_title():
    svg = charts.day_chart(figures_of()["by_day"], "c", "Per day")
    assert '<svg class="chart"' in svg and 'role="img"' in svg
    assert '<title id="c-title">Per day</title>' in svg
    assert "7 conversations over 2 days" in svg
    # 2024-05-02: 1 resolved, 1 refused, 1 abandoned, nothing else; 05-01 has 1 "other"
    assert "<title>2024-05-02: 1 out of scope</title>" in svg
    assert "<title>2024-05-01: 1 other (open, unconfirmed, no topic)</title>" in svg
    assert charts.nice_ceiling(0) == 1 and charts.nice_ceiling(7) == 10
    assert charts.nice_ceiling(11) == 20 and charts.nice_ceiling(300) == 500


def test_a_funnel_shows_each_step_with_its_number():
    svg = charts.funnel_chart([4, 3, 1], "f", "Steps")
    assert ["4 (100%)", "3 (75%)", "1 (25%)"] == re.findall(r'class="number"[^>]*>([^<]*)<', svg)
    assert "step 1: 4, step 2: 3, step 3: 1" in svg
    assert charts.funnel_chart([0, 0], "g", "Steps").count('class="number"') == 2


def test_no_topic_is_chosen_for_an_item_unless_its_guess_is_one():
    page = pages.review_page([{**ITEM, "predicted": "nlu_fallback"}], ["api_keys"], "team", "t")
    assert '<option value="" selected>Choose a topic…</option>' in page
    assert '<option value="api_keys">' in page
    page = pages.review_page([ITEM], ["api_keys"], "team", "t")
    assert '<option value="">Choose a topic…</option>' in page
    assert '<option value="api_keys" selected>' in page


def test_decision_messages():
    written = {"decision": "topic", "topic": "api_keys", "written": True, "refused": None,
               "file": "data/reviewed/nlu.yml", "status": "topic"}  # fmt: skip
    assert "Added to data/reviewed/nlu.yml as an example of api_keys." in pages.decision_message(
        written
    )
    refused = {**written, "written": False, "refused": "the text is in an evaluation set"}
    assert (
        "Not added to data/reviewed/nlu.yml: the text is in an evaluation set."
        in pages.decision_message(refused)
    )
    discarded = {"decision": "discard", "written": False, "refused": None, "status": "discarded"}
    assert "Discarded" in pages.decision_message(discarded)
    assert 'role="alert"' in pages.decision_message({"error": "Choose a topic"})


def test_the_docs_say_what_each_figure_and_reason_means_in_the_page_s_words():
    docs = (ROOT / "docs" / "team.md").read_text(encoding="utf-8")
    for key, text in DEFINITIONS.items():
        assert f"| {pages.definition_name(key)} | {text} |" in docs, key
    for shown in pages.REASONS.values():
        assert f"| {shown} |" in docs, shown


def test_the_console_does_not_start_without_a_password(tmp_path):
    env = {
        **os.environ,
        "TEAM_CONSOLE_PASSWORD": "",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path}/t.db",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "team_console"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 2 and "TEAM_CONSOLE_PASSWORD is not set" in ran.stderr


# ---- the app over HTTP ----


@pytest.fixture
def fake():
    return FakeAnalytics()


@pytest.fixture
def console(fake, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    settings = Settings(password=PASSWORD, key=KEY)
    with serving(create_app(engine, settings, fake.as_analytics())) as url:
        yield url


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def log_in(url: str, password: str = PASSWORD, user: str = "") -> requests.Session:
    browser = requests.Session()
    token = csrf_of(browser.get(url + "/login", timeout=10).text)
    answer = browser.post(
        url + "/login",
        data={"csrf": token, "user": user, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    browser.last = answer
    return browser


def test_no_page_or_decision_without_login(console, fake):
    for path in ("/", "/review", "/?days=30"):
        answer = requests.get(console + path, allow_redirects=False, timeout=10)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
    answer = requests.post(console + "/review/12", data={"decision": "discard"}, timeout=10)
    assert answer.status_code == 401
    assert fake.refreshed == 0 and fake.decisions == [] and fake.asked == []
    login = requests.get(console + "/login", timeout=10)
    assert login.status_code == 200 and 'type="password"' in login.text
    assert "Figures" not in login.text  # no navigation before login


def test_a_login_leads_to_the_figures_with_a_strict_cookie(console, fake):
    browser = log_in(console, user="team")
    assert (browser.last.status_code, browser.last.headers["location"]) == (303, "/")
    cookie = browser.last.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert f"Max-Age={auth.SIGNED_IN_SECONDS}" in cookie
    page = browser.get(console + "/", timeout=10)
    assert page.status_code == 200
    assert "71.4%" in page.text and "5 of 7 conversations" in page.text  # answer rate
    assert "66.7%" in page.text  # thumbs-up share, over the 3 ratings
    assert fake.refreshed == 1 and fake.asked[-1][2] == 30
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert name in page.headers
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none'
    assert page.headers["Cache-Control"] == "no-store"


def test_a_chosen_period_is_asked_for(console, fake):
    browser = log_in(console)
    browser.get(console + "/?from=2024-05-01&to=2024-05-02", timeout=10)
    assert fake.asked[-1][:2] == (1714521600.0, 1714694400.0)
    page = browser.get(console + "/?from=bad&to=2024-05-02", timeout=10)
    assert "Give both dates as YYYY-MM-DD: showing the last 7 days." in page.text


def test_a_wrong_password_is_refused_then_backed_off(console):
    for attempt in range(3):  # the first three are free
        browser = log_in(console, password=f"wrong {attempt}")
        assert browser.last.status_code == 401, attempt
        assert "Wrong user name or password." in browser.last.text
        assert auth.COOKIE not in browser.cookies or "team" not in browser.cookies[auth.COOKIE]
    limited = log_in(console)  # even the right password waits its turn
    assert limited.last.status_code == 429 and limited.last.headers["Retry-After"] == "1"
    assert "Too many wrong passwords" in limited.last.text
    assert limited.get(console + "/", allow_redirects=False, timeout=10).status_code == 303
    time.sleep(1.1)
    assert log_in(console, password="wrong again").last.status_code == 401
    assert log_in(console).last.headers["Retry-After"] == "2"  # doubled


def test_a_wrong_user_name_is_refused(console):
    assert log_in(console, user="admin").last.status_code == 401


def test_a_form_without_its_csrf_token_is_refused(console, fake):
    visitor = requests.Session()
    visitor.get(console + "/login", timeout=10)
    answer = visitor.post(console + "/login", data={"password": PASSWORD}, timeout=10)
    assert answer.status_code == 403 and "expired" in answer.text
    browser = log_in(console)
    for data in ({}, {"csrf": "forged"}, {"csrf": csrf_of(visitor.get(console + "/login").text)}):
        answer = browser.post(console + "/review/12", data={**data, "decision": "discard"})
        assert answer.status_code == 403
        assert browser.post(console + "/logout", data=data).status_code == 403
    assert fake.decisions == []
    assert browser.get(console + "/", allow_redirects=False).status_code == 200  # still in


def test_an_expired_or_forged_session_cookie_is_sent_to_the_login(console):
    expired = auth.Session("sid", 1.0, "team")  # signed with the right key, long expired
    forged = auth.Session("sid", 4e9, "team")
    for session, key in ((expired, KEY), (forged, b"x" * 32)):
        browser = requests.Session()
        browser.cookies.set(auth.COOKIE, auth.encode(session, key))
        answer = browser.get(console + "/", allow_redirects=False, timeout=10)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_log_out(console):
    browser = log_in(console)
    token = csrf_of(browser.get(console + "/").text)
    answer = browser.post(console + "/logout", data={"csrf": token}, allow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert browser.get(console + "/", allow_redirects=False).status_code == 303


def review(browser: requests.Session, url: str, **data: str) -> str:
    """Posts one decision on item 12 and returns the review page it leads to."""
    token = csrf_of(browser.get(url + "/review", timeout=10).text)
    answer = browser.post(url + "/review/12", data={"csrf": token, **data}, timeout=10)
    assert answer.url == url + "/review"
    return answer.text


def test_the_review_queue_shows_an_item_and_records_a_decision(console, fake):
    browser = log_in(console)
    page = browser.get(console + "/review").text
    assert "my api key stopped working" in page and "api_keys (0.41)" in page
    assert (
        '<option value="api_keys" selected>' in page
        and "topic recognised with low confidence" in page
    )
    text = "  my api key\nstopped   working again "
    page = review(browser, console, decision="topic", topic="locked_account", text=text)
    assert fake.decisions == [(12, "topic", "locked_account", "my api key stopped working again")]
    assert "Added to data/reviewed/nlu.yml as an example of locked_account." in page
    assert "Added to" not in browser.get(console + "/review").text  # shown once


def test_a_refused_or_invalid_decision_says_why(console, fake):
    browser = log_in(console)
    page = review(browser, console, decision="out_of_scope", text="in the evaluation set already")
    assert "Not added to data/reviewed/nlu.yml: the text is in an evaluation set." in page
    for topic in ("no_such_topic", ""):
        page = review(browser, console, decision="topic", topic=topic, text="x")
        assert "Choose a topic from the list." in page
    page = review(browser, console, decision="topic", topic="api_keys", text=" \n ")
    assert "The text is empty" in page
    page = review(browser, console, decision="delete_everything", text="x")
    assert "Choose one of the actions." in page
    page = review(browser, console, decision="discard", topic="api_keys", text="x")
    assert "Discarded: nothing was written." in page
    assert fake.decisions == [
        (12, "out_of_scope", None, "in the evaluation set already"),
        (12, "discard", None, None),
    ]


def test_forms_that_are_not_the_page_are_refused(console):
    browser = log_in(console)
    token = csrf_of(browser.get(console + "/review").text)
    answer = browser.post(console + "/review/12", json={"csrf": token, "decision": "discard"})
    assert answer.status_code == 415
    too_big = {"csrf": token, "decision": "topic", "text": "x" * 20_000}
    assert browser.post(console + "/review/12", data=too_big).status_code == 413
    assert browser.post(console + "/review/abc", data={"csrf": token}).status_code == 404
    assert browser.get(console + "/nothing-here").status_code == 404
