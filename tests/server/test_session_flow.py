"""A whole session through the real server, over real socket.io clients."""

import asyncio
import itertools
from collections import Counter
from typing import Any

from facilitation.vocabulary import DEFAULT_GROUPS, SCALE
from tests.live import LiveServer, Peer, latest_round, proposition

GROUPS = DEFAULT_GROUPS[:5]


def expected_counts(ratings: dict[str, tuple[str, str, str]]) -> dict[str, Any]:
    """An independent recount: participant -> (value, group, channel)."""
    counts = Counter(value for value, _, _ in ratings.values())
    by_group: dict[str, Counter[str]] = {}
    for value, group, _ in ratings.values():
        by_group.setdefault(group, Counter())[value] += 1
    return {
        "counts": {v: counts[v] for v in SCALE},
        "by_group": {g: {v: c[v] for v in SCALE} for g, c in sorted(by_group.items())},
    }


async def test_full_session(live_server: LiveServer) -> None:
    created = live_server.create_session(
        "Main session", ["Open standards first", "Hubs count equally"]
    )
    session_id, code = created["session_id"], created["join_code"]
    first, second = (p["id"] for p in created["propositions"])
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()

    people = []
    for i in range(50):
        group, channel = GROUPS[i % 5], ("in_room", "remote")[i % 2]
        joined = live_server.join(code, group, channel, name=f"Person {i}")
        people.append((joined, group, channel))
    phones = await asyncio.gather(
        *(Peer(live_server.url, j["token"]).connect() for j, _, _ in people)
    )
    assert phones[0].view["me"]["participant_id"] == people[0][0]["participant_id"]
    assert "participants" not in phones[0].view

    assert (await facilitator.call("proposition:open", {"proposition_id": first})) == {
        "ok": True,
        "round": 1,
    }

    # Everyone rates; person 0 withdraws; person 1 changes their mind.
    ratings: dict[str, tuple[str, str, str]] = {}
    values = itertools.cycle(["agree", "strongly_agree", "agree", "neutral", "disagree"])
    acks = await asyncio.gather(
        *(
            phone.call(
                "rating:submit",
                {
                    "proposition_id": first,
                    "value": next(values),
                    "comment": "Because" if i % 7 == 4 else None,
                },
            )
            for i, phone in enumerate(phones)
        )
    )
    assert all(ack == {"ok": True, "round": 1} for ack in acks)
    values = itertools.cycle(["agree", "strongly_agree", "agree", "neutral", "disagree"])
    for joined, group, channel in people:
        ratings[joined["participant_id"]] = (next(values), group, channel)
    assert (await phones[0].call("rating:submit", {"proposition_id": first, "value": None}))["ok"]
    del ratings[people[0][0]["participant_id"]]
    assert (await phones[1].call("rating:submit", {"proposition_id": first, "value": "confused"}))[
        "ok"
    ]
    ratings[people[1][0]["participant_id"]] = ("confused", people[1][1], people[1][2])

    # The display sees the running total, but no distribution before the reveal.
    view = await display.until(lambda v: latest_round(v, first).get("total") == 49)
    assert "counts" not in proposition(view, first)["rounds"][-1]
    assert all(
        "counts" not in r
        for s in display.states
        for p in s.get("propositions", [])
        for r in p["rounds"]
    )

    # Hands: a point of order jumps ahead of earlier speakers.
    assert (await phones[2].call("hand:raise", {"intent": "speak"}))["position"] == 1
    assert (await phones[3].call("hand:raise", {"intent": "speak"}))["position"] == 2
    assert (await phones[4].call("hand:raise", {"intent": "point_of_order"}))["position"] == 1
    next_up = await facilitator.call("queue:next")
    assert next_up["current"]["name"] == "Person 4"
    await display.until(
        lambda v: v["queue"]["current"] is not None and v["queue"]["current"]["name"] == "Person 4"
    )

    # A hub reports its room's counts.
    hub = await facilitator.call("hub:invite", {"name": "Nairobi hub", "attendance": 30})
    assert hub["ok"]
    assert hub["url"].endswith("/hub#token=" + hub["token"])
    hub_peer = await Peer(live_server.url, hub["token"]).connect()
    tally = {"agree": 10, "strongly_agree": 5, "disagree": 2}
    assert (await hub_peer.call("hub:tally", {"proposition_id": first, "counts": tally})) == {
        "ok": True,
        "round": 1,
    }
    assert (
        await hub_peer.call(
            "hub:speaker", {"name": "Amina", "intent": "speak", "stakeholder_group": "academia"}
        )
    )["ok"]

    # Close, then reveal: participants now see the final distribution (closing
    # published the changes that had not yet filled a step of min_group_size).
    assert (await facilitator.call("proposition:close", {"proposition_id": first})) == {"ok": True}
    assert (
        await facilitator.call("results:reveal", {"proposition_id": first, "visible": True})
    ) == {"ok": True}
    revealed = await phones[5].until(lambda v: "counts" in latest_round(v, first))
    expected = expected_counts(ratings)
    for value, n in tally.items():
        expected["counts"][value] += n
        expected["by_group"].setdefault("other", dict.fromkeys(SCALE, 0))[value] += n
    assert proposition(revealed, first)["rounds"][-1]["counts"] == expected["counts"]

    assert (await phones[6].call("rating:submit", {"proposition_id": first, "value": "agree"}))[
        "error"
    ]["code"] == "closed"
    # Round two after deliberation: kept apart from round one.
    assert (await facilitator.call("proposition:open", {"proposition_id": first}))["round"] == 2
    assert (
        await phones[6].call("rating:submit", {"proposition_id": first, "value": "strongly_agree"})
    )["round"] == 2
    assert (
        await facilitator.call(
            "consensus:mark",
            {"proposition_id": first, "status": "rough_consensus", "note": "Objections weighed"},
        )
    )["ok"]
    await display.until(
        lambda v: (
            proposition(v, first)["mark"]
            == {"status": "rough_consensus", "note": "Objections weighed"}
        )
    )

    results = live_server.results(session_id, created["tokens"]["facilitator"])
    one, two = proposition(results, first)["rounds"]
    assert one["counts"] == expected["counts"]
    assert one["by_group"] == expected["by_group"]
    assert one["by_channel"]["hub"] == {v: tally.get(v, 0) for v in SCALE}
    assert one["total"] == 49 + 17
    assert two["counts"] == {v: int(v == "strongly_agree") for v in SCALE}
    assert proposition(results, second)["rounds"] == []
    assert len(results["participants"]) == 50
    objections = proposition(results, first)["objections"]
    assert objections
    assert all(
        set(o) == {"round", "value", "comment", "stakeholder_group", "channel"} for o in objections
    )
    # The room (Person 4) spoke last, so remote goes next: Person 3 (remote, first
    # come), then the room's Person 2, then the hub's Amina.
    assert [e["name"] for e in results["queue"]["entries"]] == ["Person 3", "Person 2", "Amina"]

    # The display's results carry totals only while the new round is unrevealed.
    shown = live_server.results(session_id, created["tokens"]["display"])
    assert "participants" not in shown
    assert "counts" not in proposition(shown, first)["rounds"][-1]

    for peer in [facilitator, display, hub_peer, *phones]:
        await peer.close()


