"""Updates that carry what changed: participant rows to the console, one's own
place in the queue to each phone, never the whole list on every change."""

import asyncio
from collections.abc import Callable
from typing import Any

from tests.live import LiveServer, Peer


def _rows(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        row for s in states if "participants_delta" in s for row in s["participants_delta"]["rows"]
    ]


def _joined(n: int) -> Callable[[dict[str, Any]], bool]:
    return lambda view: bool(view.get("participation", {}).get("joined") == n)


async def test_the_console_gets_each_join_once_not_the_whole_list(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Deltas", ["One"])
    code = created["join_code"]
    console = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    held = console.view["version"]
    joined = []
    for wave in range(3):  # three waves, each flushed on its own
        joined += await asyncio.gather(
            *(asyncio.to_thread(live_server.join, code, name=f"P{wave}-{i}") for i in range(10))
        )
        await console.until(_joined(len(joined)))
    assert (
        await console.call("participant:remove", {"participant_id": joined[0]["participant_id"]})
    )["ok"]
    await console.until(lambda _: any(r["removed"] for r in _rows(console.states)))
    assert all("participants" not in s for s in console.states)  # never the whole list
    rows = _rows(console.states)
    # Each join reached the console once, and the removal once more: 31 rows, not 1 + 2 + ... + 30.
    assert len(rows) == 31, [r["name"] for r in rows]
    # Each delta starts where the one before ended: the client can tell a gap.
    deltas = [s for s in console.states if "participants_delta" in s]
    assert len(deltas) >= 3
    for s in deltas:
        assert s["participants_delta"]["since"] == held, (s["participants_delta"]["since"], held)
        held = s["version"]
    # Applying the rows in order gives exactly the list a fresh snapshot carries.
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        merged[row["participant_id"]] = row
    assert (await console.call("sync"))["ok"]
    fresh = await console.until(lambda _: len(console.snapshots) == 2)
    assert list(merged.values()) == fresh["participants"]
    await console.close()


async def test_a_phone_gets_the_head_of_the_queue_and_its_own_place(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Queue", ["One"])
    tokens = [live_server.join(created["join_code"], name=f"P{i}")["token"] for i in range(8)]
    phones = [await Peer(live_server.url, token).connect() for token in tokens]
    entries = []
    for phone in phones:
        ack = await phone.call("hand:raise", {"intent": "speak"})
        assert ack["ok"], ack
        entries.append(ack["entry_id"])
    last = phones[-1]
    view = await last.until(lambda v: (v.get("place") or {}).get("position") == 8)
    assert view["queue"]["length"] == 8
    assert len(view["queue"]["entries"]) == 5  # the head only
    mine = entries[-1]
    assert view["place"] == {"entry_id": mine, "position": 8, "intent": "speak"}
    assert mine not in [e["entry_id"] for e in view["queue"]["entries"]]
    for phone in phones[:3]:
        assert (await phone.call("hand:lower"))["ok"]
    await last.until(lambda v: (v.get("place") or {}).get("position") == 5)
    await phones[0].until(lambda v: v.get("place", "unset") is None)
    # A place goes to its own phone alone: nobody is sent another's entry.
    for phone, own in zip(phones, entries, strict=True):
        for message in phone.messages:
            place = message.get("place")
            assert place is None or place["entry_id"] == own, (own, place)
            queue = message.get("queue")
            assert queue is None or len(queue["entries"]) <= 5
    for phone in phones:
        await phone.close()
