"""The help-site page in a real headless Chromium, talking to the running assistant over
socket.io: buttons, links, the typing indicator, escaping, a reload that keeps the
conversation; on a phone (390x844) and a desktop (1366x900): every control inside the
viewport, axe-core with no serious or critical finding, a keyboard-only walk-through; live
buttons, scrolling and the per-tab storage of the transcript; every topic's main path read as
the widget shows it on a phone."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from account_backend import identity
from help_site.server import make_server
from tests.helpers import ROOT, finding_says
from tests.test_conversations import ASKS
from tools.servers import IDENTITY_SECRET

pytestmark = pytest.mark.model
SCRIPT = "<script>alert(1)</script>"
SIGNUP_DOCS = (
    "https://docs.microsoft.com/en-us/azure/active-directory/users-groups-roles/"
    "directory-self-service-signup"
)
AXE = ROOT / "help_site" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
TENANT_QUESTION = "login fails with my company email, unmanaged azure ad tenant"


@pytest.fixture(scope="module")
def help_site(assistant):
    server = make_server("127.0.0.1", 0, assistant.url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def open_page(browser, help_site):
    """open_page(viewport, replies=None) -> the help page in a new tab of one browser context
    (tabs share localStorage, not sessionStorage); `replies` (HeldReplies) sits between the
    page and the assistant's socket."""
    context = browser.new_context()

    def make(viewport=None, replies=None):
        page = context.new_page()
        page.set_viewport_size(viewport or {"width": 1280, "height": 860})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.set_default_timeout(30_000)
        if replies:
            page.route_web_socket("**/socket.io/**", replies.route)
        page.goto(help_site)
        return page

    yield make
    context.close()


@pytest.fixture
def browser_page(open_page):
    return open_page()


class HeldReplies:
    """Passes the socket.io traffic through, except the bot's replies while `holding`: the
    widget then stays in its waiting state for as long as a test needs."""

    def __init__(self):
        self.holding = False
        self.held = []
        self.page_side = None

    def route(self, ws) -> None:
        self.page_side = ws
        server = ws.connect_to_server()
        server.on_message(self._from_server)

    def _from_server(self, message) -> None:
        if self.holding and str(message).startswith('42["bot_uttered"'):
            self.held.append(message)
        else:
            self.page_side.send(message)

    def release(self) -> None:
        self.holding = False
        while self.held:
            self.page_side.send(self.held.pop(0))


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
    packages = {
        "counted_packages": "2 packages",
        "packages": "SoleOwner.Core, SoleOwner.Extensions",
    }
    bot_says(page, finding_says("delete_account", "sole_owner", **packages).split(". ")[0])


# ---- layout, accessibility and keyboard, on a phone and a desktop ----


def serious_axe_findings(page) -> list:
    """axe-core (help_site/node_modules, from npm) run in the page: serious and critical only."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci in help_site)")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does
        # not govern: the page keeps its real policy.
        page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")
    found = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def assert_inside(page, locator, viewport) -> None:
    box = locator.bounding_box()
    assert box, locator
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    inside = box["x"] >= 0 and box["y"] >= 0
    inside = inside and right <= viewport["width"] + 0.5 and bottom <= viewport["height"] + 0.5
    assert inside, (locator, box, viewport)


def assert_every_control_inside(page, viewport) -> None:
    # The page never gets wider than the screen (the header used to be 493 px on 390).
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for fixed in (".nga-close", ".nga-end", ".nga-input", ".nga-send"):  # no scrolling needed
        assert_inside(page, page.locator(fixed), viewport)
    controls = page.locator(".nga button:visible, .nga textarea:visible, .nga a:visible")
    for index in range(controls.count()):
        control = controls.nth(index)
        control.scroll_into_view_if_needed()
        assert_inside(page, control, viewport)


def focused(page) -> dict:
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const rect = el.getBoundingClientRect();
        return {
            tag: el.tagName,
            inWidget: Boolean(el.closest('.nga')),
            name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 60),
            className: el.className,
            ring: style.outlineStyle === 'solid' && parseFloat(style.outlineWidth) >= 2
                && style.boxShadow.includes('5px'),
            inViewport: rect.left >= 0 && rect.top >= 0 && rect.right <= innerWidth + 0.5
                && rect.bottom <= innerHeight + 0.5,
        };
    }"""
    )


