"""A replica no longer needed on a worker is unloaded after `--redis-replica-idle-s`,
and loaded again from the store by the next connection (server/idle_replicas.py);
never while a command of it waits for the owner, never a session the worker owns."""

import asyncio
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from facilitation.vocabulary import SCALE
from tests.live import LiveServer, Peer, latest_round, plenary, serve_refused
from tests.redis_live import RedisServer
from tests.server.test_redis_cluster import health

IDLE_S = 1  # the grace period the workers are given
NONE = dict.fromkeys(SCALE, 0)


async def workers(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer, **settings: str
) -> tuple[LiveServer, LiveServer]:
    a, b = (
        server_factory(
            tmp_path / n, redis=redis_server.url, redis_replica_idle_s=str(IDLE_S), **settings
        )
        for n in "ab"
    )
    await asyncio.gather(asyncio.to_thread(a.start), asyncio.to_thread(b.start))
    return a, b


async def until(condition: Callable[[], bool], what: str, seconds: float = 10) -> float:
    """Poll `condition` until it holds; the monotonic time it was first seen to."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
    return time.monotonic()


def following(redis_server: RedisServer) -> int:
    """Redis connections whose last command was a blocking read of a log: one per replica."""
    return sum(1 for c in redis_server.client().client_list() if c["cmd"] == "xread")


def the_log(redis_server: RedisServer, session_id: str) -> list[dict[str, Any]]:
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    seqs = [int(i.split("-")[0]) for i, _ in entries]
    assert seqs == list(range(1, len(entries) + 1))  # contiguous
    head = entries[-1][1]["h"]
    checked = plenary("verify", "--redis", redis_server.url, session_id, "--head", head)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return [json.loads(fields["b"]) for _, fields in entries]


async def test_an_unused_replica_is_unloaded_and_loaded_again_by_the_next_phone(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a, b = await workers(server_factory, tmp_path, redis_server)
    # Results live, each rating shown: a phone's view counts every rating.
    live = {"results_visibility": "live", "min_group_size": 1}
    created = a.create_session("Unloaded", ["One"], settings=live)
    session_id, code = created["session_id"], created["join_code"]
    first = created["propositions"][0]["id"]
    console = await Peer(a.url, created["tokens"]["facilitator"]).connect()
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]

    # A phone on B, the session owned by A: B serves it from a replica.
    joined = b.join(code)
    phone = await Peer(b.url, joined["token"]).connect()
    agree = {"proposition_id": first, "value": "agree", "request_id": "r1"}
    assert await phone.call("rating:submit", agree) == {"ok": True, "round": 1}
    assert health(b)["replicated_sessions"] == 1
    await until(lambda: following(redis_server) == 1, "B's replica to follow the log")

    # It leaves: after the grace period, and not before, B drops the replica and its
    # blocking read of the log; A keeps the session it owns.
    left = time.monotonic()  # before: the worker may see it leave before close() returns
    await phone.close()
    gone = await until(lambda: health(b)["replicas_unloaded"] == 1, "the replica unloaded")
    assert gone - left >= IDLE_S
    assert health(b)["replicated_sessions"] == 0
    await until(lambda: following(redis_server) == 0, "the replica's read of the log to end")

    # Meanwhile others rate through A.
    others = [a.join(code) for _ in range(2)]
    for other in others:
        peer = await Peer(a.url, other["token"]).connect()
        assert (await peer.call("rating:submit", {"proposition_id": first, "value": "disagree"}))[
            "ok"
        ]
        await peer.close()

    # The phone comes back to B: loaded again from the store, with what A acknowledged
    # meanwhile, its own rating kept, and its commands acknowledged.
    again = await Peer(b.url, joined["token"]).connect()
    assert health(b)["replicated_sessions"] == 1
    logged = len(redis_server.client().xrange(f"plenary:log:{session_id}"))
    assert again.snapshots[-1]["version"] == logged
    assert latest_round(again.view, first)["counts"] == {**NONE, "agree": 1, "disagree": 2}
    assert again.view["me"]["ratings"][first]["value"] == "agree"
    assert await again.call("rating:submit", agree) == {"ok": True, "round": 1}  # its record
    neutral = {"proposition_id": first, "value": "neutral"}
    assert await again.call("rating:submit", neutral) == {"ok": True, "round": 1}
    await console.until(lambda v: latest_round(v, first)["counts"]["neutral"] == 1)
    # The reloaded replica follows the log again: a rating through A reaches the phone on B.
    late = a.join(code)
    peer = await Peer(a.url, late["token"]).connect()
    assert (await peer.call("rating:submit", {"proposition_id": first, "value": "agree"}))["ok"]
    shown = {**NONE, "agree": 1, "neutral": 1, "disagree": 2}
    await again.until(lambda v: latest_round(v, first)["counts"] == shown)
    assert health(b)["replicas_unloaded"] == 1

    for each in (again, peer, console):
        await each.close()
    ratings = Counter(
        (e["participant_id"], e["value"])
        for e in the_log(redis_server, session_id)
        if e["type"] == "rating_submitted"
    )
    me = joined["participant_id"]
    assert ratings == Counter(
        {
            (me, "agree"): 1,  # once: the resend was answered from its record
            (me, "neutral"): 1,
            (others[0]["participant_id"], "disagree"): 1,
            (others[1]["participant_id"], "disagree"): 1,
            (late["participant_id"], "agree"): 1,
        }
    )


async def test_a_replica_is_not_unloaded_while_a_command_of_it_waits_for_the_owner(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    # A lease longer than the owner's pause, so the paused owner keeps its session.
    a, b = await workers(server_factory, tmp_path, redis_server, redis_lease_ms="15000")
    created = a.create_session("Waiting", ["One"])
    session_id, code = created["session_id"], created["join_code"]
    assert a.process is not None

    # The owner is paused; a join given on B (over HTTP, no socket) is forwarded to it
    # and waits past B's grace period: the replica stays.
    os.kill(a.process.pid, signal.SIGSTOP)
    try:
        join = asyncio.create_task(asyncio.to_thread(b.post_join, code))
        sent = await until(lambda: health(b)["forwarded_waiting"] == 1, "the join forwarded")
        await asyncio.sleep(max(0.0, sent + IDLE_S + 1.5 - time.monotonic()))
        waiting = health(b)
        assert (waiting["replicated_sessions"], waiting["replicas_unloaded"]) == (1, 0)
    finally:
        os.kill(a.process.pid, signal.SIGCONT)
    resumed = time.monotonic()
    answer = await join
    assert answer.status_code == 201, answer.text
    joined = answer.json()

    # Answered, it is unused: unloaded.
    await until(lambda: health(b)["replicas_unloaded"] == 1, "the replica unloaded")
    assert health(b)["replicated_sessions"] == 0
    phone = await Peer(b.url, joined["token"]).connect()  # loaded again
    assert phone.view["me"]["participant_id"] == joined["participant_id"]
    assert (await phone.call("hand:raise", {"intent": "speak"}))["ok"]
    await phone.close()
    log = the_log(redis_server, session_id)
    assert [e["type"] for e in log].count("participant_joined") == 1
    # A, with no connection to the session it owns for longer than the grace period
    # since it ran again, still runs it: an owned session is never unloaded.
    await asyncio.sleep(max(0.0, resumed + IDLE_S + 1 - time.monotonic()))
    assert (health(a)["owned_sessions"], health(a)["replicas_unloaded"]) == (1, 0)


def test_a_grace_period_under_a_second_is_refused_at_start(tmp_path: Path) -> None:
    code, err, _ = serve_refused(tmp_path / "data", "--redis-replica-idle-s", "0")
    assert code != 0
    assert "redis_replica_idle_s (PLENARY_REDIS_REPLICA_IDLE_S) must be at least 1" in err