async def test_snapshot_after_reconnect_and_sync(live_server: LiveServer) -> None:
    created = live_server.create_session("Resync", ["One"])
    pid = created["propositions"][0]["id"]
    joined = live_server.join(created["join_code"])
    phone = await Peer(live_server.url, joined["token"]).connect()
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    await phone.call("rating:submit", {"proposition_id": pid, "value": "agree", "comment": "Yes"})
    await phone.close()
    again = await Peer(live_server.url, joined["token"]).connect()
    assert again.view["me"]["ratings"] == {pid: {"round": 1, "value": "agree", "comment": "Yes"}}
    version = again.view["version"]
    assert await again.call("sync") == {"ok": True}
    await again.until(lambda v: len(again.snapshots) == 2)
    assert again.snapshots[-1]["version"] == version
    await again.close()
    await facilitator.close()


async def test_tallies_are_coalesced(live_server: LiveServer) -> None:
    created = live_server.create_session("Burst", ["One"])
    pid, code = created["propositions"][0]["id"], created["join_code"]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    phones = await asyncio.gather(
        *(Peer(live_server.url, live_server.join(code)["token"]).connect() for _ in range(60))
    )
    await facilitator.call("proposition:open", {"proposition_id": pid})
    before = len(display.states)
    await asyncio.gather(
        *(p.call("rating:submit", {"proposition_id": pid, "value": "agree"}) for p in phones)
    )
    await display.until(lambda v: latest_round(v, pid).get("total") == 60)
    updates = len(display.states) - before
    # 60 votes within well under a second: far fewer broadcasts than votes.
    assert 1 <= updates < 20, updates
    for peer in [facilitator, display, *phones]:
        await peer.close()


async def test_refreshed_token_works_and_hubs_update_attendance(live_server: LiveServer) -> None:
    created = live_server.create_session("Refresh", ["One"])
    pid = created["propositions"][0]["id"]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    refreshed = await facilitator.call("auth:refresh")
    assert refreshed["ok"]
    assert refreshed["token"] != created["tokens"]["facilitator"]
    again = await Peer(live_server.url, refreshed["token"]).connect()
    assert again.view["role"] == "facilitator"

    hub = await again.call("hub:invite", {"name": "Hub", "attendance": 10})
    await again.call("proposition:open", {"proposition_id": pid})
    hub_peer = await Peer(live_server.url, hub["token"]).connect()
    over = await hub_peer.call("hub:tally", {"proposition_id": pid, "counts": {"agree": 15}})
    assert over["error"]["code"] == "bad_request"
    assert await again.call("hub:update", {"hub_id": hub["hub_id"], "attendance": 20}) == {
        "ok": True
    }
    assert (await hub_peer.call("hub:tally", {"proposition_id": pid, "counts": {"agree": 15}}))[
        "ok"
    ]
    # The room empties: the attendance cannot drop below what the hub counted.
    lower = await again.call("hub:update", {"hub_id": hub["hub_id"], "attendance": 12})
    assert lower["error"]["code"] == "bad_request"
    await hub_peer.until(lambda v: v["hub"]["attendance"] == 20)
    for peer in (facilitator, again, hub_peer):
        await peer.close()
