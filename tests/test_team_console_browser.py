"""The team console in a real headless Chromium, end to end: a temporary tracker database
holding a few conversations' events, the real refresh, figures and review queue behind the
page, a temporary training-data file. A reviewer logs in, reads the figures, labels an item
with a topic and finds its text in the file; a refused decision says why. On a phone
(390x844) every control fits and axe-core finds nothing serious; a keyboard alone does the
whole review. Screenshots for docs/team.md land in reports/ (copied to docs/images/)."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from team_console.app import Settings, create_app, project_analytics
from team_console.tables import events
from tests.console_server import serving
from tests.helpers import ROOT
from tests.test_team_outcomes import Script, store

PASSWORD = "a long console password"
AXE = ROOT / "help_site" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HOSTILE = "<img src=x onerror=alert(1)> zork"
UNSURE = "my nuget thingy stopped working"
EVALUATION_TEXT = "nuget key wont upload"  # in the temporary evaluation set
LABELLED = "my nuget api key stopped working"


def conversations(start: float) -> dict:
    """Five conversations an hour or two ago: resolved with a thumbs up, a walk-through left
    at step 2, out of scope, and two the assistant was unsure about."""
    resolved = Script(start).start().user("forgot my password", "recover_password_login")
    resolved.topic("recover_password_login").user("/affirm", "affirm")
    resolved.slot("conversation_outcome", "resolved").slot("awaiting", "feedback")
    resolved.user('/feedback{"helpful": "yes"}', "feedback", helpful="yes")
    resolved.slot("conversation_feedback", "up").slot("awaiting", None)
    left = Script(start + 60).start().user("delete my account", "delete_account")
    left.topic("delete_account", 1).user("/next_step", "next_step")
    left.slot("playbook_step", 2.0)
    refused = Script(start + 120).start().user("what's the weather", "out_of_scope")
    refused.action("action_out_of_scope").slot("conversation_outcome", "refused")
    unsure = Script(start + 180).start().user(UNSURE, "nlu_fallback", 0.2)
    unsure.action("action_did_you_mean").user(EVALUATION_TEXT, "nlu_fallback", 0.3)
    hostile = Script(start + 240).start().user(HOSTILE, "nlu_fallback", 0.1)
    return {"alice": resolved, "bob": left, "carol": refused, "dave": unsure, "erin": hostile}


@pytest.fixture
def training_file(tmp_path, monkeypatch):
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    (evaluation / "set.yml").write_text(
        f'examples:\n  - text: "{EVALUATION_TEXT}"\n    topic: manage_api_keys\n'
    )
    monkeypatch.setenv("EVALUATION_DIR", str(evaluation))
    target = tmp_path / "reviewed" / "nlu.yml"
    monkeypatch.setenv("REVIEWED_NLU_FILE", str(target))
    return target


@pytest.fixture
def console(tmp_path, training_file):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    events.create(engine)
    for sender, script in conversations(time.time() - 2 * 3600).items():
        store(engine, sender, script)
    settings = Settings(password=PASSWORD)
    (ROOT / "reports").mkdir(exist_ok=True)  # the screenshots
    with serving(create_app(engine, settings, project_analytics())) as url:
        yield url


@pytest.fixture
def open_page(browser, console):
    """open_page(viewport) -> a new tab at the console's front page (the login form)."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.set_default_timeout(15_000)
        page.goto(console + "/")
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page) -> None:
    assert page.url.endswith("/login")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name=re.compile("^Figures")).wait_for()


def card(page, label: str) -> str:
    return (
        page.locator(".card", has=page.locator("dt", has_text=label)).locator(".value").inner_text()
    )


def item(page, text: str):
    """The review item whose text box holds `text`."""
    for index in range(page.locator("article.item").count()):
        article = page.locator("article.item").nth(index)
        if article.locator("textarea").input_value() == text:
            return article
    pytest.fail(f"no review item {text!r}")


