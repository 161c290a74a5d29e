"""The collector settings the server applies after start-up (server.gc_tuning)."""

import asyncio
import gc
import math
import time
import weakref
from collections.abc import Iterator

import pytest

from server import gc_tuning
from server.serving import uvicorn_config
from server.settings import Settings


class Node:
    other: object = None


@pytest.fixture(autouse=True)
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc_tuning.full_collection(math.inf)  # also forgets departures counted by an earlier test
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def a_cycle() -> tuple[Node, weakref.ref[Node]]:
    """Two objects that refer to each other: one of them, and a weak reference to it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return first, weakref.ref(first)


def test_start_up_objects_are_frozen_and_thresholds_set() -> None:
    gc.unfreeze()
    gc_tuning.tune_after_startup()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == gc_tuning.THRESHOLDS


def test_cycles_made_after_start_up_are_still_collected() -> None:
    gc_tuning.tune_after_startup()
    held, cycle = a_cycle()
    del held
    assert gc.collect() >= 2
    assert cycle() is None


def test_survivors_are_frozen_out_of_the_old_generations() -> None:
    gc_tuning.tune_after_startup()
    kept = [Node() for _ in range(5_000)]
    gc.collect()  # the survivors now sit in the oldest generation
    assert gc_tuning.unfrozen_survivors() >= 5_000
    frozen_before = gc.get_freeze_count()
    gc_tuning.freeze_survivors()
    assert gc_tuning.unfrozen_survivors() < 1_000  # only what the call itself made
    assert gc.get_freeze_count() >= frozen_before + 5_000
    assert len(kept) == 5_000


def test_a_frozen_cycle_is_freed_by_the_next_full_collection_only() -> None:
    """A phone's cycle frozen while it was connected, then left: freed by full_collection."""
    gc_tuning.tune_after_startup()
    held, cycle = a_cycle()
    gc_tuning.freeze_survivors()  # frozen while connected
    del held  # the phone left: only the cycle keeps it
    gc.collect()
    assert cycle() is not None  # frozen: an ordinary collection does not see it
    assert gc_tuning.full_collection() >= 2
    assert cycle() is None
    assert gc.get_freeze_count() > 0  # and what lives is frozen again


def test_a_hundred_arrivals_get_their_objects_frozen() -> None:
    async def run_briefly() -> int:
        gc_tuning.tune_after_startup()
        kept = [Node() for _ in range(3_000)]
        gc.collect()
        task = asyncio.create_task(gc_tuning.collect_when_quiet(0.01))
        await asyncio.sleep(0.05)
        assert gc_tuning.unfrozen_survivors() >= 3_000  # survivors alone are not frozen
        for _ in range(gc_tuning.FREEZE_AFTER_ARRIVALS):
            gc_tuning.arrived()
        for _ in range(500):  # bounded: 5 s
            await asyncio.sleep(0.01)
            if gc_tuning.unfrozen_survivors() < 1_000:
                break
        task.cancel()
        assert len(kept) == 3_000
        return gc_tuning.unfrozen_survivors()

    assert asyncio.run(run_briefly()) < 1_000


def ripe() -> float:
    """A moment when every departure counted so far is ripe."""
    return time.monotonic() + gc_tuning.RIPE_SECONDS


def test_a_full_collection_is_due_after_ripe_departures_or_time() -> None:
    assert not gc_tuning.full_collection_due(gc_tuning.FULL_COLLECTION_EVERY_SECONDS, ripe())
    gc_tuning.departed()
    assert not gc_tuning.full_collection_due(1.0, ripe())
    assert gc_tuning.full_collection_due(gc_tuning.FULL_COLLECTION_EVERY_SECONDS, ripe())
    for _ in range(gc_tuning.FULL_COLLECTION_AFTER_DEPARTURES):
        gc_tuning.departed()
    assert not gc_tuning.full_collection_due(1.0)  # just left: their sockets may live on
    assert gc_tuning.full_collection_due(1.0, ripe())
    gc_tuning.full_collection(ripe())
    assert not gc_tuning.full_collection_due(1.0, ripe())
    assert gc_tuning.full_collection_due(gc_tuning.FULL_COLLECTION_MAX_SECONDS)


