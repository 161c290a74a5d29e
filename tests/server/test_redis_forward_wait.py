"""A forwarded command waits for an owner that is slow but still holds the lease and
listens, rather than being refused (server/cluster.py); it waits at most
FORWARD_PATIENCE_S, and an answer that comes later is dropped (server/forwarding.py)."""

import asyncio
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from server.cluster import FORWARD_PATIENCE_S
from server.forwarding import Forwarder, Message
from tests.live import LiveServer, Peer, plenary
from tests.redis_live import RedisServer

# Longer than the pause below, so the paused owner keeps its sessions throughout.
LEASE_MS = "15000"
# How long the later commands wait for the paused owner: more than the 5 s a
# forwarded command used to wait before `unavailable`, less than FORWARD_PATIENCE_S.
SLOW_S = 5.4
SLOW = 8  # phones whose commands wait for it at once


def calls(redis_server: RedisServer, command: str) -> int:
    """How many times Redis has run `command` (e.g. "publish", "pubsub|numsub")."""
    stats = redis_server.client().info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


def health(worker: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(worker.url + "/healthz", timeout=5).json()
    return body


async def forwarded(
    redis_server: RedisServer, worker: LiveServer, phones: list[Peer], payload: Any
) -> list[asyncio.Task[Any]]:
    """The phones' ratings, sent, once their worker has published them to the owner
    and waits for its answers (with those it waited for already)."""
    before, waiting = calls(redis_server, "publish"), health(worker)["forwarded_waiting"]
    sent = [
        asyncio.create_task(phone.call("rating:submit", payload, timeout=30)) for phone in phones
    ]
    deadline = time.monotonic() + 10
    while calls(redis_server, "publish") == before or health(worker)[
        "forwarded_waiting"
    ] < waiting + len(phones):
        assert time.monotonic() < deadline, "the commands were never forwarded"
        await asyncio.sleep(0.02)
    return sent


async def test_a_command_forwarded_to_a_slow_owner_holding_its_lease_is_acked(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner, other = (
        server_factory(tmp_path / n, redis=redis_server.url, redis_lease_ms=LEASE_MS) for n in "ab"
    )
    await asyncio.gather(asyncio.to_thread(owner.start), asyncio.to_thread(other.start))
    created = owner.create_session("Slow owner", ["One"])
    session_id, code = created["session_id"], created["join_code"]
    first = created["propositions"][0]["id"]
    console = await Peer(other.url, created["tokens"]["facilitator"]).connect()  # forwarded
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]
    phones = await asyncio.gather(
        *(Peer(other.url, other.join(code)["token"]).connect() for _ in range(1 + SLOW))
    )
    lease = redis_server.client().get(f"plenary:lease:{session_id}")
    assert owner.process is not None
    assert lease.startswith(health(owner)["worker"] + " ")

    # The owner is paused (alive, holding its lease, its subscription open): it gets
    # the ratings and answers none until it runs again. The first waits past
    # FORWARD_PATIENCE_S and is refused; the others, sent later, are still waited
    # for when the owner runs again, and are acknowledged.
    late = {"proposition_id": first, "value": "agree", "comment": "late", "request_id": "r1"}
    slow = {"proposition_id": first, "value": "disagree", "comment": "slow"}
    os.kill(owner.process.pid, signal.SIGSTOP)
    try:
        paused = time.monotonic()
        [refused] = await forwarded(redis_server, other, phones[:1], late)
        await asyncio.sleep(1.5)
        slow_sent, checks = time.monotonic(), calls(redis_server, "pubsub|numsub")
        acked = await forwarded(redis_server, other, phones[1:], slow)
        refusal = await refused
        waited = time.monotonic() - paused
        assert refusal["error"]["code"] == "unavailable", refusal
        assert "may still record" in refusal["error"]["message"]  # it reached the owner
        assert FORWARD_PATIENCE_S - 0.5 < waited < FORWARD_PATIENCE_S + 2
        assert not any(a.done() for a in acked)
        await asyncio.sleep(max(0.0, slow_sent + SLOW_S - time.monotonic()))
        assert not any(a.done() for a in acked)  # refused by now before: 5 s was all they had
        assert health(other)["forwarded_waiting"] == SLOW
        # Each waiting command checks on the owner every second, but one read serves
        # those waiting alike: with the lease watch's looks (two a second), far fewer
        # reads of who listens than one per command and second.
        seconds = time.monotonic() - slow_sent
        assert 0 < calls(redis_server, "pubsub|numsub") - checks < 5 * seconds + 3
    finally:
        os.kill(owner.process.pid, signal.SIGCONT)
    assert await asyncio.gather(*acked) == [{"ok": True, "round": 1}] * SLOW
    assert time.monotonic() - slow_sent < FORWARD_PATIENCE_S

    # No takeover happened: the owner kept its lease, with the same epoch.
    assert redis_server.client().get(f"plenary:lease:{session_id}") == lease
    assert health(owner)["owned_sessions"] == 1
    # The refused one was delivered and recorded by the owner once it ran again (its
    # late answer dropped on the way back); resent with its request_id, it is answered
    # from that record and not applied again.
    assert await phones[0].call("rating:submit", late) == {"ok": True, "round": 1}
    assert health(other)["forwarded_waiting"] == 0

    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    assert [int(i.split("-")[0]) for i, _ in entries] == list(range(1, len(entries) + 1))
    bodies = [json.loads(fields["b"]) for _, fields in entries]
    comments = Counter(b.get("comment") for b in bodies if b["type"] == "rating_submitted")
    assert comments == {"late": 1, "slow": SLOW}
    head = entries[-1][1]["h"]
    checked = plenary("verify", "--redis", redis_server.url, session_id, "--head", head)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for peer in [console, *phones]:
        await peer.close()


async def until(condition: Callable[[], bool], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_an_answer_after_the_timeout_is_dropped_and_nothing_stays_waiting(
    redis_server: RedisServer,
) -> None:
    """A message is sent once and waited for as long as its timeout allows; an answer
    that comes after it finds nothing waiting and is dropped, and later messages get
    their own answers."""
    release = asyncio.Event()
    handled: list[Message] = []

    async def slow_owner(message: Message) -> Message:
        handled.append(message)
        if message["n"] == 1:
            await release.wait()
        return {"ack": {"ok": True, "n": message["n"]}, "version": message["n"]}

    async def never(message: Message) -> Message:
        raise AssertionError("the sender is never sent commands")

    owner = Forwarder(redis_server.url, "owner-x", slow_owner)  # a worker's own channel
    sender = Forwarder(redis_server.url, "sender-x", never)
    await owner.start()
    await sender.start()
    try:
        assert await sender.send("owner-x", {"n": 1}, timeout=0.3) == "silent"
        assert sender.pending == 0
        before = calls(redis_server, "publish")
        release.set()  # the owner answers now, too late: the answer is dropped
        await until(lambda: calls(redis_server, "publish") > before)
        slow = sender.send("owner-x", {"n": 2}, timeout=5)
        assert await slow == {"ack": {"ok": True, "n": 2}, "version": 2}
        assert [m["n"] for m in handled] == [1, 2]  # each sent once
        assert sender.pending == 0
    finally:
        await asyncio.gather(sender.close(), owner.close())
