"""A replica against a real redis-server, beside the session's runner in the same
process: it follows the committed log, reloads after Redis restarts, and refuses
a log that became shorter than what it applied."""

import asyncio
import logging
from pathlib import Path

import pytest

from facilitation import Actor
from facilitation import commands as c
from facilitation.vocabulary import Value
from server.live import Ack, Request
from server.replica import Replica
from server.runner import SessionRunner
from tests.redis_live import RedisServer
from tests.server.test_redis_fencing import store_on

CHAIR, GUEST = Actor("facilitator"), Actor("guest")


async def nowhere(
    replica: Replica, command: c.Command, actor: Actor, request: Request | None, at: float | None
) -> Ack:
    raise AssertionError(f"nothing is forwarded here, yet {command} was")


async def rate(runner: SessionRunner, who: str, value: Value) -> None:
    ack = await runner.submit(c.SubmitRating("p1", value, None), Actor("participant", who))
    assert ack["ok"], ack


async def until_recorded(runner: SessionRunner) -> None:
    for _ in range(50):
        ack = await runner.submit(
            c.SubmitRating("p1", "disagree", None), Actor("participant", "x0")
        )
        if ack["ok"]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the runner never recorded again after Redis came back")


async def test_a_replica_follows_reloads_and_refuses_a_shorter_log(
    redis_server: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await store_on(redis_server, tmp_path)
    runner = SessionRunner("s1", store, snapshot_every=1000)
    runner.start()
    create = c.CreateSession("s1", "Plenary", "ABCDEFGH", propositions=(("p1", "One", None),))
    assert (await runner.submit(create, Actor("operator")))["ok"]
    replica = Replica("s1", store, nowhere)
    await replica.load()
    replica.start()
    told: list[frozenset[str]] = []
    replica.listeners.append(lambda _, sections: told.append(sections))

    # Following: the owner's commits reach the replica, with the sections they touch.
    assert (await runner.submit(c.OpenProposition("p1"), CHAIR))["ok"]
    for i in range(3):
        assert (await runner.submit(c.Join(f"x{i}", "government", "in_room"), GUEST))["ok"]
        await rate(runner, f"x{i}", "agree")
    assert await replica.caught_up(runner.state.version, 5)
    assert (replica.state.version, replica.head) == (runner.state.version, runner.head)
    assert (
        replica.state.propositions["p1"].rounds[-1].ratings
        == runner.state.propositions["p1"].rounds[-1].ratings
    )
    assert any("propositions" in sections for sections in told)

    # Redis killed and restarted on its AOF: the replica reloads and follows on.
    redis_server.kill()
    await asyncio.sleep(0.3)
    redis_server.start()
    await until_recorded(runner)  # `unavailable` until Redis is back
    for i in range(3):
        await rate(runner, f"x{i}", "neutral")
    assert await replica.caught_up(runner.state.version, 10)
    assert replica.head == runner.head
    assert replica.reloads >= 1
    assert "reloads from the store" in caplog.text

    # Redis lost the session's log: the replica keeps what it applied and says so.
    applied = replica.state.version
    with caplog.at_level(logging.ERROR):
        redis_server.client().delete("plenary:log:s1", "plenary:tip:s1")
        deadline = asyncio.get_running_loop().time() + 5
        while "Redis lost events" not in caplog.text:
            assert asyncio.get_running_loop().time() < deadline, caplog.text[-2000:]
            await asyncio.sleep(0.1)
    assert replica.state.version == applied
    assert replica.problem is not None
    await replica.stop()
    await runner.stop()
    await store.close()
