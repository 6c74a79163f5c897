"""The help-site page in a real headless Chromium, talking to the running assistant over
socket.io: buttons, links, the typing indicator, escaping, and a reload that keeps the
conversation."""

from __future__ import annotations

import subprocess
import threading

import pytest

from account_backend import identity
from help_site.server import make_server
from tests.helpers import ROOT
from tools.servers import IDENTITY_SECRET

pytestmark = pytest.mark.model
SCRIPT = "<script>alert(1)</script>"
SIGNUP_DOCS = (
    "https://docs.microsoft.com/en-us/azure/active-directory/users-groups-roles/"
    "directory-self-service-signup"
)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium, installed by scripts/browser.sh when missing."""
    found = subprocess.run(
        ["bash", "scripts/browser.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if found.returncode != 0:
        pytest.fail("no Chromium for the browser test: " + found.stderr[-2000:])
    return found.stdout.strip()


@pytest.fixture(scope="module")
def help_site(assistant):
    server = make_server("127.0.0.1", 0, assistant.url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def browser_page(chromium, help_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.set_default_timeout(30_000)
        page.goto(help_site)
        yield page
        browser.close()


def send(page, text: str) -> None:
    page.locator(".nga-input").fill(text)
    page.locator(".nga-input").press("Enter")


def bot_says(page, fragment: str):
    message = page.locator(".nga-bot", has_text=fragment).last
    message.wait_for()
    return message


def press(page, title: str) -> None:
    page.locator(".nga-button:enabled", has_text=title).last.click()


def watch_typing_indicator(page) -> None:
    page.evaluate(
        """() => {
        window.typingShown = false;
        const typing = document.querySelector('.nga-typing');
        new MutationObserver(() => { if (!typing.hidden) window.typingShown = true; })
            .observe(typing, {attributes: true});
    }"""
    )


def test_a_question_is_walked_through_with_buttons_and_links(browser_page):
    page = browser_page
    assert page.locator("h1").inner_text() == "Troubleshooting your nuget.org account"
    page.locator(".nga-launcher").click()
    watch_typing_indicator(page)
    send(page, "login fails with my company email, unmanaged azure ad tenant")
    bot_says(page, "Which email address (or domain) fails to sign in?")
    assert page.evaluate("window.typingShown") is True
    press(page, "Skip: show me the steps")
    bot_says(page, "Step 1 of 2")
    press(page, "Next step")
    step = bot_says(page, "Step 2 of 2")  # the step naming the self-service signup page
    assert step.locator("a").get_attribute("href") == SIGNUP_DOCS
    assert step.locator("a").get_attribute("rel") == "noopener noreferrer"
    assert page.locator(".nga-user").all_inner_texts() == [
        "login fails with my company email, unmanaged azure ad tenant",
        "Skip: show me the steps",
        "Next step",
    ]
    assert page.locator(".nga-typing").is_hidden()
    # pressed buttons can't be pressed twice
    assert page.locator(".nga-button:enabled", has_text="Skip").count() == 0
    page.screenshot(path=str(ROOT / "reports" / "help-site.png"))


def test_markup_in_a_message_is_shown_as_text_and_never_run(browser_page):
    page = browser_page
    page.locator(".nga-launcher").click()
    send(page, SCRIPT)
    page.locator(".nga-user", has_text=SCRIPT).wait_for()
    page.locator(".nga-bot").nth(1).wait_for()  # the bot answered (the intro is the first)
    send(page, '<img src=x onerror="alert(2)"> **hi**')
    page.locator(".nga-user", has_text="onerror").wait_for()
    page.locator(".nga-bot").nth(2).wait_for()
    assert page.locator(".nga-user").first.inner_text() == SCRIPT
    assert page.locator(".nga-log script, .nga-log img").count() == 0
    assert page.dialogs == []


def test_a_reload_keeps_the_conversation_and_its_place(browser_page):
    page = browser_page
    page.locator(".nga-launcher").click()
    send(page, "login fails with my company email, unmanaged azure ad tenant")
    press(page, "Skip: show me the steps")
    bot_says(page, "Step 1 of")
    before = page.locator(".nga-msg").all_inner_texts()

    page.reload()
    page.locator(".nga-panel").wait_for()  # still open
    assert page.locator(".nga-msg").all_inner_texts() == before
    press(page, "Next step")  # the server kept the walkthrough's place too
    bot_says(page, "Step 2 of")
    page.locator(".nga-launcher").wait_for(state="hidden")


def test_a_host_page_passes_the_signed_in_identity(browser_page, help_site):
    page = browser_page
    token = identity.sign("SoleOwnerDev", IDENTITY_SECRET)
    page.add_init_script(f"window.NuGetAssistantConfig = {{identityToken: {token!r}}};")
    page.goto(help_site)
    page.locator(".nga-launcher").click()
    send(page, "I want to delete my nuget account")
    bot_says(page, "You are the only owner of 2 package(s): SoleOwner.Core, SoleOwner.Extensions")
