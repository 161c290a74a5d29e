"""A phone's own place in the queue, as the participants' feed sends it: right
whatever happens between two of the phones' updates, on the session's own
worker and on a worker that serves the session from a replica of its log.

A phone holds only the places the server sent it (never one made from the
`hand:raise` ack); the feed sends a place when it differs from the last one it
sent, or when a snapshot told the phone another. So a hand raised and taken
out of the queue within one flush must leave the phone with no place, a hand
raised while someone ahead leaves must reach the phone with the position it has
after both, and a move undone within one flush must not leave a phone that
reconnected meanwhile with the place its snapshot told."""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import LiveServer, Peer
from tests.redis_live import RedisServer

# The participants' flush: far longer than the commands below take, so they
# surely fall between two of the phones' updates.
FLUSH_MS = 1_500
SETTINGS = {"participant_flush_ms": str(FLUSH_MS)}


async def raise_hand(phone: Peer) -> str:
    ack = await phone.call("hand:raise", {"intent": "speak"})
    assert ack["ok"], ack
    return str(ack["entry_id"])


def opened(proposition_id: str) -> Any:
    """The phone's view once the participants' feed brought it the opening (a flush)."""
    return lambda view: any(
        p["id"] == proposition_id and p["status"] == "open" for p in view.get("propositions", [])
    )


async def check_places(server: LiveServer, phones_on: LiveServer, created: dict[str, Any]) -> None:
    first, second = (p["id"] for p in created["propositions"])
    console = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    tokens = [server.join(created["join_code"], name=name)["token"] for name in ("A", "B")]
    amina, bo = [await Peer(phones_on.url, token).connect() for token in tokens]

    # Amina's hand is the first change after a quiet spell: it goes out at once,
    # and the phones' next update waits a whole flush.
    await raise_hand(amina)
    await amina.until(lambda v: (v.get("place") or {}).get("position") == 1)
    flushed = time.monotonic()
    # Within that flush: Bo raises (the ack says 2) and the chair removes Bo's entry.
    removed = await raise_hand(bo)
    assert (await console.call("queue:remove", {"entry_id": removed}))["ok"]
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]
    assert time.monotonic() - flushed < FLUSH_MS / 1000, "not within one flush"
    await bo.until(opened(first), timeout=FLUSH_MS / 1000 + 5)
    flushed = time.monotonic()
    # Within the next flush: Bo raises again (the ack says 2) and Amina, ahead, lowers.
    entry = await raise_hand(bo)
    assert (await amina.call("hand:lower"))["ok"]
    assert (await console.call("proposition:open", {"proposition_id": second}))["ok"]
    assert time.monotonic() - flushed < FLUSH_MS / 1000, "not within one flush"
    place = {"entry_id": entry, "position": 1, "intent": "speak"}
    await bo.until(lambda v: v.get("place") == place, timeout=FLUSH_MS / 1000 + 5)
    await amina.until(lambda v: opened(second)(v) and v.get("place") is None)
    # Each flush told Bo what changed since the one before, and nothing else: never
    # the removed entry, never the 2 the ack said.
    assert [m["place"] for m in bo.messages if m.get("place")] == [place]
    assert bo.view["queue"]["entries"][0]["entry_id"] == entry

    # Amina raises again: number 2, with the next update.
    again = await raise_hand(amina)
    second_place = {"entry_id": again, "position": 2, "intent": "speak"}
    await amina.until(lambda v: v.get("place") == second_place, timeout=FLUSH_MS / 1000 + 5)
    flushed = time.monotonic()
    # Within the next flush: the chair moves Amina up, Amina's phone reconnects (a
    # snapshot, number 1), and the chair moves her back: the feed last sent 2 and
    # the place is 2 again, yet the phone holds the snapshot's 1.
    assert (await console.call("queue:move", {"entry_id": again, "position": 1}))["ok"]
    assert (await amina.call("sync"))["ok"]
    await amina.until(lambda v: (v.get("place") or {}).get("position") == 1)
    assert (await console.call("queue:move", {"entry_id": again, "position": 2}))["ok"]
    assert time.monotonic() - flushed < FLUSH_MS / 1000, "not within one flush"
    await amina.until(lambda v: v.get("place") == second_place, timeout=FLUSH_MS / 1000 + 5)
    for peer in (console, amina, bo):
        await peer.close()


async def test_a_phones_place_is_right_after_changes_within_one_flush(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", **SETTINGS).start()
    created = server.create_session("Places", ["One", "Two"])
    await check_places(server, server, created)


@pytest.mark.slow
async def test_a_phones_place_is_right_on_a_worker_serving_from_a_replica(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner, other = (
        server_factory(tmp_path / name, redis=redis_server.url, **SETTINGS) for name in "ab"
    )
    await asyncio.gather(asyncio.to_thread(owner.start), asyncio.to_thread(other.start))
    created = owner.create_session("Places", ["One", "Two"])
    # The phones are on the worker that does not own the session: its replica's feed.
    await check_places(owner, other, created)
    health = (await asyncio.to_thread(httpx.get, other.url + "/healthz", timeout=5)).json()
    assert (health["owned_sessions"], health["replicated_sessions"]) == (0, 1), health
