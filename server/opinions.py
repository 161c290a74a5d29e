"""Opinion groups of each live session, recomputed off the hall's path.

A runner listener (`OpinionGroups.changed`, called after each batch's acks are
set) only counts: it starts a recompute once `settings.opinions_every` rating
changes have come in (and half as many as the ratings held, `GROWTH`),
or `settings.opinions_seconds` after the last recompute if any came in, never
per rating and never two at once per session. A recompute that is due by count
also waits for a lull (`CALM_S` without a rating change), still within
`opinions_seconds`: while a hall rates at once, groups computed from the first
ratings are stale before anyone reads them, and computing them took the event
loop's time (the recompute's Python parts hold the GIL) from the
acknowledgements of the rest.

On Redis only the session's owner recomputes: it publishes each result
(`publish`, server/replica.py) and the replicas on other workers take it as
it comes (`carried`, server/replica.py), rather than each computing groups of
its own from the same log. A replica computing them cost each non-owning
worker as much as the owner, on a machine the workers share, and could label
the same groups differently from the owner.

The recompute runs in a worker thread (`asyncio.to_thread`) on a copy of the
matrix taken between two batches, so the session goes on accepting and
acknowledging ratings while it runs. Why a thread rather than slices between
batches: the heavy parts (eigendecomposition, matrix products, k-means) are
numpy calls that release the GIL, and a thread needs no budget bookkeeping; the
copy (O(entries), a few ms at 10,000 x 50) is the only cost on the event loop.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from facilitation.opinions import Opinions, compute, copy_of

from .errors import ApiError
from .live import LiveSession

log = logging.getLogger("plenary.opinions")

Clock = Callable[[], float]
OnResult = Callable[[LiveSession, Opinions], None]
ChangeHook = Callable[[LiveSession, frozenset[str]], None]
# The owner's result for the replicas: (session, the log's seq it was computed at, result).
Publish = Callable[[LiveSession, int, Opinions], Awaitable[None]]


# A recompute costs O(ratings held), so a fixed count between recomputes costs
# O(ratings^2) over a hall's burst: 10,000 phones rating at once made it the
# largest super-linear share of the burst's profile. Waiting also for this
# share of the ratings held keeps the total linear (the sizes recomputed grow
# geometrically) and changes nothing below opinions_every / GROWTH ratings.
# Half: a recompute once the ratings held have doubled since the last one, so
# a burst recomputes about twice its final size in all, at any size (with a
# quarter it was about four times at 10,000 and three at 1,000, and each
# result also goes to the console and display as a map of every point).
# Freshness is `opinions_seconds`: changes wait at most that long anyway.
GROWTH = 0.5

# A lull: this long without a rating change. Short next to a person's reading
# of the map (and to `opinions_seconds`, which bounds the wait in any case), long
# next to the gap between two batches while a hall rates at once (milliseconds).
CALM_S = 0.25


def due(pending: int, held: int, every: int) -> bool:
    """Whether `pending` changes since the last recompute warrant a new one, with
    `held` ratings in the matrix and the session's `opinions_every`."""
    return pending >= max(every, GROWTH * held)


@dataclass(slots=True)
class _Watch:
    done_revision: int = 0
    done_at: float = 0.0
    task: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None
    timer_at: float = 0.0  # when `timer` fires, on the groups' clock
    changed_at: float = 0.0  # the last rating change seen
    latest: Opinions | None = None
    recomputes: int = 0