def tab_to(page, name: str, limit: int = 25, key: str = "Tab") -> dict:
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now["name"] == name:
            return now
    pytest.fail(f"{name!r} not reached with {key}")


def wait_for_focus_on_reply(page, fragment: str) -> None:
    page.wait_for_function(
        """fragment => document.activeElement.matches('.nga-bot')
            && document.activeElement.textContent.includes(fragment)""",
        arg=fragment,
    )


@pytest.mark.parametrize("viewport", SCREENS)
def test_every_control_fits_and_axe_finds_nothing_serious(open_page, viewport):
    replies = HeldReplies()
    page = open_page(viewport, replies)
    launcher = page.locator(".nga-launcher")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_inside(page, launcher, viewport)
    assert serious_axe_findings(page) == [], "closed"

    launcher.click()
    panel = page.locator(".nga-panel")
    if viewport == PHONE:  # the whole screen, dvh high
        assert panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
    assert_every_control_inside(page, viewport)
    assert page.locator(".nga-notice").inner_text().startswith("This chat is kept in this")
    assert serious_axe_findings(page) == [], "open"

    # The input uses 16 px text (no zoom on iOS) and grows with what is typed.
    field = page.locator(".nga-input")
    assert field.evaluate("el => getComputedStyle(el).fontSize") == "16px"
    one_line = field.bounding_box()["height"]
    field.fill("my push fails\nwith 403\nsince today\nwhat now")
    assert 120 > field.bounding_box()["height"] > 2 * one_line
    field.fill("\n".join(["a long message"] * 12))
    assert field.bounding_box()["height"] == 120  # then it scrolls
    assert_every_control_inside(page, viewport)

    replies.holding = True
    field.press("Enter")
    page.locator(".nga-typing").wait_for()
    assert page.locator(".nga-sr-only[role=status]").inner_text() == "The assistant is typing…"
    assert field.bounding_box()["height"] == one_line  # back to one line once sent
    assert serious_axe_findings(page) == [], "waiting for a reply"
    assert page.locator(".nga-typing").is_visible()  # the reply was held all along
    replies.release()
    page.locator(".nga-bot").nth(1).wait_for()
    assert page.locator(".nga-typing").is_hidden()
    assert_every_control_inside(page, viewport)
    assert serious_axe_findings(page) == [], "answered"


@pytest.mark.parametrize("viewport", SCREENS)
def test_a_keyboard_only_walk_through(open_page, viewport):
    page = open_page(viewport)
    assert tab_to(page, "Need help with your account?")["ring"]
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "Your message"
    page.keyboard.type(TENANT_QUESTION)
    page.keyboard.press("Enter")
    bot_says(page, "Which email address (or domain) fails to sign in?")

    # The question's button is just before the input; pressing it moves focus to the reply.
    assert tab_to(page, "Skip: show me the steps", key="Shift+Tab")["ring"]
    page.keyboard.press("Enter")
    wait_for_focus_on_reply(page, "This is about an error in the sign-in flow")
    tab_to(page, "Next step")
    page.keyboard.press("Enter")
    wait_for_focus_on_reply(page, "Step 2 of 2")

    # Round the panel: every live control is reached, inside the screen, with a visible ring
    # on the dark buttons; on a phone focus never goes to the page under the panel.
    seen = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["inWidget"]:
            assert now["inViewport"], now
            seen[now["name"]] = now
        elif viewport == PHONE:
            assert now["tag"] == "BODY", now  # the document itself, between two rounds
    controls = page.locator(".nga button:enabled:visible, .nga a:visible, .nga textarea")
    for name in controls.evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || e.textContent.trim().slice(0, 60))"
    ):
        assert name in seen, (name, sorted(seen))
    for dark in ("Close the assistant", "Send", "End chat and clear"):
        assert seen[dark]["ring"], seen[dark]

    page.keyboard.press("Escape")
    page.locator(".nga-panel").wait_for(state="hidden")
    assert focused(page)["name"] == "Need help with your account?"
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "Your message"
    assert page.locator(".nga-bot", has_text="Step 2 of 2").is_visible()


