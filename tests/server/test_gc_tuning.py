"""The collector settings the server applies after start-up (server.gc_tuning)."""

import asyncio
import gc
from collections.abc import Iterator

import pytest

from server import gc_tuning


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_start_up_objects_are_frozen_and_thresholds_set(restored_gc: None) -> None:
    gc.unfreeze()
    gc_tuning.tune_after_startup()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == gc_tuning.THRESHOLDS


def test_cycles_made_after_start_up_are_still_collected(restored_gc: None) -> None:
    gc_tuning.tune_after_startup()

    class Node:
        other: object = None

    first, second = Node(), Node()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2


def test_a_quiet_loop_gets_a_full_collection() -> None:
    async def run_briefly() -> int:
        before = gc.get_stats()[2]["collections"]
        task = asyncio.create_task(gc_tuning.collect_when_quiet(0.01, 0.0))
        await asyncio.sleep(0.2)
        task.cancel()
        return int(gc.get_stats()[2]["collections"] - before)

    assert asyncio.run(run_briefly()) >= 1
