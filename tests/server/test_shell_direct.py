"""The shell's core parts tested directly: `SessionRunner` and `Fanout` on the
in-memory store, with an injected clock and a recording emit, so group
commits, failed commits, request replay and coalescing are counted exactly
rather than bounded by timing."""

import asyncio
from typing import Any

from facilitation import Actor
from facilitation import commands as c
from facilitation.state import SessionState
from server.fanout import Fanout
from server.live import Request
from server.memory_store import MemoryStore
from server.runner import SessionRunner

NOW = 1_800_000_000.0
OPERATOR, GUEST, CHAIR = Actor("operator"), Actor("guest"), Actor("facilitator")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


async def session(store: MemoryStore, people: int = 0) -> SessionRunner:
    runner = SessionRunner("s1", store, snapshot_every=1000, clock=Clock())
    runner.start()
    create = c.CreateSession("s1", "Plenary", "ABCDEFGH", propositions=(("p1", "Text", None),))
    assert (await runner.submit(create, OPERATOR))["ok"]
    assert (await runner.submit(c.OpenProposition("p1"), CHAIR))["ok"]
    for i in range(people):
        assert (await runner.submit(c.Join(f"x{i}", "government", "in_room"), GUEST))["ok"]
    return runner


def rate(runner: SessionRunner, i: int, value: Any = "agree", comment: str | None = None) -> Any:
    return runner.submit(c.SubmitRating("p1", value, comment), Actor("participant", f"x{i}"))


async def rebuilt(store: MemoryStore) -> SessionState:
    fresh = SessionRunner("s1", store, snapshot_every=1000)
    await fresh.load()
    return fresh.state


async def test_a_batch_is_one_append_and_nothing_is_acked_before_it() -> None:
    store = MemoryStore()
    runner = await session(store, people=20)
    before = len(store.appends)
    store.hold.clear()
    acks = [asyncio.ensure_future(rate(runner, i)) for i in range(20)]
    await asyncio.sleep(0.01)
    assert not any(ack.done() for ack in acks)  # the append is still waiting
    store.hold.set()
    answers = await asyncio.gather(*acks)
    assert all(a["ok"] for a in answers)
    assert store.appends[before:] == [20]  # one group commit of twenty events
    await runner.stop()


async def test_a_failed_commit_acks_nothing_and_rebuilds_from_the_log() -> None:
    store = MemoryStore()
    runner = await session(store, people=5)
    version, loads = runner.state.version, store.loads
    store.fail_next = True
    answers = await asyncio.gather(*(rate(runner, i) for i in range(5)))
    assert [a["error"]["code"] for a in answers] == ["internal"] * 5
    assert store.loads == loads + 1
    assert runner.state.version == version
    assert runner.state == await rebuilt(store)
    assert (await rate(runner, 0))["ok"]  # and the session goes on
    await runner.stop()


async def test_one_command_that_cannot_be_recorded_is_refused_alone() -> None:
    store = MemoryStore()
    runner = await session(store, people=20)
    loads = store.loads
    answers = await asyncio.gather(
        *(rate(runner, i, comment="\ud800" if i == 7 else "fine") for i in range(20))
    )
    assert answers[7]["error"]["code"] == "bad_request"
    assert all(a["ok"] for i, a in enumerate(answers) if i != 7)
    assert store.loads == loads  # no rebuild
    assert sum(runner.state.propositions["p1"].rounds[0].tally.counts) == 19
    assert runner.state == await rebuilt(store)
    await runner.stop()


async def test_a_request_id_is_applied_once_and_answered_the_same() -> None:
    store = MemoryStore()
    runner = await session(store, people=1)
    request = Request("participant:x0", "r-1", "fingerprint-a")
    command, who = c.SubmitRating("p1", "agree"), Actor("participant", "x0")
    first = await runner.submit(command, who, request)
    version = runner.state.version
    again = await runner.submit(command, who, request)
    assert again == first
    assert runner.state.version == version
    other = await runner.submit(command, who, Request("participant:x0", "r-1", "fingerprint-b"))
    assert other["error"]["code"] == "conflict"
    assert [r.request_id for r in store.requests("s1")] == ["r-1"]
    await runner.stop()


async def test_a_snapshot_that_does_not_load_is_ignored_and_the_log_replayed() -> None:
    store = MemoryStore()
    runner = await session(store, people=3)
    await rate(runner, 1)
    await runner.stop()  # a clean stop writes a snapshot
    seq, head, _ = store.snapshot_of("s1")
    await store.save_snapshot("s1", seq, head, b'{"format": "corrupt"')
    assert await rebuilt(store) == runner.state
    await store.save_snapshot("s1", seq, head, b"\x80\x05pickled")
    assert await rebuilt(store) == runner.state


class Recorder:
    """A recording emit and a sleep the test releases one interval at a time."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], str]] = []
        self.tick = asyncio.Event()

    async def emit(self, event: str, payload: dict[str, Any], room: str) -> None:
        self.sent.append((event, payload, room))

    async def sleep(self, _: float) -> None:
        await self.tick.wait()
        self.tick.clear()

    def to(self, room: str) -> list[dict[str, Any]]:
        return [payload for _, payload, name in self.sent if name == room]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_coalescing_sends_one_update_per_interval_exactly() -> None:
    store, recorder = MemoryStore(), Recorder()
    fanout = Fanout(recorder.emit, 0.1, 0.3, 5000, clock=Clock(), sleep=recorder.sleep)
    runner = await session(store, people=60)
    runner.listeners.append(fanout.changed)
    await rate(runner, 0)
    await settle()
    assert len(recorder.to("s1/display")) == 1  # the first change goes out at once
    await asyncio.gather(*(rate(runner, i) for i in range(1, 60)))
    await settle()
    assert len(recorder.to("s1/display")) == 1  # the rest wait for the interval
    recorder.tick.set()
    await settle()
    updates = recorder.to("s1/display")
    assert len(updates) == 2
    assert updates[-1]["propositions"][0]["rounds"][0]["total"] == 60
    assert updates[-1]["version"] == runner.state.version
    recorder.tick.set()
    await settle()
    assert len(recorder.to("s1/display")) == 2  # quiet: nothing more to send
    await fanout.close()
    await runner.stop()


async def test_snapshots_are_spaced_by_the_hall_so_each_event_pays_a_bounded_share() -> None:
    store = MemoryStore()
    runner = SessionRunner("s1", store, snapshot_every=10, clock=Clock())
    runner.start()
    create = c.CreateSession("s1", "Plenary", "ABCDEFGH", propositions=(("p1", "Text", None),))
    assert (await runner.submit(create, OPERATOR))["ok"]
    for i in range(30):
        assert (await runner.submit(c.Join(f"x{i}", "government", "in_room"), GUEST))["ok"]
    assert runner.snapshot_spacing() == 60  # two events per participant, not 10
    assert (await store.load("s1", 0.0)).snapshot_seq == 0  # 31 events: every 10 made 3
    assert (await runner.submit(c.OpenProposition("p1"), CHAIR))["ok"]
    for i in range(30):  # 62 events since the start: one snapshot
        assert (await rate(runner, i))["ok"]
    taken = (await store.load("s1", 0.0)).snapshot_seq
    assert taken >= 60
    for i in range(30):  # 30 more: none until 60 since the last
        assert (await rate(runner, i, "disagree"))["ok"]
    assert (await store.load("s1", 0.0)).snapshot_seq == taken
    assert (await rebuilt(store)) == runner.state
    await runner.stop()
