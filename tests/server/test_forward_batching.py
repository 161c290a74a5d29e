"""Commands forwarded in batches (server/forwarding.py): a burst from phones on a
worker that does not own the session is acknowledged once per command, each
command is in the log once, and a batch delivered twice is answered the same
and applied once."""

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from facilitation.commands import RaiseHand
from server.command_codec import encode
from tests.live import LiveServer, Peer
from tests.redis_live import RedisServer

PHONES = 40


def publishes(redis_server: RedisServer) -> int:
    stats = redis_server.client().info("commandstats")
    return int(stats.get("cmdstat_publish", {}).get("calls", 0))


def logged(redis_server: RedisServer, session_id: str) -> list[dict[str, Any]]:
    """Each log entry's body, with its seq and the request id recorded with it (if any)."""
    found = []
    for entry, fields in redis_server.client().xrange(f"plenary:log:{session_id}"):
        body = json.loads(fields["b"])
        body["seq"] = int(entry.split("-")[0])
        body["rid"] = json.loads(fields["r"])[1] if "r" in fields else None
        found.append(body)
    return found


async def test_a_burst_through_a_worker_that_does_not_own_the_session(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner, other = (server_factory(tmp_path / n, redis=redis_server.url) for n in "ab")
    await asyncio.gather(asyncio.to_thread(owner.start), asyncio.to_thread(other.start))
    created = owner.create_session("Batched", ["Open standards"])
    session_id, code = created["session_id"], created["join_code"]
    first = created["propositions"][0]["id"]
    console = await Peer(owner.url, created["tokens"]["facilitator"]).connect()

    # Forty joins at once over HTTP on the other worker, which has not seen the
    # new session yet: forty forwarded commands, none refused as an unknown code.
    joined = await asyncio.gather(*(asyncio.to_thread(other.join, code) for _ in range(PHONES)))
    assert len({j["participant_id"] for j in joined}) == PHONES
    phones = await asyncio.gather(*(Peer(other.url, j["token"]).connect() for j in joined))
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]

    # Every phone rates at once; every fourth sends its rating twice at once, with
    # the same request_id (a resend): both answers alike, one rating recorded.
    async def rate(i: int) -> list[dict[str, Any]]:
        payload = {"proposition_id": first, "value": "agree", "request_id": f"burst-{i}"}
        times = 2 if i % 4 == 0 else 1
        return list(
            await asyncio.gather(*(phones[i].call("rating:submit", payload) for _ in range(times)))
        )

    before = publishes(redis_server)
    answers = await asyncio.gather(*(rate(i) for i in range(PHONES)))
    sent = sum(len(a) for a in answers)
    assert all(a == {"ok": True, "round": 1} for each in answers for a in each), answers
    # One publish a command and one an answer would be 2 * sent; batches make far fewer.
    assert publishes(redis_server) - before < sent, "forwarded commands were not batched"

    log = logged(redis_server, session_id)
    ratings = [e for e in log if e["type"] == "rating_submitted"]
    assert Counter(e["participant_id"] for e in ratings) == {j["participant_id"]: 1 for j in joined}
    assert sorted(e["rid"] for e in ratings) == sorted(f"burst-{i}" for i in range(PHONES))
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))

    # A batch delivered twice (as when a PUBLISH is sent again after a connection
    # error): the owner answers both deliveries alike and applies the command once.
    owner_name = redis_server.client().get(f"plenary:lease:{session_id}").split(" ")[0]
    raise_hand = {
        "session": session_id,
        "command": encode(RaiseHand("entry-dup", "speak")),
        "actor": ["participant", joined[0]["participant_id"]],
        "request": None,
        "at": None,
        "id": "duplicated-delivery-1",
    }
    batch = json.dumps({"from": "test-peer", "batch": [raise_hand]})
    listener = redis_server.client().pubsub(ignore_subscribe_messages=True)
    listener.subscribe("plenary:worker:test-peer")
    for _ in range(2):
        assert redis_server.client().publish(f"plenary:worker:{owner_name}", batch) == 1
    replies = await asyncio.to_thread(received, listener, 2)
    assert replies[0] == replies[1]
    assert replies[0][0] == "duplicated-delivery-1"
    assert replies[0][1]["ack"]["ok"], replies
    hands = [e for e in logged(redis_server, session_id) if e["type"] == "hand_raised"]
    assert len(hands) == 1, hands
    for peer in [console, *phones]:
        await peer.close()


def received(listener: Any, count: int, timeout: float = 10) -> list[Any]:
    """The first `count` answers published to the listener's channel."""
    found: list[Any] = []
    end = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < end:
        message = listener.get_message(timeout=0.5)
        if message is not None:
            found += json.loads(message["data"])["answers"]
    return found