def test_a_large_hall_waits_for_a_tenth_of_it_to_leave() -> None:
    for _ in range(5_000):
        gc_tuning.arrived()
    for _ in range(gc_tuning.FULL_COLLECTION_AFTER_DEPARTURES):
        gc_tuning.departed()
    assert not gc_tuning.full_collection_due(1.0, ripe())  # 200 of 5,000: not yet
    for _ in range(400):
        gc_tuning.departed()
    assert gc_tuning.full_collection_due(1.0, ripe())  # 600 of 5,000
    for _ in range(5_000):
        gc_tuning.departed()  # the rest leave: no connections counted for later tests


def test_a_quiet_loop_frees_the_frozen_cycles_of_departed_phones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gc_tuning, "RIPE_SECONDS", 0.0)

    async def run_briefly() -> bool:
        gc_tuning.tune_after_startup()
        held, cycle = a_cycle()
        gc_tuning.freeze_survivors()
        del held
        for _ in range(gc_tuning.FULL_COLLECTION_AFTER_DEPARTURES):
            gc_tuning.departed()
        gc.collect()
        assert cycle() is not None
        full_before = gc.get_stats()[2]["collections"]
        task = asyncio.create_task(gc_tuning.collect_when_quiet(0.01))
        for _ in range(500):  # bounded: 5 s
            await asyncio.sleep(0.01)
            if cycle() is None:
                break
        task.cancel()
        assert gc.get_stats()[2]["collections"] > full_before
        return cycle() is None

    assert asyncio.run(run_briefly())


def test_a_burst_in_flight_defers_young_collections_to_a_calm_moment() -> None:
    """From BURST_IN_FLIGHT commands in flight, allocations trigger no young
    collection; once the burst is answered and the loop is calm, what it left is
    frozen (nothing left for a young collection to traverse) and THRESHOLDS are
    back; a cycle made meanwhile is freed by the next full collection."""

    async def run_briefly() -> None:
        gc_tuning.tune_after_startup()
        for _ in range(gc_tuning.BURST_IN_FLIGHT - 1):
            gc_tuning.command_began()
        assert gc.get_threshold() == gc_tuning.THRESHOLDS
        gc_tuning.command_began()
        assert gc_tuning.deferring()
        assert gc.get_threshold() == gc_tuning.BURST_THRESHOLDS
        young, frozen = gc.get_stats()[0]["collections"], gc.get_freeze_count()
        held, cycle = a_cycle()
        del held
        in_flight = [[i] for i in range(3 * gc_tuning.THRESHOLDS[0])]  # a burst's objects
        assert gc.get_stats()[0]["collections"] == young  # none ran among them
        task = asyncio.create_task(gc_tuning.collect_when_quiet(0.01))
        await asyncio.sleep(0.1)
        assert gc_tuning.deferring()  # calm, but the commands are still in flight
        for _ in range(gc_tuning.BURST_IN_FLIGHT):
            gc_tuning.command_ended()
        for _ in range(500):  # bounded: 5 s
            await asyncio.sleep(0.01)
            if not gc_tuning.deferring():
                break
        task.cancel()
        assert not gc_tuning.deferring()
        assert gc.get_threshold() == gc_tuning.THRESHOLDS
        assert gc.get_count()[0] < 1_000  # frozen: not left for a young collection
        assert gc.get_freeze_count() >= frozen + len(in_flight)
        assert gc.get_stats()[0]["collections"] == young  # frozen, not traversed
        assert cycle() is not None
        gc_tuning.full_collection(math.inf)
        assert cycle() is None
        del in_flight

    try:
        asyncio.run(run_briefly())
    finally:
        for _ in range(gc_tuning.BURST_IN_FLIGHT):
            gc_tuning.command_ended()
        gc_tuning.end_deferral()


def test_the_server_keeps_no_per_connection_extras_of_the_transport() -> None:
    """No permessage-deflate (a zlib pair per connection) and no websocket-level
    keepalive beside engine.io's own pings (a timer per connection)."""
    config = uvicorn_config(Settings(), None)
    assert config.ws_per_message_deflate is False
    assert config.ws_ping_interval is None