class OpinionGroups:
    """Latest opinion groups per session; `on_result` hooks see each new result."""

    def __init__(self, clock: Clock = time.monotonic, calm: float = CALM_S) -> None:
        self._clock = clock
        self._calm = calm
        self._watches: dict[str, _Watch] = {}
        self.on_result: list[OnResult] = []
        self.on_change: list[ChangeHook] = []  # every committed batch, as runners report it
        self.publish: Publish | None = None  # set on Redis: results go to the replicas

    def attach(self, runner: LiveSession) -> None:
        runner.listeners.append(self.changed)

    def latest(self, session_id: str) -> Opinions | None:
        watch = self._watches.get(session_id)
        return None if watch is None else watch.latest

    def recomputes(self, session_id: str) -> int:
        watch = self._watches.get(session_id)
        return 0 if watch is None else watch.recomputes

    def running(self, session_id: str) -> bool:
        """Whether a recompute of the session is under way."""
        watch = self._watches.get(session_id)
        return watch is not None and watch.task is not None

    def changed(self, runner: LiveSession, touched: frozenset[str]) -> None:
        """Runner listener: O(1) unless a recompute is due."""
        if "propositions" in touched:
            self._watch(runner.session_id).changed_at = self._clock()
            self._consider(runner)
        for hook in self.on_change:
            hook(runner, touched)

    def carried(self, runner: LiveSession, result: Opinions) -> None:
        """A replica's groups, as the owner computed them: shown as if computed here."""
        watch = self._watches.setdefault(runner.session_id, _Watch(done_at=self._clock()))
        watch.latest = runner.opinions = result
        for hook in self.on_result:
            hook(runner, result)

    def taken_over(self, runner: LiveSession) -> None:
        """This worker now owns a session it replicated: the groups it holds are the
        old owner's, maybe from before its last ratings, so they are recomputed once
        here (then published) without waiting for new ratings."""
        watch = self._watches.setdefault(runner.session_id, _Watch(done_at=self._clock()))
        if watch.task is not None:
            return  # a recompute is under way here already
        if watch.timer is not None:
            watch.timer.cancel()
            watch.timer = None
        watch.task = asyncio.create_task(self._recompute(runner, watch))

    def _consider(self, runner: LiveSession) -> None:
        if not runner.owner:
            return  # a replica: its groups are carried from the owner
        watch = self._watch(runner.session_id)
        matrix, settings = runner.state.opinions, runner.state.settings
        pending = matrix.revision - watch.done_revision
        if pending <= 0 or watch.task is not None:
            return  # a running recompute re-checks when it ends
        now = self._clock()
        wait = watch.done_at + settings.opinions_seconds - now
        if wait > 0 and due(pending, sum(matrix.counts), settings.opinions_every):
            wait = min(wait, watch.changed_at + self._calm - now)  # due: at the next lull
        if wait > 0:
            self._wake(runner, watch, now + wait)
            return
        if watch.timer is not None:
            watch.timer.cancel()
            watch.timer = None
        watch.task = asyncio.create_task(self._recompute(runner, watch))

    def _watch(self, session_id: str) -> _Watch:
        watch = self._watches.get(session_id)
        if watch is None:  # the first period starts now, not at the clock's origin
            watch = self._watches[session_id] = _Watch(done_at=self._clock())
        return watch

    def _wake(self, runner: LiveSession, watch: _Watch, at: float) -> None:
        """`_consider` again at `at`, or earlier if already due earlier. While a hall
        rates at once this re-arms once per `CALM_S`, not once per batch."""
        if watch.timer is not None and watch.timer_at <= at:
            return
        if watch.timer is not None:
            watch.timer.cancel()
        loop = asyncio.get_running_loop()
        watch.timer, watch.timer_at = (
            loop.call_later(at - self._clock(), self._on_timer, runner, watch),
            at,
        )

    def _on_timer(self, runner: LiveSession, watch: _Watch) -> None:
        watch.timer = None
        self._consider(runner)

    async def _recompute(self, runner: LiveSession, watch: _Watch) -> None:
        revision = watch.done_revision
        try:
            # Between two batches: only committed ratings, none whose append is in flight.
            matrix, version = await runner.read(
                lambda: (copy_of(runner.state.opinions), runner.state.version)
            )
            revision = matrix.revision
            result = await asyncio.to_thread(compute, matrix, watch.latest)
            watch.latest, watch.recomputes = result, watch.recomputes + 1
            runner.opinions = result
            for hook in self.on_result:
                hook(runner, result)
            if self.publish is not None and runner.owner:
                await self.publish(runner, version, result)
        except ApiError as error:  # the store is out of reach: known and logged already
            log.warning("opinion groups of %s not recomputed: %s", runner.session_id, error)
        except Exception:
            # A failed recompute leaves the last groups in place; ratings are unaffected,
            # and the next try waits for the cadence again rather than spinning.
            log.exception("opinion groups of session %s could not be recomputed", runner.session_id)
        finally:
            watch.task = None
            watch.done_revision, watch.done_at = revision, self._clock()
        self._consider(runner)

    def forget(self, session_id: str) -> None:
        watch = self._watches.pop(session_id, None)
        if watch is not None and watch.timer is not None:
            watch.timer.cancel()
        if watch is not None and watch.task is not None:
            watch.task.cancel()