# ---- buttons, scrolling, storage ----


def live_buttons(page) -> list:
    return page.locator(".nga-button:enabled").all_inner_texts()


def test_only_the_latest_question_has_live_buttons(browser_page):
    page = browser_page
    page.locator(".nga-launcher").click()
    send(page, TENANT_QUESTION)
    bot_says(page, "Which email address (or domain) fails to sign in?")
    assert live_buttons(page) == ["Skip: show me the steps"]
    send(page, "I want to delete my nuget account")  # typed instead of pressing Skip
    bot_says(page, "Step 1 of 2: Transfer the ownership")
    # The old Skip can't be pressed at the new question; the new question's buttons can.
    assert page.locator(".nga-button", has_text="Skip").is_disabled()
    assert live_buttons(page) == ["Next step", "That worked", "Still stuck"]
    page.reload()
    page.locator(".nga-panel").wait_for()
    assert page.locator(".nga-button", has_text="Skip").is_disabled()
    assert live_buttons(page) == ["Next step", "That worked", "Still stuck"]
    press(page, "Next step")
    bot_says(page, "Step 2 of 2")
    assert live_buttons(page)  # the newest group's, and no other
    assert page.evaluate(
        """() => [...document.querySelectorAll('.nga-buttons')].slice(0, -1)
            .every(group => !group.querySelector('button:enabled'))"""
    )


def test_did_this_help_is_answered_with_the_widgets_buttons(browser_page):
    page = browser_page
    page.locator(".nga-launcher").click()
    send(page, "how do I create a nuget account?")
    bot_says(page, "Step 1 of")
    press(page, "That worked")
    bot_says(page, "Did this help?")
    assert live_buttons(page) == ["👍 Yes, it helped", "👎 No"]
    press(page, "👎 No")
    bot_says(page, "What was missing or wrong?")
    assert live_buttons(page) == ["Skip"]
    send(page, "The Register button is somewhere else now.")  # a comment, typed
    bot_says(page, "Shall I open it?")
    assert page.locator(".nga-user").all_inner_texts()[-2:] == [
        "👎 No",
        "The Register button is somewhere else now.",
    ]


def in_view(page, selector: str, fragment: str) -> bool:
    """Whether the element's top and bottom are inside the log's visible part."""
    return page.locator(selector, has_text=fragment).last.evaluate(
        """el => {
        const log = el.closest('.nga-log').getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return box.top >= log.top - 0.5 && box.bottom <= log.bottom + 0.5;
    }"""
    )


def test_a_burst_of_replies_shows_its_first_bubble_and_a_reload_the_question(open_page):
    # A phone with its keyboard up: three bubbles at once are taller than the log.
    page = open_page({"width": 390, "height": 480})
    page.locator(".nga-launcher").click()
    send(page, "I forgot my nuget password")
    bot_says(page, "Step 1 of 2")
    first = "I can look at an account's details only"
    burst = page.locator(".nga-bot", has_text=first).evaluate(
        """el => {
        const log = el.closest('.nga-log');
        const buttons = log.querySelector('.nga-buttons:last-child').getBoundingClientRect();
        return {height: buttons.bottom - el.getBoundingClientRect().top,
                log: log.clientHeight};
    }"""
    )
    assert burst["height"] > burst["log"], burst  # otherwise this test shows nothing
    assert in_view(page, ".nga-bot", first)

    page.reload()
    page.locator(".nga-panel").wait_for()
    assert in_view(page, ".nga-bot", "Step 1 of 2")  # the pending question
    assert in_view(page, ".nga-buttons", "Still stuck")  # and its answers


def stored(page) -> dict:
    return page.evaluate(
        "() => ({local: {...localStorage}, session: sessionStorage.getItem('nuget-assistant.v2')})"
    )


