"""The Redis store through real `plenary serve --redis` workers and a real redis-server."""

import asyncio
import contextlib
import socket
import time
from pathlib import Path
from typing import Any

import httpx

from facilitation.vocabulary import SCALE
from server.redis_store import POOL_SIZE, connect
from tests.live import LiveServer, Peer, latest_round, serve_refused
from tests.redis_live import RedisServer
from tests.server import test_session_flow as flow


async def test_full_session_on_redis(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    worker = server_factory(tmp_path / "worker", redis=redis_server.url).start()
    await flow.test_full_session(worker)
    client = redis_server.client()
    (session_id,) = client.hkeys("plenary:sessions")
    entries = client.xrange(f"plenary:log:{session_id}")
    assert [int(entry_id.split("-")[0]) for entry_id, _ in entries] == list(
        range(1, len(entries) + 1)
    )
    assert client.hget(f"plenary:tip:{session_id}", "seq") == str(len(entries))


async def _burst(
    worker: LiveServer, pid: str, phones: list[Peer], stop_after: int
) -> dict[int, str]:
    """Ratings until `stop_after` are acknowledged; returns phone -> last acked value."""
    acked: dict[int, str] = {}

    async def rate(i: int, phone: Peer) -> None:
        for n in range(3):
            value = SCALE[(i + n) % len(SCALE)]
            ack = await phone.call("rating:submit", {"proposition_id": pid, "value": value})
            assert ack == {"ok": True, "round": 1}, ack
            acked[i] = value

    await asyncio.gather(*(rate(i, p) for i, p in enumerate(phones)))
    assert len(acked) >= stop_after
    return acked


async def test_worker_sigkill_and_restart_loses_nothing_acked(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    # Frequent snapshots: the restart reads a snapshot and the log after it.
    worker = server_factory(tmp_path / "w", redis=redis_server.url, snapshot_every="30").start()
    created = worker.create_session("Crash", ["One"])
    pid, code = created["propositions"][0]["id"], created["join_code"]
    facilitator = await Peer(worker.url, created["tokens"]["facilitator"]).connect()
    assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    tokens = [worker.join(code)["token"] for _ in range(30)]
    phones = await asyncio.gather(*(Peer(worker.url, t).connect() for t in tokens))
    acked = await _burst(worker, pid, phones, 30)
    worker.kill()
    for peer in [facilitator, *phones]:
        with contextlib.suppress(Exception):
            await peer.close()
    assert redis_server.client().hget(f"plenary:snapshot:{created['session_id']}", "seq")

    worker.start()  # a new owner: it waits out the dead one's lease, then loads
    for i, token in enumerate(tokens):
        phone = await Peer(worker.url, token).connect()
        assert phone.view["me"]["ratings"][pid]["value"] == acked[i]
        await phone.close()
    results = worker.results(created["session_id"], created["tokens"]["facilitator"])
    assert latest_round(results, pid)["total"] == len(acked)


def test_a_redis_without_aof_is_refused(tmp_path: Path) -> None:
    loose = RedisServer(tmp_path / "loose", "--appendonly", "no").start()
    try:
        code, err, took = serve_refused(tmp_path / "w", "--redis", loose.url)
    finally:
        loose.stop()
    assert code != 0
    assert "appendonly is 'no'" in err, err
    assert "appendonly yes" in err
    assert "--redis-durability relaxed" in err
    assert took < 15


def test_one_identity_across_workers_and_a_redis_that_lost_its_data_is_refused(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    first = server_factory(tmp_path / "w1", redis=redis_server.url).start()
    created = first.create_session("Shared", ["One"])
    first.stop()  # a clean stop releases the session's lease
    # Another worker, with its own (empty) data directory and no admin token of its
    # own making: the first worker's tokens are good here, and the session is
    # taken over at once, not after the lease's expiry.
    second = server_factory(tmp_path / "w2", redis=redis_server.url).start()
    began = time.monotonic()
    results = second.results(created["session_id"], created["tokens"]["facilitator"])
    assert [p["text"] for p in results["propositions"]] == ["One"]
    assert time.monotonic() - began < 3
    second.stop()

    redis_server.client().flushall()
    code, err, _ = serve_refused(tmp_path / "w1", "--redis", redis_server.url)
    assert code != 0
    assert "Redis lost its data" in err, err
    assert redis_server.client().get("plenary:store_id") is None  # not re-created empty


async def _resync(phone: Peer) -> dict[str, Any]:
    """The phone's view after a fresh snapshot asked with `sync`."""
    phone.snapshots.clear()
    assert (await phone.call("sync"))["ok"]
    return await phone.until(lambda _: bool(phone.snapshots))


async def _health(worker: LiveServer) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(worker.url + "/healthz", timeout=5)


async def test_redis_killed_and_restarted_on_its_aof_loses_nothing_acked(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    worker = server_factory(tmp_path / "w", redis=redis_server.url).start()
    created = worker.create_session("Outage", ["One"])
    pid, code = created["propositions"][0]["id"], created["join_code"]
    facilitator = await Peer(worker.url, created["tokens"]["facilitator"]).connect()
    assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    tokens = [worker.join(code)["token"] for _ in range(20)]
    phones = await asyncio.gather(*(Peer(worker.url, t).connect() for t in tokens))
    acked = await _burst(worker, pid, phones, 20)

    redis_server.kill()
    began = asyncio.get_running_loop().time()
    down = await phones[0].call("rating:submit", {"proposition_id": pid, "value": "agree"})
    assert down["error"]["code"] == "unavailable", down
    assert asyncio.get_running_loop().time() - began < 6
    health = await _health(worker)
    assert health.status_code == 503
    assert health.json()["ok"] is False
    assert "Redis" in health.json()["reason"]
    assert phones[0].client.connected  # the socket stays open
    async with httpx.AsyncClient() as client:  # no state read while it may hold unrecorded effects
        during = await client.get(
            f"{worker.url}/api/sessions/{created['session_id']}/results",
            headers={"Authorization": f"Bearer {created['tokens']['facilitator']}"},
            timeout=15,
        )
    assert during.status_code == 503
    assert during.json()["error"]["code"] == "unavailable"

    redis_server.start()  # same port, same directory: the AOF is replayed
    deadline = asyncio.get_running_loop().time() + 10
    while (await _health(worker)).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, "the worker never recovered"
        await asyncio.sleep(0.1)
    health = (await _health(worker)).json()
    assert worker.process is not None
    assert health.pop("worker").startswith(f"{socket.gethostname()}/{worker.process.pid}/")
    assert health == {
        "ok": True,
        "store": "redis",
        "owned_sessions": 1,
        "replicated_sessions": 0,
        "forwarded_waiting": 0,
        "replicas_unloaded": 0,
    }
    again = await phones[1].call("rating:submit", {"proposition_id": pid, "value": "confused"})
    assert again == {"ok": True, "round": 1}
    acked[1] = "confused"
    results = worker.results(created["session_id"], created["tokens"]["facilitator"])
    assert latest_round(results, pid)["total"] == len(acked)
    for i, phone in enumerate(phones):
        assert (await _resync(phone))["me"]["ratings"][pid]["value"] == acked[i]


async def test_a_burst_of_commands_waits_for_the_pool_rather_than_failing(
    redis_server: RedisServer,
) -> None:
    """More commands at once than the client has connections (a burst forwarded by a
    worker) wait for a free one: redis-py's default pool refused them at once."""
    client = connect(redis_server.url)
    try:
        answers = await asyncio.gather(
            *(client.publish("plenary:test", str(i)) for i in range(POOL_SIZE * 3))
        )
        assert answers == [0] * (POOL_SIZE * 3)  # nobody subscribed; every publish answered
    finally:
        await client.aclose()
