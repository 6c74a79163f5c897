"""The Slack channel (rasa_plugins/channels/slack.py).

Unit tests for signatures, retry deduplication and settings; then requests signed like
Slack's to the running Rasa server, whose Web API calls go to a local stand-in that records
what the bot sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

import pytest
import requests

from rasa_plugins.channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from rasa_plugins.channels.slack import (
    DEFAULT_API_URL,
    NOT_CONFIGURED,
    SlackChannel,
    SlackOutput,
    SlackSettings,
)
from rasa_plugins.channels.slack_requests import (
    RecentDeliveries,
    action_metadata,
    delivery_keys,
    event_metadata,
    signature_problem,
)
from tests.helpers import feedback_buttons, parsed_payload
from tools.servers import start_assistant, stop

TOKEN = "xoxb-test-" + uuid.uuid4().hex
SECRET = "signing-" + uuid.uuid4().hex
GREETING = "nuget.org account assistant"
ASKS_ACCOUNT = "Which email address (or domain) fails to sign in?"
TENANT_QUESTION = "login fails with my company email, unmanaged azure ad tenant"
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "SLACK_CHANNEL")


def sign(body: bytes, secret: str = SECRET, timestamp: Optional[int] = None) -> Dict[str, str]:
    """Headers as Slack sends them; computed here, independently of the channel's code."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


# --- signatures ---------------------------------------------------------------------------


def test_signature_of_slack_is_accepted():
    body = b'{"type": "event_callback"}'
    headers = sign(body)
    stamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert signature_problem(SECRET, stamp, body, signature) is None
    assert signature_problem(SECRET, stamp, body, signature, now=int(stamp) + 299) is None


@pytest.mark.parametrize(
    "case, problem",
    [
        ("wrong secret", "mismatch"),
        ("changed body", "mismatch"),
        ("no signature", "missing"),
        ("no timestamp", "missing"),
        ("bad timestamp", "missing"),
        ("stale", "stale"),
        ("from the future", "stale"),
    ],
)
def test_signature_is_refused(case, problem):
    body, now = b'{"type": "event_callback"}', time.time()
    stamp, signature = sign(body, secret="other" if case == "wrong secret" else SECRET).values()
    args = {
        "wrong secret": (stamp, body, signature, now),
        "changed body": (stamp, body + b" ", signature, now),
        "no signature": (stamp, body, None, now),
        "no timestamp": (None, body, signature, now),
        "bad timestamp": ("yesterday", body, signature, now),
        "stale": (stamp, body, signature, int(stamp) + 301),
        "from the future": (stamp, body, signature, int(stamp) - 301),
    }[case]
    assert signature_problem(SECRET, *args) == problem


def test_no_secret_accepts_nothing():
    body = b"{}"
    stamp, signature = sign(body, secret="").values()
    assert signature_problem("", stamp, body, signature) == "missing"


# --- retries ----------------------------------------------------------------------------


def callback(event_id: str, ts: str = "1.000100", type_: str = "message") -> Dict[str, Any]:
    return {"event_id": event_id, "event": {"type": type_, "channel": "D1", "ts": ts}}


def test_an_event_is_handled_once():
    seen = RecentDeliveries()
    assert seen.first_time(delivery_keys(callback("Ev1")))
    assert not seen.first_time(delivery_keys(callback("Ev1")))
    assert seen.first_time(delivery_keys(callback("Ev2", ts="2.000100")))


def test_message_and_mention_of_one_message_are_one_delivery():
    seen = RecentDeliveries()
    assert seen.first_time(delivery_keys(callback("Ev1", type_="message")))
    assert not seen.first_time(delivery_keys(callback("Ev2", type_="app_mention")))


def test_deliveries_are_forgotten_after_the_ttl_and_bounded():
    now = [0.0]
    seen = RecentDeliveries(ttl=60, max_size=2, clock=lambda: now[0])
    assert seen.first_time(["a"])
    now[0] = 59
    assert not seen.first_time(["a"])
    now[0] = 120
    assert seen.first_time(["a"])
    assert seen.first_time(["b"]) and seen.first_time(["c"])
    assert seen.first_time(["a"]), "the oldest key is dropped beyond max_size"


