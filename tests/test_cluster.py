"""The cluster profile: two Rasa replicas and two action servers behind nginx (round robin),
conversations in PostgreSQL, Redis as Rasa's lock store. Nothing a user said may get lost
when turns move between replicas, a replica dies, or a store restarts."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests

from actions.playbooks import playbooks
from tests.helpers import listening_hosts
from tests.test_conversations import ASKS, sender, texts
from tests.test_socketio_sessions import Tab

pytestmark = pytest.mark.model

UNMANAGED = "contoso.com is an unmanaged Azure AD tenant"


def steps(topic: str):
    return [step.text for step in playbooks()[topic].paths["main"].steps]


def test_a_diagnosis_with_turns_alternating_between_replicas(cluster):
    user = sender()
    first, second = cluster.replicas
    asked = texts(first.say(user, ASKS["unmanaged_aad_tenant"]))
    assert playbooks()["unmanaged_aad_tenant"].ask in asked
    answered = texts(second.say(user, "builder@contoso.com"))  # the form's answer, elsewhere
    assert UNMANAGED in answered
    walked = texts(first.say(user, "/next_step"))
    assert "Step 2 of" in walked


def test_two_messages_at_once_on_two_replicas_are_both_answered_in_order(cluster):
    user = sender()
    expected = steps("create_account")
    assert expected[0] in texts(cluster.front.say(user, ASKS["create_account"]))
    replies = {}

    def press(index: int) -> None:
        replies[index] = texts(cluster.replicas[index].say(user, "/next_step"))

    threads = [threading.Thread(target=press, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    said = sorted(replies.values(), key=lambda text: expected[2] in text)
    assert len(said) == 2
    assert expected[1] in said[0] and expected[2] in said[1]  # one after the other, none lost


def test_a_killed_replica_loses_no_turn(cluster):
    user = sender()
    expected = steps("create_account")
    assert expected[0] in texts(cluster.front.say(user, ASKS["create_account"]))
    cluster.script("kill", "rasa-1")
    try:
        for number in (1, 2):  # nginx sends these to the surviving replica
            assert expected[number] in texts(cluster.front.say(user, "/next_step"))
    finally:
        cluster.script("restart", "rasa-1", timeout=300)
    replies = cluster.replicas[0].say(user, "/next_step")  # the restarted replica
    assert expected[3] in texts(replies), cluster.log_tail("rasa-1")


@pytest.mark.parametrize("part", ["redis", "postgres", "backend"])
def test_a_restarted_store_or_backend_is_recovered_without_help(cluster, part):
    user = sender()
    assert playbooks()["unmanaged_aad_tenant"].ask in texts(
        cluster.front.say(user, ASKS["unmanaged_aad_tenant"])
    )
    cluster.script("restart", part)
    answered = texts(cluster.front.say(user, "builder@contoso.com"))
    assert UNMANAGED in answered or "could not check your account" in answered
    assert "Step" in texts(cluster.front.say(user, "/next_step"))


def test_every_part_listens_on_loopback_and_the_action_servers_want_the_token(cluster):
    env = cluster.env
    ports = [env["CLUSTER_PORT"], env["CLUSTER_ACTION_PORT"], env["CLUSTER_BACKEND_PORT"]]
    ports += env["CLUSTER_ACTION_PORTS"].split() + env["CLUSTER_RASA_PORTS"].split()
    ports += [env["CLUSTER_REDIS_PORT"], env["CLUSTER_PG_PORT"]]
    for port in ports:
        assert listening_hosts(int(port)) == {"127.0.0.1"}, port
    front = f"http://127.0.0.1:{env['CLUSTER_ACTION_PORT']}"
    assert requests.get(front + "/actions", timeout=10).status_code == 401
    assert "Step 1 of" in texts(cluster.front.say(sender(), ASKS["create_account"]))


async def rejoin(first: str, second: str):
    before, after = Tab(), Tab()
    try:
        confirmed = await before.open(first)
        return confirmed, await after.open(second, confirmed)
    finally:
        await before.close()
        await after.close()


def test_a_widget_session_is_rejoined_on_the_other_replica(cluster):
    """A reload may reach either replica: both verify the proofs either issued."""
    first, second = cluster.replicas
    confirmed, rejoined = asyncio.run(rejoin(first.url, second.url))
    assert rejoined["session_id"] == confirmed["session_id"]