def test_the_chat_is_kept_per_tab_until_ended_or_idle(open_page):
    page = open_page()
    page.evaluate("localStorage.setItem('nuget-assistant.v1', '{\"messages\": []}')")
    page.reload()  # what older versions left in localStorage goes
    page.locator(".nga-launcher").click()
    send(page, "my address is builder@contoso.com and I forgot my nuget password")
    bot_says(page, "Step 1 of 2")
    assert stored(page)["local"] == {}
    assert "builder@contoso.com" in stored(page)["session"]
    first_session = page.evaluate("JSON.parse(sessionStorage.getItem('nuget-assistant.v2'))")

    other_tab = open_page()  # the same browser, a new tab: nothing of the first tab's chat
    other_tab.locator(".nga-launcher").click()
    assert other_tab.locator(".nga-msg").count() == 1  # the greeting only
    other_tab.close()

    page.bring_to_front()
    page.locator(".nga-end").click()
    assert page.locator(".nga-msg").all_inner_texts() == [page.locator(".nga-intro").inner_text()]
    assert "builder@contoso.com" not in (stored(page)["session"] or "")
    assert page.locator(".nga-sr-only[role=status]").inner_text() == (
        "The chat was ended and cleared."
    )
    send(page, "hello")
    bot_says(page, "I'm the nuget.org account assistant")
    page.wait_for_function(
        "old => JSON.parse(sessionStorage.getItem('nuget-assistant.v2')).sessionId"
        " && JSON.parse(sessionStorage.getItem('nuget-assistant.v2')).sessionId !== old",
        arg=first_session["sessionId"],
    )

    # Left for more than 30 minutes: the next load starts afresh.
    page.evaluate(
        """() => {
        const state = JSON.parse(sessionStorage.getItem('nuget-assistant.v2'));
        state.savedAt = Date.now() - 31 * 60 * 1000;
        sessionStorage.setItem('nuget-assistant.v2', JSON.stringify(state));
    }"""
    )
    page.reload()
    page.locator(".nga-launcher").click()
    assert page.locator(".nga-msg").count() == 1


# ---- a support request's reference: copied, and not cleared without asking ----


def open_support_request(page) -> str:
    """Asks for a person, opens the request without a reply address; returns its reference."""
    page.locator(".nga-launcher").click()
    send(page, "I want to talk to a real person")
    bot_says(page, "Shall I open it?")
    press(page, "Yes, open a request")
    bot_says(page, "reply by email")
    press(page, "Open it without an address")
    opened = bot_says(page, "recorded with the reference")
    return re.search(r"NGS-[0-9A-F]{8}", opened.inner_text()).group(0)


def announced(page) -> str:
    return page.locator(".nga-sr-only[role=status]").inner_text()


