"""Slack: Rasa's Slack connector, configured from the environment and hardened.

Compared with the stock `SlackInput` this channel
- reads the bot token, signing secret and Web API address from the environment, so no secret
  lives in credentials.yml, and still starts without them (every request then gets a 503);
- answers a missing, wrong or stale signature with 401;
- answers each Slack event once: Slack retries an event it thinks was not delivered, so events
  already handled are acknowledged with 200 and dropped (by `event_id` and by message);
- echoes the url_verification challenge, and turns button clicks into the user's message;
- applies rasa_plugins/channels/limits.py's limits on bodies, message text and metadata.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from common.logs import log_event
from rasa_plugins.channels.limits import checked, limit_request_bodies
from rasa_plugins.channels.slack_requests import (
    RecentDeliveries,
    action_metadata,
    delivery_keys,
    event_metadata,
    parse_json,
    signature_problem,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
NOT_CONFIGURED = "Slack channel is not configured"
MAX_BUTTONS = 25  # elements of one Block Kit actions block
MAX_BUTTON_TITLE = 75
MAX_SECTION_TEXT = 3000

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class SlackSettings:
    token: str = ""
    signing_secret: str = ""
    api_url: str = DEFAULT_API_URL
    channel: Optional[str] = None
    use_threads: bool = False
    conversation_granularity: str = "sender"
    proxy: Optional[str] = None

    @classmethod
    def load(cls, credentials: Mapping[str, Any], env: Mapping[str, str]) -> SlackSettings:
        """credentials.yml values first, the environment for what it leaves empty."""

        def pick(key: str, variable: str, default: Optional[str] = None) -> Optional[str]:
            return credentials.get(key) or env.get(variable) or default

        api_url = pick("slack_api_url", "SLACK_API_URL", DEFAULT_API_URL)
        return cls(
            token=pick("slack_token", "SLACK_BOT_TOKEN", ""),
            signing_secret=pick("slack_signing_secret", "SLACK_SIGNING_SECRET", ""),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            channel=pick("slack_channel", "SLACK_CHANNEL"),
            use_threads=bool(credentials.get("use_threads", False)),
            conversation_granularity=credentials.get("conversation_granularity") or "sender",
            proxy=credentials.get("proxy"),
        )

    def missing(self) -> List[str]:
        """Names of the required variables that are not set (names only, never values)."""
        required = {"SLACK_BOT_TOKEN": self.token, "SLACK_SIGNING_SECRET": self.signing_secret}
        return [name for name, value in required.items() if not value]


def media_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


class SlackOutput(SlackBot):
    """The stock Slack output, with the Web API address configurable (tests use a stand-in)."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        # `as_user` is a legacy flag of classic apps; a bot token always posts as the bot.
        kwargs.pop("as_user", None)
        await super()._post_message(channel, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text as mrkdwn (like plain messages, so `code` renders) and the buttons below it."""
        if len(buttons) > MAX_BUTTONS:
            return await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            text=text,
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION_TEXT]}},
                {"type": "actions", "elements": [_button(b) for b in buttons]},
            ],
        )


def _button(button: Dict[str, Any]) -> Dict[str, Any]:
    title = str(button["title"])[:MAX_BUTTON_TITLE]
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": title},
        "value": button["payload"],
    }


class SlackChannel(SlackInput):
    """Listens on /webhooks/slack/webhook (the name stays "slack")."""

    def __init__(self, settings: SlackSettings) -> None:
        super().__init__(
            settings.token,
            slack_channel=settings.channel,
            proxy=settings.proxy,
            use_threads=settings.use_threads,
            slack_signing_secret=settings.signing_secret,
            conversation_granularity=settings.conversation_granularity,
        )
        self.settings = settings
        self.deliveries = RecentDeliveries()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        settings = SlackSettings.load(credentials or {}, os.environ)
        missing = settings.missing()
        if missing:
            log_event(logger, "slack_not_configured", logging.WARNING, missing=",".join(missing))
        return cls(settings)

    def _validate_credentials(self) -> None:
        # The stock check refuses to start; here a missing secret means 503 on every request,
        # so the same credentials.yml serves deployments with and without Slack.
        pass

    @property
    def configured(self) -> bool:
        return not self.settings.missing()

    def get_output_channel(
        self, channel: Optional[str] = None, thread_id: Optional[str] = None
    ) -> OutputChannel:
        return SlackOutput(
            self.settings.token,
            self.settings.api_url,
            channel or self.slack_channel,
            thread_id,
            self.proxy,
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.configured:
                return _not_configured()
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._handle(request, on_new_message)

        return limit_request_bodies(slack_webhook)

    async def _handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not self.configured:
            return _not_configured()
        problem = self._signature_problem(request)
        if problem:
            log_event(logger, "slack_request_rejected", logging.WARNING, reason=problem)
            return response.text("Invalid or stale Slack signature", status=HTTPStatus.UNAUTHORIZED)
        kind = media_type(request)
        if kind == "application/json":
            return self._on_event(request, on_new_message)
        if kind == "application/x-www-form-urlencoded":
            return self._on_interaction(request, on_new_message)
        return response.text("Unsupported content type", status=HTTPStatus.BAD_REQUEST)

    def _signature_problem(self, request: Request) -> Optional[str]:
        return signature_problem(
            self.settings.signing_secret,
            request.headers.get("x-slack-request-timestamp"),
            request.body or b"",
            request.headers.get("x-slack-signature"),
        )

    def _on_event(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        body = parse_json(request.body)
        if body is None:
            return response.text("Body is not a JSON object", status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge", "")})
        event = body.get("event") or {}
        # Edits, joins and the bot's own posts (subtype or bot_id) are not user messages.
        if not self._is_user_message(body) or event.get("subtype"):
            return response.text("ignored")
        metadata = event_metadata(body)
        if not self._is_supported_channel(body, metadata):
            return response.text("ignored: channel not supported")
        # Only handled events are recorded, so an ignored `message` does not swallow the
        # `app_mention` of the same message.
        if not self.deliveries.first_time(delivery_keys(body)):
            self._log_duplicate(request)
            return response.text("duplicate")
        text = self._sanitize_user_message(event["text"], metadata["users"])
        sender = self._get_conversation_id(
            event.get("user"), metadata["out_channel"], metadata["thread_id"]
        )
        self._dispatch(on_new_message, text, sender, metadata)
        return response.text("")

    def _on_interaction(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        payload = parse_json(request.form.get("payload"))
        if payload is None or not self._is_interactive_message(payload):
            return response.text("Unsupported interaction", status=HTTPStatus.BAD_REQUEST)
        text = self._get_interactive_response(payload["actions"][0])
        if text is None:  # link buttons carry no value: nothing to tell the bot
            return response.text("")
        metadata = action_metadata(payload)
        sender = self._get_conversation_id(
            (payload.get("user") or {}).get("id"), metadata["out_channel"], metadata["thread_id"]
        )
        self._dispatch(on_new_message, text, sender, metadata)
        return response.text("")

    def _dispatch(
        self, on_new_message: OnNewMessage, text: str, sender: Optional[str], metadata: Dict
    ) -> None:
        """Runs the bot in the background: Slack wants its 200 within three seconds."""
        thread_id = metadata["thread_id"] if self.use_threads else None
        message = UserMessage(
            text,
            self.get_output_channel(metadata["out_channel"], thread_id),
            sender,
            input_channel=self.name(),
            metadata=metadata,
        )
        task = asyncio.create_task(checked(on_new_message, self.name())(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        task.add_done_callback(_log_failure)

    def _log_duplicate(self, request: Request) -> None:
        log_event(
            logger,
            "slack_duplicate_ignored",
            retry_num=request.headers.get("x-slack-retry-num"),
            retry_reason=request.headers.get("x-slack-retry-reason"),
        )


def _not_configured() -> HTTPResponse:
    return response.json({"error": NOT_CONFIGURED}, status=HTTPStatus.SERVICE_UNAVAILABLE)


def _log_failure(task: asyncio.Task) -> None:
    # The exception's type only: its message could quote the user's text.
    if not task.cancelled() and task.exception() is not None:
        log_event(
            logger,
            "slack_message_failed",
            logging.ERROR,
            error=type(task.exception()).__name__,
        )
