"""Privacy of the vote through the real server: no small group reaches a phone or the
display, on one process and across workers on Redis, where the phones and the display
are served by two workers that do not own the session, each from its own replica."""

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live import LiveServer, Peer, latest_round
from tests.redis_live import RedisServer


@dataclass(frozen=True)
class Hall:
    """Where each role connects: the same server, or a worker each."""

    owner: LiveServer  # creates the session, so holds its lease
    phones: LiveServer
    console: LiveServer
    display: LiveServer


@pytest.fixture(params=["one process", "three workers on redis"])
def hall(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hall]:
    if request.param == "one process":
        server = request.getfixturevalue("live_server")
        yield Hall(server, server, server, server)
        return
    redis: RedisServer = request.getfixturevalue("redis_server")
    workers = [LiveServer(tmp_path / n, redis=redis.url).start() for n in "abc"]
    try:
        # The phones and the display, the views privacy is about, on replicas.
        yield Hall(owner=workers[0], phones=workers[1], console=workers[0], display=workers[2])
    finally:
        for worker in workers:
            worker.stop()


async def test_one_academia_rater_among_twelve_reaches_no_phone_or_display(hall: Hall) -> None:
    created = hall.owner.create_session("Privacy", ["Open standards first"])
    first = created["propositions"][0]["id"]
    code = created["join_code"]
    facilitator = await Peer(hall.console.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(hall.display.url, created["tokens"]["display"]).connect()
    groups = ["academia"] + ["government"] * 6 + ["civil_society"] * 5
    joined = [hall.phones.join(code, g, "in_room", name=f"P{i}") for i, g in enumerate(groups)]
    phones = [await Peer(hall.phones.url, j["token"]).connect() for j in joined]
    assert (await facilitator.call("proposition:open", {"proposition_id": first}))["ok"]
    for i, phone in enumerate(phones):
        value = "strongly_disagree" if i == 0 else "agree"
        ack = await phone.call("rating:submit", {"proposition_id": first, "value": value})
        assert ack["ok"]
    assert (await facilitator.call("results:reveal", {"proposition_id": first, "visible": True}))[
        "ok"
    ]
    seen = await display.until(lambda v: "counts" in latest_round(v, first))
    await phones[0].until(lambda v: "counts" in latest_round(v, first))
    public = latest_round(seen, first)
    # academia (1) cannot hide alone, so civil_society (5) is merged with it.
    assert sorted(public["by_group"]) == ["government"]
    assert public["by_group_merged"]["strongly_disagree"] == 1
    assert public["by_group_merged"]["agree"] == 5
    # The chair still sees academia's single rating.
    chair = await facilitator.until(lambda v: latest_round(v, first).get("total") == 12)
    assert latest_round(chair, first)["by_group"]["academia"]["strongly_disagree"] == 1
    for peer in [display, *phones]:
        for message in [*peer.snapshots, *peer.states]:
            for p in message.get("propositions", []):
                for r in p["rounds"]:
                    assert "academia" not in r.get("by_group", {}), json.dumps(r)
                    assert ((r.get("metrics") or {}).get("weakest_group") or {}).get(
                        "group"
                    ) != "academia"
    for peer in [facilitator, display, *phones]:
        await peer.close()


def _total_is(proposition_id: str, total: int) -> Callable[[dict[str, Any]], bool]:
    return lambda view: bool(latest_round(view, proposition_id).get("total") == total)


def _published_totals(peer: Peer, proposition_id: str) -> list[int]:
    """Every distribution total `peer` was sent for the proposition, in order."""
    seen = []
    for message in peer.messages:
        for p in message.get("propositions", []):
            if p["id"] == proposition_id and p["rounds"] and "counts" in p["rounds"][-1]:
                seen.append(sum(p["rounds"][-1]["counts"].values()))
    return seen


async def test_live_ratings_a_second_apart_reach_the_room_only_in_steps(hall: Hall) -> None:
    created = hall.owner.create_session(
        "Steps", ["Open standards first"], settings={"results_visibility": "live"}
    )
    first, code = created["propositions"][0]["id"], created["join_code"]
    facilitator = await Peer(hall.console.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(hall.display.url, created["tokens"]["display"]).connect()
    joined = [hall.phones.join(code, "government", "in_room") for _ in range(5)]
    watcher, *raters = [await Peer(hall.phones.url, j["token"]).connect() for j in joined]
    assert (await facilitator.call("proposition:open", {"proposition_id": first}))["ok"]
    for n, (rater, value) in enumerate(
        zip(raters[:3], ("agree", "disagree", "agree"), strict=True), 1
    ):
        ack = await rater.call("rating:submit", {"proposition_id": first, "value": value})
        assert ack["ok"], ack
        # The console follows each rating as it comes.
        await facilitator.until(_total_is(first, n))
        await asyncio.sleep(1)  # a neighbour watching the screen between two taps
    for peer in (display, watcher):
        await peer.until(lambda v: latest_round(v, first).get("total") == 3)
        # Never one rating at a time: from nothing straight to the step of three.
        assert set(_published_totals(peer, first)) == {0, 3}, _published_totals(peer, first)
    ack = await raters[3].call("rating:submit", {"proposition_id": first, "value": "neutral"})
    assert ack["ok"], ack
    await facilitator.until(lambda v: latest_round(v, first).get("total") == 4)
    # The fourth waits for its step, and closing publishes it: the final figures arrive.
    assert (await facilitator.call("proposition:close", {"proposition_id": first}))["ok"]
    for peer in (display, watcher):
        final = latest_round(
            await peer.until(lambda v: latest_round(v, first)["total"] == 4), first
        )
        assert final["counts"]["neutral"] == 1
        assert set(_published_totals(peer, first)) == {0, 3, 4}
    for peer in [facilitator, display, *raters, watcher]:
        await peer.close()
