"""Coalesced live updates: at most one `state` event per room per interval.

The runner reports which view sections its committed batch touched. The first
change after a quiet spell goes out at once; changes that follow within the
interval are merged into the next flush, so a burst of a thousand ratings
costs a handful of broadcasts, never one per vote. A flush recomputes only
the touched sections, compares them with what each room last received, and
sends the sections that differ.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from .runner import SessionRunner
from .views import role_view, room, sections_of

log = logging.getLogger("plenary.fanout")
Emit = Callable[[str, dict[str, Any], str], Awaitable[None]]
PERSONAL = frozenset({"me"})  # sent with snapshots and acks, never to a room


class _SessionFeed:
    """One session's updates for one tier of audiences, at that tier's pace."""

    def __init__(self, participants: bool, interval: float) -> None:
        self.participants = participants
        self.interval = interval
        self.dirty: set[str] = set()
        self.wake = asyncio.Event()
        self.sent: dict[str, dict[str, Any]] = {}
        self.task: asyncio.Task[None] | None = None


class Fanout:
    """Two tiers: the facilitator, display and hubs follow every `interval`; the
    participants' room, which may hold a thousand phones, every
    `participant_interval` (each of its flushes is a message to every phone)."""

    def __init__(
        self,
        emit: Emit,
        interval: float,
        participant_interval: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._emit = emit
        self._clock, self._sleep = clock, sleep
        self._intervals = (interval, max(interval, participant_interval))
        self._feeds: dict[str, tuple[_SessionFeed, _SessionFeed]] = {}

    def changed(self, runner: SessionRunner, sections: frozenset[str]) -> None:
        feeds = self._feeds.get(runner.session_id)
        if feeds is None:
            feeds = self._feeds[runner.session_id] = (
                _SessionFeed(False, self._intervals[0]),
                _SessionFeed(True, self._intervals[1]),
            )
            for feed in feeds:
                feed.task = asyncio.create_task(self._pump(runner, feed))
        if "propositions" in sections:  # a reveal can show the projector's opinion map
            sections = sections | {"opinions"}
        for feed in feeds:
            feed.dirty |= sections
            feed.wake.set()

    async def close(self) -> None:
        feeds = [feed for pair in self._feeds.values() for feed in pair]
        tasks = [feed.task for feed in feeds if feed.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _pump(self, runner: SessionRunner, feed: _SessionFeed) -> None:
        while True:
            await feed.wake.wait()
            feed.wake.clear()
            sections, feed.dirty = feed.dirty, set()
            try:
                updates = await runner.read(partial(self._updates, runner, feed, sections))
                for room_name, payload in updates:
                    await self._emit("state", payload, room_name)
            except Exception:  # a failed flush must not end the feed
                log.exception("fan-out of session %s failed", runner.session_id)
            await self._sleep(feed.interval)

    def _updates(
        self, runner: SessionRunner, feed: _SessionFeed, sections: set[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        now = self._clock()
        if feed.participants:
            audiences = [("participant", "")]
        else:
            audiences = [("facilitator", ""), ("display", "")]
            audiences += [("hub", hub_id) for hub_id in runner.state.hubs]
        updates = []
        for role, subject in audiences:
            wanted = (sections & set(sections_of(role))) - PERSONAL
            if not wanted:
                continue
            name = room(runner.session_id, role, subject)
            fresh = role_view(runner, role, subject, now, wanted)
            last = feed.sent.setdefault(name, {})
            keys = {k: _key(k, v, runner) for k, v in fresh.items()}
            changed = {k: fresh[k] for k, key in keys.items() if key != last.get(k)}
            if changed:
                last.update({k: keys[k] for k in changed})
                updates.append(
                    (name, {"version": runner.state.version, "head": runner.head_short, **changed})
                )
        return updates


def _key(section: str, value: Any, runner: SessionRunner) -> Any:
    """What decides whether a section changed. The timer's `remaining` moves with
    the clock, so the timer is compared by its stored state instead."""
    if section == "timer":
        timer = runner.state.timer
        return (timer.duration, timer.remaining, timer.started_at)
    return value