@pytest.mark.parametrize("viewport", SCREENS)
def test_a_reference_is_copied_with_the_clipboard_and_it_is_announced(open_page, viewport):
    page = open_page(viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    reference = open_support_request(page)
    copy = page.locator(".nga-copy")
    assert copy.get_attribute("aria-label") == f"Copy reference {reference}"
    assert_every_control_inside(page, viewport)
    assert serious_axe_findings(page) == [], "with the copy button"
    copy.click()
    page.wait_for_function("() => document.querySelector('.nga-copy').textContent === 'Copied'")
    assert announced(page) == f"Reference {reference} copied."
    assert page.evaluate("navigator.clipboard.readText()") == reference
    page.wait_for_function(
        "() => document.querySelector('.nga-copy').textContent === 'Copy reference'"
    )


def test_without_the_clipboard_api_the_reference_is_copied_by_selection(open_page, help_site):
    page = open_page()
    page.add_init_script(
        """Object.defineProperty(navigator, 'clipboard', {value: undefined});
        document.addEventListener('copy', event => {
            const source = event.target.closest ? event.target : event.target.parentElement;
            window.copiedText = source.value.slice(source.selectionStart, source.selectionEnd);
        });"""
    )
    page.goto(help_site)
    reference = open_support_request(page)
    page.locator(".nga-copy").click()
    page.wait_for_function("() => window.copiedText !== undefined")
    assert page.evaluate("window.copiedText") == reference
    assert announced(page) == f"Reference {reference} copied."
    assert page.locator(".nga-copy-source").count() == 0  # the helper field is gone again


@pytest.mark.parametrize("viewport", SCREENS)
def test_ending_a_chat_that_holds_a_reference_asks_first_by_keyboard(open_page, viewport):
    page = open_page(viewport)
    reference = open_support_request(page)
    transcript = page.locator(".nga-msg").all_inner_texts()
    confirm = page.locator(".nga-confirm[role=alertdialog]")

    tab_to(page, "End chat and clear", key="Shift+Tab", limit=40)
    page.keyboard.press("Enter")
    confirm.wait_for()
    assert reference in confirm.inner_text()
    assert focused(page)["name"] == "Keep the chat"  # the choice that loses nothing
    assert_every_control_inside(page, viewport)
    assert serious_axe_findings(page) == [], "asking before clearing"

    page.keyboard.press("Escape")  # keeps the chat; the panel stays open
    confirm.wait_for(state="hidden")
    assert page.locator(".nga-panel").is_visible()
    assert focused(page)["name"] == "End chat and clear"
    assert page.locator(".nga-msg").all_inner_texts() == transcript

    page.keyboard.press("Enter")
    confirm.wait_for()
    assert tab_to(page, "End and clear", key="Shift+Tab")["ring"]
    page.keyboard.press("Enter")
    confirm.wait_for(state="hidden")
    assert page.locator(".nga-msg").count() == 1  # the greeting only
    assert reference not in (stored(page)["session"] or "")
    assert announced(page) == "The chat was ended and cleared."
    assert focused(page)["name"] == "Your message"


# ---- every topic's texts, as the widget shows them ----

URL = re.compile(r"https?://\S+")
UNFILLED = re.compile(r"\$[a-z_]+|\{[a-z_]+\}")  # a template slot the engine left unfilled


def walk_in_widget(page, first: str, presses: int = 20) -> None:
    """Sends `first` and presses on through the main path: Skip at the account question,
    the first option at a choice, Next step, until the last step ("That worked") or the offer
    of a support request a path ends in."""
    send(page, first)
    for _ in range(presses):
        try:  # every reply of a walk-through asks something
            page.locator(".nga-button:enabled").first.wait_for()
        except PlaywrightTimeout:
            shown = page.locator(".nga-log").inner_text()
            raise AssertionError(f"a reply without buttons:\n{shown}") from None
        titles = live_buttons(page)
        if "Next step" in titles:
            press(page, "Next step")
        elif "Skip: show me the steps" in titles:
            press(page, "Skip: show me the steps")
        elif "That worked" in titles or "Yes, open a request" in titles:
            return  # the last step, or the hand-off a path ends in
        else:  # a choice of paths, or "shall I walk you through it?"
            page.locator(".nga-button:enabled").first.click()
    raise AssertionError(f"no last step after {presses} presses")


def misrendered(bubble) -> list:
    """What the widget showed wrongly in one reply: a URL that is not wholly a link, a link
    that is not its own text, an unpaired code mark, an unfilled template slot."""
    text = bubble.inner_text()
    links = [(a.get_attribute("href"), a.inner_text()) for a in bubble.locator("a").all()]
    problems = [
        f"not a link: {u}"
        for u in URL.findall(text)
        if u.rstrip(".,;:!?)]") not in {href for href, _ in links}
    ]
    problems += [f"link {href} reads {shown}" for href, shown in links if href != shown]
    problems += ["a ` is shown"] if "`" in text else []
    problems += [f"unfilled {slot}" for slot in UNFILLED.findall(text)]
    return problems


@pytest.mark.parametrize("topic", sorted(ASKS))
def test_every_topic_reads_right_in_the_widget_on_a_phone(open_page, topic):
    """Each topic's main path in the widget on a phone: every address a link to itself, code
    marks turned into code, no template slot left, and every control on the screen."""
    page = open_page(PHONE)
    page.locator(".nga-launcher").click()
    walk_in_widget(page, ASKS[topic])
    bubbles = page.locator(".nga-bot").all()
    assert any("Step 1 of" in b.inner_text() for b in bubbles), topic
    problems = {i: misrendered(b) for i, b in enumerate(bubbles)}
    assert not {i: p for i, p in problems.items() if p}, (topic, problems)
    assert_every_control_inside(page, PHONE)
