"""Coalesced live updates: at most one `state` event per room per interval.

The runner reports which view sections its committed batch touched. The first
change after a quiet spell goes out at once; changes that follow within the
interval are merged into the next flush, so a burst of a thousand ratings
costs a handful of broadcasts, never one per vote. A flush recomputes only
the touched sections, compares them with what each room last received, and
sends the sections that differ.

Flushes are paced from the start of one to the start of the next, so the pace
a client sees does not depend on how long a flush takes where it is sent. The
participants' tier is slower still in a large hall: see `Fanout.pace`.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from facilitation.views import participants_since, places

from .errors import ApiError
from .live import LiveSession
from .views import personal, role_view, room, sections_of

log = logging.getLogger("plenary.fanout")
Emit = Callable[[str, dict[str, Any], str], Awaitable[None]]
# Sent with snapshots and acks, never to a room; `place` also to its one phone.
PERSONAL = frozenset({"me", "place"})
# Stands for a place the feed does not know the phone holds: unequal to any place.
_UNKNOWN: Any = object()
RETRY_SECONDS = 1.0  # between flushes while the store is out of reach


class _SessionFeed:
    """One session's updates for one tier of audiences, at that tier's pace.

    Two lists can grow to thousands, so they never go out whole on a change:
    the console gets the participant rows changed since the version it was
    last sent (`participants_delta`), and each waiting phone its own `place`
    when it changes (the participants' room gets only the head of the queue).
    """

    def __init__(self, participants: bool, interval: float, state_version: int = 0) -> None:
        self.participants = participants
        self.interval = interval
        self.dirty: set[str] = set()
        self.wake = asyncio.Event()
        self.sent: dict[str, dict[str, Any]] = {}
        self.rows_since = state_version  # the console holds every row up to this version
        self.places: dict[str, Any] = {}  # each waiting phone's place as last sent
        self.waiting = False  # the last flush found the store out of reach
        self.hall = 0  # participants in the session at the last flush
        self.task: asyncio.Task[None] | None = None


class Fanout:
    """Two tiers: the facilitator, display and hubs follow every `interval`; the
    participants' room, which may hold ten thousand phones, every
    `participant_interval` or slower in a large hall (each of its flushes is a
    message to every phone): see `pace`."""

    def __init__(
        self,
        emit: Emit,
        interval: float,
        participant_interval: float,
        participant_rate: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._emit = emit
        self._clock, self._sleep = clock, sleep
        self._intervals = (interval, max(interval, participant_interval))
        self._participant_rate = participant_rate
        self._feeds: dict[str, tuple[_SessionFeed, _SessionFeed]] = {}

    def watch(self, runner: LiveSession) -> None:
        """Start following a session loaded from the store: what its clients hold
        is its state now (a new session is followed from its first event)."""
        self._feeds_of(runner)

    def _feeds_of(self, runner: LiveSession) -> tuple[_SessionFeed, _SessionFeed]:
        feeds = self._feeds.get(runner.session_id)
        if feeds is None:
            version = runner.state.version
            feeds = self._feeds[runner.session_id] = (
                _SessionFeed(False, self._intervals[0], version),
                _SessionFeed(True, self._intervals[1], version),
            )
            feeds[1].places = places(runner.state)
            for feed in feeds:
                feed.task = asyncio.create_task(self._pump(runner, feed))
        return feeds

    def forget(self, session_id: str) -> None:
        """Stop following a session no longer served here; a later `watch` starts afresh."""
        for feed in self._feeds.pop(session_id, ()):
            if feed.task is not None:
                feed.task.cancel()

    def changed(self, runner: LiveSession, sections: frozenset[str]) -> None:
        feeds = self._feeds_of(runner)
        if "propositions" in sections:  # a reveal can show the projector's opinion map
            sections = sections | {"opinions"}
        for feed in feeds:
            feed.dirty |= sections
            feed.wake.set()

    def told(self, runner: LiveSession, participant_id: str, place: Any) -> None:
        """A snapshot, now on the wire, told a participant's phone `place`.

        The feed sends a place only when it differs from the last one it sent
        that participant. Where the snapshot told another (a change in the
        feed's interval), the feed forgets what it sent, so its next flush sends
        the place as it then is: else a change undone within one flush (moved
        up and back) would leave the phone holding the snapshot's place."""
        feeds = self._feeds.get(runner.session_id)
        if feeds is None:
            return
        feed = feeds[1]
        if feed.places.get(participant_id) != place:
            feed.places[participant_id] = _UNKNOWN
            feed.dirty.add("place")
            feed.wake.set()

    async def close(self) -> None:
        feeds = [feed for pair in self._feeds.values() for feed in pair]
        tasks = [feed.task for feed in feeds if feed.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def pace(self, feed: _SessionFeed) -> float:
        """Seconds from the start of one flush of `feed` to the start of the next.

        For the participants' tier, at least the hall (every participant in the
        session, as its state counts them) over `participant_rate`, the phone
        messages a session is sent a second: a hall of 10,000 at 5,000 a second
        gets an update every 2 s while things change. The hall is counted from
        the session's state, the same on every worker's replica, never from the
        phones connected here: a worker serving a third of the hall then flushes
        at the same pace as one process serving all of it, so a phone gets the
        same updates at the same pace however the hall is deployed, and the
        workers together send what one process would."""
        if not feed.participants:
            return feed.interval
        return max(feed.interval, feed.hall / self._participant_rate)

    async def _pump(self, runner: LiveSession, feed: _SessionFeed) -> None:
        while True:
            await feed.wake.wait()
            feed.wake.clear()
            began = time.monotonic()
            sections, feed.dirty = feed.dirty, set()
            try:
                updates = await runner.read(partial(self._updates, runner, feed, sections))
                for room_name, payload in updates:
                    await self._emit("state", payload, room_name)
            except ApiError as error:
                if error.code == "unavailable":
                    await self._wait_for_store(runner, feed, sections, error)
                    continue
                log.warning("fan-out of session %s failed: %s", runner.session_id, error)
            except Exception:  # a failed flush must not end the feed
                log.exception("fan-out of session %s failed", runner.session_id)
            feed.waiting = False
            await self._sleep(max(0.0, began + self.pace(feed) - time.monotonic()))

    async def _wait_for_store(
        self, runner: LiveSession, feed: _SessionFeed, sections: set[str], error: ApiError
    ) -> None:
        """The store is out of reach (Redis), so the session cannot be read: the
        sections are kept and tried again until it answers, rather than lost until
        the next change; told once per outage, not once per try."""
        feed.dirty |= sections
        if not feed.waiting:
            log.warning("fan-out of session %s waits: %s", runner.session_id, error)
        feed.waiting = True
        feed.wake.set()
        await self._sleep(max(feed.interval, RETRY_SECONDS))

    def _updates(
        self, runner: LiveSession, feed: _SessionFeed, sections: set[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        now = self._clock()
        feed.hall = len(runner.state.participants)
        if feed.participants:
            audiences = [("participant", "")]
        else:
            audiences = [("facilitator", ""), ("display", "")]
            audiences += [("hub", hub_id) for hub_id in runner.state.hubs]
        updates = []
        stamp = {"version": runner.state.version, "head": runner.head_short}
        for role, subject in audiences:
            wanted = (sections & set(sections_of(role))) - PERSONAL - {"participants"}
            name = room(runner.session_id, role, subject)
            changed = self._changed_sections(runner, feed, name, role, subject, now, wanted)
            if role == "facilitator" and "participants" in sections:
                changed |= self._participant_rows(runner, feed)
            if changed:
                updates.append((name, {**stamp, **changed}))
        if feed.participants and "place" in sections:
            updates += [(room, {**stamp, "place": p}) for room, p in self._places(runner, feed)]
        return updates

    def _changed_sections(
        self,
        runner: LiveSession,
        feed: _SessionFeed,
        name: str,
        role: str,
        subject: str,
        now: float,
        wanted: set[str],
    ) -> dict[str, Any]:
        if not wanted:
            return {}
        fresh = role_view(runner, role, subject, now, wanted)
        last = feed.sent.setdefault(name, {})
        keys = {k: _key(k, v, runner) for k, v in fresh.items()}
        changed = {k: fresh[k] for k, key in keys.items() if key != last.get(k)}
        last.update({k: keys[k] for k in changed})
        return changed

    @staticmethod
    def _participant_rows(runner: LiveSession, feed: _SessionFeed) -> dict[str, Any]:
        """The console's participant rows changed since it was last sent any."""
        rows = participants_since(runner.state, feed.rows_since)
        if not rows:
            return {}
        delta = {"since": feed.rows_since, "rows": rows}
        feed.rows_since = runner.state.version
        return {"participants_delta": delta}

    @staticmethod
    def _places(runner: LiveSession, feed: _SessionFeed) -> list[tuple[str, Any]]:
        """(personal room, place) for each phone whose place in the queue changed."""
        now, before = places(runner.state), feed.places
        feed.places = now
        return [
            (personal(runner.session_id, pid), now.get(pid))
            for pid in now.keys() | before.keys()
            if now.get(pid) != before.get(pid)
        ]


def _key(section: str, value: Any, runner: LiveSession) -> Any:
    """What decides whether a section changed. The timer's `remaining` moves with
    the clock, so the timer is compared by its stored state instead."""
    if section == "timer":
        timer = runner.state.timer
        return (timer.duration, timer.remaining, timer.started_at)
    return value