def test_replies_go_to_the_conversation_of_the_event_or_the_clicked_message():
    body = {
        "authorizations": [{"user_id": "UBOT"}],
        "event": {"channel": "C1", "ts": "2.000200", "thread_ts": "1.000100"},
    }
    assert event_metadata(body) == {"out_channel": "C1", "thread_id": "1.000100", "users": ["UBOT"]}
    click = {"user": {"id": "U1"}, "channel": {"id": "D1"}, "message": {"ts": "3.000300"}}
    assert action_metadata(click) == {"out_channel": "D1", "thread_id": "3.000300", "users": ["U1"]}


# --- settings ---------------------------------------------------------------------------


def test_settings_come_from_the_environment():
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "SLACK_CHANNEL": "C1",
    }
    settings = SlackSettings.load({}, env)
    assert (settings.token, settings.signing_secret) == (TOKEN, SECRET)
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.channel == "C1" and settings.missing() == []


def test_credentials_file_values_win_and_defaults_apply():
    settings = SlackSettings.load({"slack_token": "xoxb-file"}, {"SLACK_BOT_TOKEN": TOKEN})
    assert settings.token == "xoxb-file"
    assert settings.api_url == DEFAULT_API_URL == "https://slack.com/api/"
    assert settings.missing() == ["SLACK_SIGNING_SECRET"]
    assert SlackSettings.load({}, {}).missing() == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_without_settings_the_channel_still_registers_and_says_so(monkeypatch, caplog):
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING, logger="rasa_plugins.channels.slack"):
        channel = SlackChannel.from_credentials(None)
    assert channel.name() == "slack" and not channel.configured
    (record,) = caplog.records
    assert json.loads(record.getMessage()) == {
        "event": "slack_not_configured",
        "missing": "SLACK_BOT_TOKEN,SLACK_SIGNING_SECRET",
    }


def test_configured_channel_logs_no_secret(monkeypatch, caplog):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    with caplog.at_level(logging.DEBUG):
        channel = SlackChannel.from_credentials(None)
    assert channel.configured
    assert TOKEN not in caplog.text and SECRET not in caplog.text


# --- a stand-in for Slack's Web API -------------------------------------------------------


class SlackApi:
    """Answers every Web API call with ok and records it: path, Authorization and body."""

    def __init__(self) -> None:
        self.posts: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw)
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                ts = f"{time.time():.6f}"
                post = {"path": self.path, "auth": self.headers.get("Authorization")}
                with api.lock:
                    api.posts.append({**post, "body": body, "ts": ts})
                answer = json.dumps({"ok": True, "channel": body.get("channel"), "ts": ts})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def sent(self, channel: str) -> List[Dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["body"].get("channel") == channel]

    def texts(self, channel: str) -> List[str]:
        return [p["body"].get("text") or "" for p in self.sent(channel)]

    def wait_for(self, channel: str, fragment: str, timeout: float = 60) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for post in self.sent(channel):
                if fragment in (post["body"].get("text") or ""):
                    return post
            time.sleep(0.1)
        raise AssertionError(f"no reply with {fragment!r}; got {self.texts(channel)}")

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def fresh_slack_api():
    api = SlackApi()
    yield api
    api.close()


def test_output_goes_to_the_configured_api_and_renders_buttons_as_blocks(fresh_slack_api):
    out = SlackOutput(TOKEN, fresh_slack_api.url, "D42")
    buttons = [
        {"title": "Next step", "payload": "/next_step"},
        {"title": "x" * 80, "payload": "/deny"},
    ]
    asyncio.run(out.send_text_with_buttons("U1", "Click `Sign in`.", buttons))
    (post,) = fresh_slack_api.sent("D42")
    assert post["path"] == "/api/chat.postMessage" and post["auth"] == f"Bearer {TOKEN}"
    section, actions = post["body"]["blocks"]
    assert section["text"] == {"type": "mrkdwn", "text": "Click `Sign in`."}
    assert [e["value"] for e in actions["elements"]] == ["/next_step", "/deny"]
    assert [len(e["text"]["text"]) for e in actions["elements"]] == [9, 75]
    assert "as_user" not in post["body"]


