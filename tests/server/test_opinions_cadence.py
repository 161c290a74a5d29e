"""Opinion groups in the shell (server/opinions.py): bounded cadence, off the ack path.

A real SessionRunner on a real SQLite file, with the runner listener the
server installs; the recompute's result is checked against a from-scratch
computation of the committed ratings.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from facilitation import Actor
from facilitation import commands as c
from facilitation.opinions import Opinions, compute, recount
from facilitation.settings import SessionSettings
from facilitation.vocabulary import Value
from server.live import LiveSession
from server.opinions import OpinionGroups
from server.runner import SessionRunner
from server.sqlite_store import SqliteStore

FACILITATOR = Actor("facilitator")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "plenary.sqlite")
    await opened.open()
    yield opened
    await opened.close()


async def started(
    store: SqliteStore, every: int, seconds: int, participants: int = 12, calm: float = 0.0
) -> tuple[SessionRunner, OpinionGroups]:
    """A session with one open proposition. No lull is awaited unless `calm` is given,
    so that the counts and the clock alone decide in the tests that do not give it."""
    runner = SessionRunner("s1", store, 5000)
    groups = OpinionGroups(calm=calm)
    groups.attach(runner)
    runner.start()
    settings = SessionSettings(opinions_every=every, opinions_seconds=seconds)
    create = c.CreateSession(
        "s1", "T", "ABCDEFGH", settings=settings, propositions=(("p1", "A", None),)
    )
    assert (await runner.submit(create, Actor("operator")))["ok"]
    for i in range(participants):
        assert (await runner.submit(c.Join(f"u{i:02d}", "government", "in_room"), Actor("guest")))[
            "ok"
        ]
    assert (await runner.submit(c.OpenProposition("p1"), FACILITATOR))["ok"]
    return runner, groups


async def rate(runner: SessionRunner, i: int) -> None:
    value: Value = "strongly_agree" if i % 2 else "strongly_disagree"
    ack = await runner.submit(c.SubmitRating("p1", value), Actor("participant", f"u{i:02d}"))
    assert ack["ok"]


async def until_recomputed(groups: OpinionGroups, count: int) -> None:
    """Wait (bounded by pytest-timeout) for the count-th recompute's result."""
    done = asyncio.Event()

    def seen(_runner: LiveSession, _result: Opinions) -> None:
        if groups.recomputes("s1") >= count:
            done.set()

    groups.on_result.append(seen)
    try:
        if groups.recomputes("s1") < count:
            await done.wait()
    finally:
        groups.on_result.remove(seen)


async def test_recompute_every_n_ratings_not_per_rating(store: SqliteStore) -> None:
    runner, groups = await started(store, every=10, seconds=86400)
    try:
        for i in range(9):
            await rate(runner, i)
        await asyncio.sleep(0.05)  # room for a recompute that must not start
        assert groups.recomputes("s1") == 0
        assert groups.latest("s1") is None
        await rate(runner, 9)
        await until_recomputed(groups, 1)
        latest = groups.latest("s1")
        assert latest is not None
        assert latest == compute(recount(runner.state.opinions))
        assert sorted(g.size for g in latest.groups) == [5, 5]
        await rate(runner, 10)  # one more is below the cadence: the groups stay as they were
        await asyncio.sleep(0.05)
        assert groups.recomputes("s1") == 1
    finally:
        await runner.stop()


async def test_recompute_after_t_seconds_with_few_ratings(store: SqliteStore) -> None:
    runner, groups = await started(store, every=1000, seconds=1)
    try:
        for i in range(6):
            await rate(runner, i)
        await until_recomputed(groups, 1)
        latest = groups.latest("s1")
        assert latest is not None
        assert len(latest.points) == 6
        assert latest == compute(recount(runner.state.opinions))
    finally:
        await runner.stop()


async def test_a_growing_hall_waits_for_a_share_of_the_ratings_held(store: SqliteStore) -> None:
    """Past opinions_every / GROWTH ratings, a recompute waits for GROWTH (half) of
    the ratings held as well, so a hall's burst costs recomputes linear in its size.
    With opinions_every 2, 40 ratings one by one: a recompute at 2 and 4 ratings
    (every 2), then at 8, 16 and 32 (half of those held are new), not 20 of them."""
    runner, groups = await started(store, every=2, seconds=86400, participants=40)
    try:
        at: list[int] = []  # ratings held at each recompute
        for i in range(40):
            await rate(runner, i)
            if groups.running("s1"):
                at.append(i + 1)
                await until_recomputed(groups, len(at))
        assert at == [2, 4, 8, 16, 32]
        assert groups.recomputes("s1") == len(at)
        latest = groups.latest("s1")
        assert latest is not None
        assert len(latest.points) == 32
    finally:
        await runner.stop()


async def test_a_session_taken_over_recomputes_the_groups_it_was_carried(
    store: SqliteStore,
) -> None:
    """On Redis a replica shows the owner's groups; the worker that takes the session
    over recomputes them at once, even with no rating since (they may predate the last)."""
    runner, groups = await started(store, every=1000, seconds=86400)
    try:
        for i in range(6):
            await rate(runner, i)
        carried = compute(recount(runner.state.opinions))  # the old owner's last result
        for i in range(6, 12):
            await rate(runner, i)
        groups.carried(runner, carried)
        assert runner.opinions is carried
        await asyncio.sleep(0.05)  # room for a recompute that must not start
        assert groups.recomputes("s1") == 0
        groups.taken_over(runner)
        await asyncio.wait_for(until_recomputed(groups, 1), 10)
        latest = groups.latest("s1")
        assert latest is not None
        assert latest.points == compute(recount(runner.state.opinions)).points
        assert len(latest.points) == 12
    finally:
        await runner.stop()


async def test_a_due_recompute_waits_for_a_lull_in_the_ratings(store: SqliteStore) -> None:
    """While ratings keep coming (a hall rating at once), a recompute due by count
    waits until none has come for the lull, then runs once over all of them."""
    runner, groups = await started(store, every=2, seconds=86400, participants=12, calm=0.4)
    try:
        for i in range(12):  # each acked before the next: far less than 0.4 s apart
            await rate(runner, i)
            assert not groups.running("s1")
        assert groups.recomputes("s1") == 0  # due since the second rating, yet none ran
        await asyncio.wait_for(until_recomputed(groups, 1), 10)
        latest = groups.latest("s1")
        assert latest is not None
        assert len(latest.points) == 12
        await asyncio.sleep(0.6)  # longer than the lull: nothing more is due
        assert groups.recomputes("s1") == 1
    finally:
        await runner.stop()


async def test_ratings_that_never_pause_still_get_groups_within_opinions_seconds(
    store: SqliteStore,
) -> None:
    """A lull bounds nothing by itself: with ratings 0.1 s apart and a lull of a
    minute, the groups are still recomputed once opinions_seconds (1 s) has passed."""
    runner, groups = await started(store, every=2, seconds=1, participants=40, calm=60.0)
    try:
        loop = asyncio.get_running_loop()
        start = loop.time()
        i = 0
        while groups.recomputes("s1") == 0 and not groups.running("s1"):
            assert loop.time() - start < 5, "no recompute within opinions_seconds"
            await rate(runner, i)
            i += 1
            await asyncio.sleep(0.1)
        assert 8 <= i <= 40  # about 1 s of ratings, not the first two
        await asyncio.wait_for(until_recomputed(groups, 1), 10)
    finally:
        await runner.stop()