def test_a_reviewer_reads_the_figures_and_labels_an_item(open_page, training_file):
    page = open_page()
    log_in(page)
    assert card(page, "Conversations") == "5"
    assert card(page, "Answer rate") == "40%"  # a topic in alice's and bob's
    assert card(page, "Resolution rate") == "20%"
    assert card(page, "Thumbs-up share") == "100%"
    outcomes = page.get_by_role("table", name="How conversations ended")
    assert "Abandoned 1 20%" in " ".join(outcomes.inner_text().split())  # bob, idle 2 hours
    chart = page.get_by_role("img", name=re.compile("^Conversations per day, by outcome"))
    assert chart.is_visible() and chart.locator("rect").count() >= 3
    unanswered = page.get_by_role("table", name="Top unanswered questions").inner_text()
    assert HOSTILE in unanswered and "what's the weather" in unanswered
    assert page.locator("main img").count() == 0 and page.dialogs == []
    assert page.get_by_role("heading", name="delete_account (main)").is_visible()
    assert (
        "Share of conversations whose user confirmed" in page.locator("#definitions").inner_text()
    )
    page.screenshot(path=str(ROOT / "reports" / "team-console-figures.png"), full_page=True)

    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("heading", name="Review queue").wait_for()
    assert page.locator("article.item").count() == 4  # dave's two, erin's, carol's
    page.screenshot(path=str(ROOT / "reports" / "team-console-review.png"))
    unsure = item(page, UNSURE)
    unsure.get_by_label("Text").fill(LABELLED)
    unsure.get_by_label("Topic").select_option("manage_api_keys")
    unsure.get_by_role("button", name="Assign topic").click()
    notice = page.get_by_role("status")
    assert notice.inner_text() == (f"Added to {training_file} as an example of manage_api_keys.")
    written = training_file.read_text()
    assert f"- intent: manage_api_keys\n  examples: |\n    - {LABELLED}\n" in written
    assert page.locator("article.item").count() == 3

    item(page, EVALUATION_TEXT).get_by_role("button", name="Out of scope").click()
    assert page.get_by_role("status").inner_text() == (
        f"Not added to {training_file}: the text is in an evaluation set."
    )
    item(page, HOSTILE).get_by_role("button", name="Discard").click()
    assert page.get_by_role("status").inner_text() == "Discarded: nothing was written."
    assert EVALUATION_TEXT not in training_file.read_text() and "zork" not in written
    assert page.dialogs == []


# ---- a phone, axe-core, the keyboard ----


def serious_axe_findings(page) -> list:
    """axe-core (help_site/node_modules, from npm) run in the page: serious and critical only."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci in help_site)")
    # Evaluated over the DevTools protocol, which the page's CSP does not govern.
    page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")
    found = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def assert_every_control_fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # the skip link waits off screen until focused
    controls = page.locator(
        "a:visible:not(.skip), button:visible, input:visible, select:visible, textarea"
    )
    for index in range(controls.count()):
        control = controls.nth(index)
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, (
            control,
            box,
        )


def test_on_a_phone_every_control_fits_and_axe_finds_nothing_serious(open_page):
    page = open_page(PHONE)
    assert_every_control_fits(page, PHONE)
    assert serious_axe_findings(page) == [], "login"
    log_in(page)
    assert_every_control_fits(page, PHONE)
    assert serious_axe_findings(page) == [], "figures"
    page.screenshot(path=str(ROOT / "reports" / "team-console-phone.png"))
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("heading", name="Review queue").wait_for()
    assert_every_control_fits(page, PHONE)
    assert serious_axe_findings(page) == [], "review queue"


def focused(page) -> dict:
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
        return {
            tag: el.tagName, id: el.id, name: (label || el.textContent).trim().slice(0, 60),
            ring: style.outlineStyle === 'solid' && parseFloat(style.outlineWidth) >= 2,
        };
    }"""
    )


def tab_to(page, name: str, limit: int = 40) -> dict:
    """Presses Tab until the focused control's label or text starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["name"].startswith(name):
            return now
    pytest.fail(f"{name!r} not reached with Tab")


def test_a_keyboard_alone_logs_in_and_labels_an_item(open_page, training_file):
    page = open_page()
    assert tab_to(page, "Skip to content")["ring"]
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("^Figures")).wait_for()
    assert tab_to(page, "Review queue")["ring"]
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Review queue").wait_for()
    # the newest item first: erin's; its text, then its topic, then the buttons
    assert tab_to(page, "Text")["tag"] == "TEXTAREA"
    page.keyboard.press("Control+A")
    page.keyboard.type("where do I find my api keys")
    assert tab_to(page, "Topic")["tag"] == "SELECT"
    page.keyboard.type("manage_api")  # type-ahead picks the option
    assert tab_to(page, "Assign topic")["ring"]
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert "as an example of manage_api_keys" in page.get_by_role("status").inner_text()
    assert "    - where do I find my api keys\n" in training_file.read_text()
    assert "- intent: manage_api_keys" in training_file.read_text()