def test_the_feedback_buttons_are_slack_buttons_whose_click_is_their_payload(fresh_slack_api):
    buttons = feedback_buttons()
    out = SlackOutput(TOKEN, fresh_slack_api.url, "D43")
    asyncio.run(out.send_text_with_buttons("U1", "Did this help?", buttons))
    (post,) = fresh_slack_api.sent("D43")
    _, actions = post["body"]["blocks"]
    elements = actions["elements"]
    assert [e["type"] for e in elements] == ["button", "button"]
    assert [e["text"]["text"] for e in elements] == ["👍 Yes, it helped", "👎 No"]
    assert [e["value"] for e in elements] == [b["payload"] for b in buttons]
    # a click comes back as the button's value, which Rasa reads as the feedback it says
    for element, helpful in zip(elements, ("yes", "no"), strict=True):
        clicked = {"type": "button", "action_id": "a1", "value": element["value"]}
        returned = SlackChannel._get_interactive_response(clicked)
        intent, entities = parsed_payload(returned)
        assert intent == "feedback" and entities["helpful"] == helpful and entities["question"]


def dispatch(api: SlackApi, text: str, metadata_extra: Optional[Dict[str, Any]] = None) -> List:
    """What the channel passes on for one message, its replies going to the stand-in."""
    channel = SlackChannel(SlackSettings(token=TOKEN, signing_secret=SECRET, api_url=api.url))
    passed: List[Any] = []

    async def on_new(message: Any) -> None:
        passed.append(message)

    async def run() -> None:
        metadata = {"out_channel": "D7", "thread_id": "1.0", "users": ["UBOT"]}
        channel._dispatch(on_new, text, "U7", {**metadata, **(metadata_extra or {})})
        await asyncio.gather(*channel._background_tasks)

    asyncio.run(run())
    return passed


def test_a_too_long_slack_message_is_answered_and_not_passed_on(fresh_slack_api):
    assert dispatch(fresh_slack_api, "x" * (MAX_MESSAGE_CHARS + 1)) == []
    assert fresh_slack_api.texts("D7") == [TOO_LONG]
    (passed,) = dispatch(fresh_slack_api, "x" * MAX_MESSAGE_CHARS)
    assert passed.text == "x" * MAX_MESSAGE_CHARS and fresh_slack_api.texts("D7") == [TOO_LONG]


def test_oversized_slack_metadata_is_dropped_and_the_reply_still_finds_its_channel(
    fresh_slack_api,
):
    (passed,) = dispatch(fresh_slack_api, "hi", {"users": ["U" * 10] * 1000})
    assert passed.metadata is None
    assert passed.output_channel.slack_channel == "D7"
    (small,) = dispatch(fresh_slack_api, "hi")
    assert small.metadata["out_channel"] == "D7"


# --- the running server -----------------------------------------------------------------


@pytest.fixture(scope="module")
def slack_api():
    api = SlackApi()
    yield api
    api.close()


@pytest.fixture(scope="module")
def slack_assistant(backend, slack_api, tmp_path_factory):
    settings = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    assistant, processes = start_assistant(
        tmp_path_factory.mktemp("slack-assistant"),
        backend,
        extra_env={**settings, "SLACK_API_URL": slack_api.url, "SLACK_CHANNEL": ""},
    )
    yield assistant
    stop(processes)


