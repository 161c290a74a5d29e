"""The participants' pace: while things change, a phone gets the participants'
room updates no more often than the hall's size allows (the participants in the
session divided by the phone messages a session may be sent a second), counted
from the session's state. So a phone gets the same pace on one process as on
any worker of several on Redis, where each worker has only a share of the
phones and would otherwise flush its share more often."""

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

from tests.live import LiveServer, Peer
from tests.redis_live import RedisServer

HALL = 40  # participants who join the session
MESSAGES_PER_S = 50  # the setting under test, low enough that the hall sets the pace
PACE = HALL / MESSAGES_PER_S  # 0.8 s from one flush to the next
FLUSH_MS = 100  # the setting's floor, far below PACE: without the rule phones get 10 a second
SETTINGS = {
    "participant_flush_ms": str(FLUSH_MS),
    "participant_messages_per_s": str(MESSAGES_PER_S),
}
DRIVE_S = 4.0  # how long the chair keeps changing what phones see
CLICK_S = 0.03  # between two of the chair's commands: under the console's rate limit
# Arrival gaps may shrink by how much later one message arrived than the next: a
# quarter of the pace is far more than a loopback delivery varies.
SLACK = 0.25


class TimedPeer(Peer):
    """A phone that notes when each update to the participants' room arrived (a
    `state` with more than the phone's own `place`)."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url, token)
        self.arrivals: list[float] = []

    async def _on_state(self, body: dict[str, Any]) -> None:
        if set(body) - {"version", "head", "place"}:
            self.arrivals.append(time.monotonic())
        await super()._on_state(body)


async def chair_keeps_changing_the_timer(console: Peer) -> tuple[float, float]:
    """Start and pause the timer (which phones show) for DRIVE_S; end paused, so
    the last view stays put. Returns when the first and the last command were sent."""
    began = time.monotonic()
    running = False
    while time.monotonic() - began < DRIVE_S or running:
        payload = {"action": "pause"} if running else {"action": "start", "seconds": 90}
        assert (await console.call("timer:set", payload))["ok"]
        running = not running
        await asyncio.sleep(CLICK_S)
    return began, time.monotonic()


async def fresh_snapshot(peer: Peer) -> dict[str, Any]:
    """A snapshot asked for now (`sync`)."""
    before = len(peer.snapshots)
    assert (await peer.call("sync"))["ok"]
    await peer.until(lambda _: len(peer.snapshots) > before)
    return peer.snapshots[-1]


async def check_pace(phones: list[TimedPeer], console: Peer, began: float, ended: float) -> None:
    """Each phone got room updates no more often than PACE, and the last one
    brought the final view (coalescing never leaves a phone behind)."""
    final = (await fresh_snapshot(console))["version"]
    for phone in phones:
        await phone.until(lambda v: v.get("version", 0) >= final, timeout=PACE + 5)
        during = [t for t in phone.arrivals if began <= t]
        gaps = [b - a for a, b in itertools.pairwise(during)]
        assert len(during) >= 2, phone.arrivals
        assert min(gaps) >= PACE * (1 - SLACK), gaps
        assert len(during) <= (ended - began) / PACE + 2, (len(during), ended - began)
        shown = phone.view["timer"]
        assert (await fresh_snapshot(phone))["timer"] == shown


async def open_hall(
    servers: list[LiveServer],
) -> tuple[Peer, list[TimedPeer], dict[str, Any]]:
    """HALL participants join over the servers in turn; two phones per server
    connect; the console on the first."""
    created = servers[0].create_session("Pace", ["Open standards"])
    joined = [servers[i % len(servers)].join(created["join_code"]) for i in range(HALL)]
    console = await Peer(servers[0].url, created["tokens"]["facilitator"]).connect()
    phones = [
        TimedPeer(servers[i % len(servers)].url, j["token"])
        for i, j in enumerate(joined[: 2 * len(servers)])
    ]
    await asyncio.gather(*(phone.connect() for phone in phones))
    return console, phones, created


async def test_a_halls_phones_get_updates_no_more_often_than_its_size_allows(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", **SETTINGS).start()
    console, phones, _ = await open_hall([server])
    began, ended = await chair_keeps_changing_the_timer(console)
    await check_pace(phones, console, began, ended)


async def test_phones_on_every_worker_get_the_pace_of_the_whole_hall(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    workers = [server_factory(tmp_path / n, redis=redis_server.url, **SETTINGS) for n in "abc"]
    await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    console, phones, _ = await open_hall(workers)
    began, ended = await chair_keeps_changing_the_timer(console)
    await check_pace(phones, console, began, ended)
    # Every worker flushes its own phones at the hall's pace, from the same first
    # change: the same number of updates on each (one more where a worker's last
    # flush fell just after the chair's last click and another's just before).
    counts = [len([t for t in phone.arrivals if t >= began]) for phone in phones]
    assert max(counts) - min(counts) <= 1, counts
