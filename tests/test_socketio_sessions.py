"""Widget conversations belong to their socket (rasa_plugins/channels/socket_sessions.py),
over the real Rasa server with socket.io clients: a second socket, or a REST client, that
knows a session id neither hears that conversation nor speaks in it; the session's proof,
which only the tab that was given it holds, lets a reload carry on."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
import requests
import socketio

from actions.playbooks import playbooks
from tests.test_conversations import ASKS

pytestmark = pytest.mark.model

QUIET_SECONDS = 2.0  # no more replies of a turn after this long without one


class Tab:
    """One browser tab's socket, as the widget drives it."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.heard: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", self.heard.put)

    async def _confirm(self, data: Any) -> None:
        # before server-issued sessions the payload was the bare id
        await self.confirmed.put(data if isinstance(data, dict) else {"session_id": data})

    async def open(self, url: str, request: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        await self.client.connect(url, socketio_path="/socket.io", transports=["polling"])
        return await self.request(request)

    async def request(self, request: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """A session_request: the session the server confirms."""
        await self.client.emit("session_request", request or {})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, text: str, session_id: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})

    async def replies(self, first_within: float = 20) -> List[str]:
        """The texts of one turn's replies ([] if none starts within `first_within` s)."""
        said: List[str] = []
        wait = first_within
        while True:
            try:
                said.append((await asyncio.wait_for(self.heard.get(), wait)).get("text") or "")
            except asyncio.TimeoutError:
                return said
            wait = QUIET_SECONDS

    async def close(self) -> None:
        """Leaves at once (engine.io's close): a plain disconnect over polling waits out the
        pending long poll, 25 s."""
        await self.client.eio.disconnect(abort=True)


def step(number: int) -> str:
    total = len(playbooks()["create_account"].paths["main"].steps)
    return f"Step {number} of {total}"


async def hijack(url: str) -> Dict[str, Any]:
    victim, intruder = Tab(), Tab()
    try:
        session = (await victim.open(url))["session_id"]
        await victim.say(ASKS["create_account"], session)
        started = "\n".join(await victim.replies())
        intruder_session = await intruder.open(url, {"session_id": session})
        forged = await intruder.request({"session_id": session, "session_proof": "0" * 64})
        await intruder.say("/restart", session)  # in the victim's name
        await asyncio.sleep(QUIET_SECONDS)
        await victim.say("/next_step", session)
        continued = "\n".join(await victim.replies())
        await asyncio.sleep(QUIET_SECONDS)
        overheard = [intruder.heard.get_nowait() for _ in range(intruder.heard.qsize())]
        return {
            "session": session,
            "started": started,
            "intruder_sessions": [intruder_session["session_id"], forged["session_id"]],
            "continued": continued,
            "overheard": overheard,
        }
    finally:
        await victim.close()
        await intruder.close()


async def through_rest(assistant) -> Dict[str, Any]:
    victim = Tab()
    try:
        session = (await victim.open(assistant.url))["session_id"]
        await victim.say(ASKS["create_account"], session)
        started = "\n".join(await victim.replies())
        body = {"sender": session, "message": "/restart"}
        url = assistant.url + "/webhooks/rest/webhook"
        answer = await asyncio.to_thread(requests.post, url, json=body, timeout=30)
        await victim.say("/next_step", session)
        continued = "\n".join(await victim.replies())
        return {"started": started, "rest": answer, "continued": continued}
    finally:
        await victim.close()


def test_a_rest_client_that_knows_the_session_id_cannot_speak_in_it(assistant):
    """Conversations are keyed by sender id alone, whatever the channel."""
    seen = asyncio.run(through_rest(assistant))
    assert step(1) in seen["started"]
    assert seen["rest"].status_code == 400 and "widget" in seen["rest"].json()["error"]
    assert step(2) in seen["continued"]


def test_a_second_socket_that_knows_the_session_id_gets_nothing_of_it(assistant):
    seen = asyncio.run(hijack(assistant.url))
    assert step(1) in seen["started"]
    assert seen["session"] not in seen["intruder_sessions"]  # each got a session of its own
    assert seen["overheard"] == []  # none of the victim's replies
    assert step(2) in seen["continued"]  # its /restart did not reach the victim's conversation


async def reload(url: str) -> Dict[str, Any]:
    before, after = Tab(), Tab()
    try:
        confirmed = await before.open(url)
        await before.say(ASKS["create_account"], confirmed["session_id"])
        started = "\n".join(await before.replies())
        await before.close()  # the page reloads: the tab keeps id and proof
        rejoined = await after.open(url, confirmed)
        await after.say("/next_step", rejoined["session_id"])
        return {
            "confirmed": confirmed,
            "rejoined": rejoined,
            "started": started,
            "continued": "\n".join(await after.replies()),
        }
    finally:
        await before.close()
        await after.close()


def test_the_tab_holding_the_proof_keeps_its_conversation_after_a_reload(assistant):
    seen = asyncio.run(reload(assistant.url))
    assert seen["rejoined"]["session_id"] == seen["confirmed"]["session_id"]
    assert step(1) in seen["started"] and step(2) in seen["continued"]