class Conversation:
    """One Slack user in a direct message with the bot."""

    def __init__(self, assistant: Any) -> None:
        self.url = assistant.url + "/webhooks/slack/webhook"
        self.user, self.channel = "U" + uuid.uuid4().hex[:10], "D" + uuid.uuid4().hex[:10]

    def event(self, text: str, **extra: Any) -> Dict[str, Any]:
        ts = f"{time.time():.6f}"
        message = {"type": "message", "channel_type": "im", "channel": self.channel}
        return {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "Ev" + uuid.uuid4().hex[:10],
            "event_time": int(time.time()),
            "authorizations": [{"user_id": "UBOT"}],
            "event": {**message, "user": self.user, "text": text, "ts": ts, **extra},
        }

    def post(
        self, body: Dict[str, Any], headers: Optional[Callable[[bytes], Dict]] = sign
    ) -> requests.Response:
        raw = json.dumps(body).encode()
        signed = headers(raw) if headers else {}
        return requests.post(
            self.url, data=raw, headers={"Content-Type": "application/json", **signed}, timeout=10
        )

    def say(self, text: str) -> requests.Response:
        response = self.post(self.event(text))
        assert response.status_code == 200, response.text
        return response

    def click(self, value: str, message_ts: str) -> requests.Response:
        payload = {
            "type": "block_actions",
            "user": {"id": self.user},
            "channel": {"id": self.channel},
            "message": {"ts": message_ts},
            "actions": [{"type": "button", "action_id": "a1", "value": value}],
        }
        raw = "payload=" + requests.utils.quote(json.dumps(payload))
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw.encode())}
        return requests.post(self.url, data=raw.encode(), headers=headers, timeout=10)


@pytest.mark.model
def test_a_signed_message_is_answered_in_its_channel(slack_assistant, slack_api):
    conversation = Conversation(slack_assistant)
    conversation.say("hi")
    post = slack_api.wait_for(conversation.channel, GREETING)
    assert post["path"] == "/api/chat.postMessage" and post["auth"] == f"Bearer {TOKEN}"


def stale(raw: bytes) -> Dict[str, str]:
    return sign(raw, timestamp=int(time.time()) - 6 * 60)


REFUSED = {
    "no signature": (None, 401),
    "wrong secret": (lambda raw: sign(raw, secret="not-the-secret"), 401),
    "stale timestamp": (stale, 401),
    "changed body": (lambda raw: sign(raw.replace(b"hi", b"yo")), 401),
}


@pytest.mark.model
@pytest.mark.parametrize("case", list(REFUSED) + ["the bot's own post", "an edit"])
def test_refused_and_ignored_events_send_nothing(slack_assistant, slack_api, case):
    conversation = Conversation(slack_assistant)
    if case in REFUSED:
        headers, status = REFUSED[case]
        response = conversation.post(conversation.event("hi"), headers)
    else:
        extra = {"bot_id": "B1", "subtype": "bot_message"}
        if case == "an edit":
            extra = {"subtype": "message_changed"}
        headers, status = sign, 200
        response = conversation.post(conversation.event("hi", **extra))
    assert response.status_code == status
    # The same user's next message is answered after anything queued before it.
    conversation.say(TENANT_QUESTION)
    slack_api.wait_for(conversation.channel, ASKS_ACCOUNT)
    assert not any(GREETING in text for text in slack_api.texts(conversation.channel))
    assert len(slack_api.sent(conversation.channel)) == 1


