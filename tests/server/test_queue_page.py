"""The speaker queue never goes out whole: the console gets a page (and further pages
on request), the projector and hubs its head, a hub its own entries with positions."""

import asyncio
from typing import Any

from tests.live import LiveServer, Peer

WAITING = 200


def _queues(peer: Peer) -> list[dict[str, Any]]:
    return [m["queue"] for m in [*peer.snapshots, *peer.states] if "queue" in m]


async def _add_speakers(peer: Peer, names: list[str]) -> list[str]:
    entries = []
    for name in names:
        ack = await peer.call(
            "hub:speaker", {"name": name, "stakeholder_group": "civil_society", "intent": "speak"}
        )
        assert ack["ok"], ack
        entries.append(ack["entry_id"])
    return entries


async def test_no_live_view_carries_the_whole_queue_yet_the_chair_reaches_every_entry(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Long queue", ["One"])
    console = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    crowd = await console.call("hub:invite", {"name": "Crowd", "attendance": 300})
    room = await console.call("hub:invite", {"name": "Room", "attendance": 10})
    hub = await Peer(live_server.url, room["token"]).connect()
    # The crowd's speakers come through four connections (each its own allowance).
    senders = [await Peer(live_server.url, crowd["token"]).connect() for _ in range(4)]
    names = [f"Speaker {i}" for i in range(WAITING - 1)]
    await asyncio.gather(*(_add_speakers(s, names[i::4]) for i, s in enumerate(senders)))
    (own,) = await _add_speakers(hub, ["Ours"])  # the last in line: position 200

    def all_wait(view: dict[str, Any]) -> bool:
        return bool(view.get("queue", {}).get("length") == WAITING)

    await console.until(all_wait, timeout=15)
    await display.until(all_wait, timeout=15)
    view = await hub.until(all_wait, timeout=15)
    # The hub sees its own speaker's place though it is far beyond the head.
    assert [(e["entry_id"], e["position"]) for e in view["queue"]["own"]] == [(own, WAITING)]
    # No message to the console, projector or a hub carried more than its bound.
    for peer, bound in ((console, 50), (display, 5), (hub, 5)):
        queues = _queues(peer)
        assert queues, peer.token[:8]
        assert max(len(q["entries"]) for q in queues) <= bound, peer.token[:8]
    assert len(console.view["queue"]["entries"]) == 50
    # The chair reaches the last entry with a page, and moves it to the front.
    page = await console.call("queue:page", {"offset": 150})
    assert page["ok"], page
    assert (page["length"], page["offset"], len(page["entries"])) == (WAITING, 150, 50)
    assert page["entries"][-1]["entry_id"] == own
    assert (await console.call("queue:page", {"offset": WAITING}))["entries"] == []
    # A move out beyond the page still reaches the console, as a new `beyond`.
    beyond = console.view["queue"]["beyond"]
    assert (await console.call("queue:move", {"entry_id": own, "position": WAITING - 1}))["ok"]
    await console.until(lambda v: v["queue"]["beyond"] != beyond)
    page = await console.call("queue:page", {"offset": 150})
    assert page["entries"][-2]["entry_id"] == own
    assert (await console.call("queue:move", {"entry_id": own, "position": 1}))["ok"]
    await console.until(lambda v: v["queue"]["entries"][0]["entry_id"] == own)
    await hub.until(lambda v: v["queue"]["own"][0]["position"] == 1)
    assert display.view["queue"]["length"] == WAITING
    # Only the chair reads pages; a bad offset changes nothing and says why.
    refused = await display.call("queue:page", {"offset": 0})
    assert refused["error"]["code"] == "forbidden", refused
    bad = await console.call("queue:page", {"offset": -1})
    assert bad["error"]["code"] == "bad_request", bad
    for peer in (console, display, hub, *senders):
        await peer.close()
