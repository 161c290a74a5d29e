"""A command forwarded to an owner that dies before answering is not lost to the
caller: once the lease moves, the forwarding worker sends it on to the next owner,
and it is recorded exactly once (server/cluster.py)."""

import asyncio
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx

from server.cluster import ABSENT_S, WATCH_EVERY_S
from server.redis_store import RedisStore
from tests.live import LiveServer, Peer, plenary
from tests.redis_live import RedisServer


def publishes(redis_server: RedisServer) -> int:
    """PUBLISH commands Redis has run: how many messages the workers sent each other."""
    stats = redis_server.client().info("commandstats")
    return int(stats.get("cmdstat_publish", {}).get("calls", 0))


def owned(worker: LiveServer) -> int:
    return int(httpx.get(worker.url + "/healthz", timeout=5).json()["owned_sessions"])


async def test_a_command_forwarded_to_an_owner_killed_before_answering_is_acked_by_the_next(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner = server_factory(tmp_path / "a", redis=redis_server.url).start()
    other = server_factory(tmp_path / "b", redis=redis_server.url).start()
    created = owner.create_session("Handover", ["One"])
    session_id, code = created["session_id"], created["join_code"]
    first = created["propositions"][0]["id"]
    console = await Peer(other.url, created["tokens"]["facilitator"]).connect()  # forwarded
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]
    phones = [await Peer(other.url, other.join(code)["token"]).connect() for _ in range(2)]
    assert [owned(owner), owned(other)] == [1, 0]

    # The owner is paused, so it receives the forwarded commands but answers none;
    # then it is killed with them unanswered. One carries a request_id, one does not.
    assert owner.process is not None
    os.kill(owner.process.pid, signal.SIGSTOP)
    with_id = {"proposition_id": first, "value": "agree", "comment": "c1", "request_id": "r1"}
    without = {"proposition_id": first, "value": "disagree", "comment": "c2"}
    sent = []
    for phone, payload in zip(phones, [with_id, without], strict=True):
        before = publishes(redis_server)
        sent.append(asyncio.create_task(phone.call("rating:submit", payload, timeout=30)))
        deadline = time.monotonic() + 10
        while publishes(redis_server) == before:  # delivered to the paused owner
            assert time.monotonic() < deadline, "the command was never forwarded"
            await asyncio.sleep(0.02)
    assert not any(task.done() for task in sent)
    owner.kill()

    answers = await asyncio.gather(*sent)
    assert answers == [{"ok": True, "round": 1}, {"ok": True, "round": 1}]  # not `unavailable`
    assert owned(other) == 1
    # Sent again with its request_id, the first is answered from its record, not re-applied.
    assert await phones[0].call("rating:submit", with_id) == answers[0]

    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    assert [int(i.split("-")[0]) for i, _ in entries] == list(range(1, len(entries) + 1))
    bodies = [json.loads(fields["b"]) for _, fields in entries]
    comments = Counter(b.get("comment") for b in bodies if b["type"] == "rating_submitted")
    assert comments == {"c1": 1, "c2": 1}
    head = entries[-1][1]["h"]
    checked = plenary("verify", "--redis", redis_server.url, session_id, "--head", head)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for peer in [console, *phones]:
        await peer.close()


async def test_a_lease_held_by_a_process_never_heard_is_not_taken_before_it_expires(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    """`plenary migrate` holds (and renews) the lease of a session it copies without
    listening on a channel: a worker serving the session must not take it from it."""
    first = server_factory(tmp_path / "a", redis=redis_server.url).start()
    created = first.create_session("Copied", ["One"])
    session_id, console = created["session_id"], created["tokens"]["facilitator"]
    first.stop()  # a clean stop releases its lease
    holder = RedisStore(redis_server.url)
    await holder.open()  # renews the leases it takes
    held, _ = await holder.leases.acquire(session_id)
    assert held is not None
    try:
        worker = server_factory(tmp_path / "b", redis=redis_server.url).start()
        peer = await Peer(worker.url, console).connect()  # served here from a replica
        # Long enough for the worker to look at the lease several times and find
        # nobody on the holder's channel for more than ABSENT_S.
        await asyncio.sleep(ABSENT_S + 4 * WATCH_EVERY_S)
        assert owned(worker) == 0
        assert redis_server.client().get(f"plenary:lease:{session_id}") == held
    finally:
        await holder.close()  # releases the lease: the worker takes the session now
    deadline = time.monotonic() + 5
    while owned(worker) != 1:
        assert time.monotonic() < deadline, "the released session was never taken"
        await asyncio.sleep(0.05)
    opened = await peer.call(
        "proposition:open", {"proposition_id": created["propositions"][0]["id"]}
    )
    assert opened == {"ok": True, "round": 1}
    await peer.close()