def retried(number: int, reason: str) -> Callable[[bytes], Dict[str, str]]:
    """Headers of Slack's retry number `number`, freshly signed as Slack does."""
    retry = {"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
    return lambda raw: {**sign(raw), **retry}


@pytest.mark.model
def test_retries_of_an_event_are_not_answered_again(slack_assistant, slack_api):
    conversation = Conversation(slack_assistant)
    body = conversation.event("hi")
    assert conversation.post(body).status_code == 200
    # The first retry comes before the answer, as when the reply was slow.
    assert conversation.post(body, retried(1, "http_timeout")).status_code == 200
    slack_api.wait_for(conversation.channel, GREETING)
    assert conversation.post(body, retried(2, "http_error")).status_code == 200
    assert conversation.post(body, retried(3, "unknown_error")).status_code == 200
    conversation.say(TENANT_QUESTION)
    slack_api.wait_for(conversation.channel, ASKS_ACCOUNT)
    greetings = [t for t in slack_api.texts(conversation.channel) if GREETING in t]
    assert len(greetings) == 1


@pytest.mark.model
def test_a_retry_of_an_event_never_received_is_answered(slack_assistant, slack_api):
    conversation = Conversation(slack_assistant)
    response = conversation.post(conversation.event("hi"), retried(1, "connection_failed"))
    assert response.status_code == 200
    slack_api.wait_for(conversation.channel, GREETING)


@pytest.mark.model
def test_a_button_click_is_the_users_next_message(slack_assistant, slack_api):
    conversation = Conversation(slack_assistant)
    conversation.say(TENANT_QUESTION)
    slack_api.wait_for(conversation.channel, ASKS_ACCOUNT)
    conversation.say("skip")
    step = slack_api.wait_for(conversation.channel, "Step 1 of")
    section, actions = step["body"]["blocks"]
    assert section["type"] == "section" and "Step 1 of" in section["text"]["text"]
    buttons = {e["text"]["text"]: e["value"] for e in actions["elements"]}
    assert buttons["Next step"].startswith("/next_step")  # with the id of the question it answers
    response = conversation.click(buttons["Next step"], step["ts"])
    assert response.status_code == 200, response.text
    slack_api.wait_for(conversation.channel, "Step 2 of")


def buttons_of(post: Dict[str, Any]) -> Dict[str, str]:
    """A posted message's buttons: title -> value."""
    blocks = post["body"].get("blocks") or []
    return {e["text"]["text"]: e["value"] for b in blocks for e in b.get("elements", [])}


@pytest.mark.model
def test_did_this_help_is_answered_by_a_click_in_slack(slack_assistant, slack_api):
    conversation = Conversation(slack_assistant)
    conversation.say("how do I create a nuget account?")
    step = slack_api.wait_for(conversation.channel, "Step 1 of")
    assert conversation.click(buttons_of(step)["That worked"], step["ts"]).status_code == 200
    asked = slack_api.wait_for(conversation.channel, "Did this help?")
    buttons = buttons_of(asked)
    assert list(buttons) == ["👍 Yes, it helped", "👎 No"]
    assert conversation.click(buttons["👎 No"], asked["ts"]).status_code == 200
    prompt = slack_api.wait_for(conversation.channel, "What was missing or wrong?")
    assert list(buttons_of(prompt)) == ["Skip"]
    assert conversation.click(buttons_of(prompt)["Skip"], prompt["ts"]).status_code == 200
    slack_api.wait_for(conversation.channel, "Shall I open it?")


@pytest.mark.model
def test_url_verification_echoes_the_challenge_only_when_signed(slack_assistant):
    conversation = Conversation(slack_assistant)
    body = {"type": "url_verification", "token": "t", "challenge": uuid.uuid4().hex}
    response = conversation.post(body)
    assert response.status_code == 200
    assert response.json() == {"challenge": body["challenge"]}
    assert conversation.post(body, headers=None).status_code == 401


@pytest.mark.model
def test_slack_settings_never_reach_the_logs(slack_assistant):
    text = "".join(path.read_text() for path in slack_assistant.logs)
    assert text, "the servers wrote logs"
    assert TOKEN not in text and SECRET not in text


@pytest.mark.model
def test_without_slack_settings_the_server_runs_and_slack_answers_503(assistant):
    if any(os.environ.get(name) for name in SLACK_VARIABLES[:2]):
        pytest.skip("Slack variables are set in this environment")
    url = assistant.url + "/webhooks/slack/webhook"
    raw = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    response = requests.post(url, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 503
    assert response.json() == {"error": NOT_CONFIGURED}
    assert GREETING in assistant.say("slack-503-check", "hi")[0]["text"]
