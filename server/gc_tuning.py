"""Settings of Python's cyclic garbage collector for a server holding thousands of connections.

Why: with the default thresholds (700, 10, 10) a burst of 10,000 ratings runs
hundreds of young collections, promotes short-lived per-message objects into
the old generations, and triggers full collections that traverse every
connection's objects: cost that grows with the hall. This module keeps the
long-lived heap out of the collector's way and the collector on:

- after start-up and after every FREEZE_AFTER_ARRIVALS new connections
  (`arrived()`), it collects what is not frozen and freezes what survived
  (`gc.freeze()`). Each such pass costs about what was made since the
  last, so a hall connecting costs linear time; an automatic full
  collection then traverses only what was made since, never the whole
  hall. Nothing is frozen for any other reason: a loop that looks idle may
  be waiting on the disk in the middle of a burst, with thousands of votes
  in flight that die by refcount a moment later;
- young collections are rarer (each one is still bounded by the young
  generation's size);
- while a burst is in flight (`command_began()`/`command_ended()`: at least
  BURST_IN_FLIGHT commands awaiting their acks), young collections wait until
  the loop is calm again; what the burst left is then frozen (see BURST_THRESHOLDS);
- when the event loop is calm and enough phones have left (`departed()`),
  it unfreezes everything, collects it all and freezes again: the cycles a
  departed phone's connection leaves in the transport libraries (about a
  hundred objects each) are freed there, so memory stays bounded. Frozen
  objects that are not in a cycle are freed by reference counting as usual.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
import time
from collections import deque

log = logging.getLogger(__name__)

# Young collections every 20,000 net container allocations instead of 700:
# a burst's per-message objects mostly die by refcount before a pass sees them.
THRESHOLDS = (20_000, 20, 10)
QUIET_CHECK_SECONDS = 0.25
# The loop counts as calm when a sleep overshot by less than this.
QUIET_LAG_SECONDS = 0.02
# A full collection traverses the whole heap (about a second for 3,000
# phones on this machine): due once the ripe departures since the last
# reach this many and a tenth of the phones still connected (so the cycles
# left behind stay under a tenth of the hall's memory), or after any ripe
# departure once EVERY_SECONDS have passed, or after MAX_SECONDS regardless.
# A departure is ripe RIPE_SECONDS after it: engine.io's ping task holds a
# closed socket until its ping interval (25 s) ends, so a collection sooner
# could not free it yet.
RIPE_SECONDS = 30.0
FULL_COLLECTION_AFTER_DEPARTURES = 200
FULL_COLLECTION_DEPARTED_SHARE = 0.1
FULL_COLLECTION_EVERY_SECONDS = 600.0
FULL_COLLECTION_MAX_SECONDS = 3600.0
# New connections after which what they left is frozen, busy or not: a pass
# over about 25,000 objects. Arrivals, not the old generations' size, decide:
# during a burst those hold the votes in flight, which die by refcount soon.
FREEZE_AFTER_ARRIVALS = 100


# A burst: a hall rating at once puts thousands of commands in flight, each
# holding coroutines, futures, contexts and frames until its group commit is
# durable, which at 10,000 phones is up to the whole burst. A young collection
# traverses every one of them, and CPython lowers the young count when any
# object dies (old ones too), so the young generation was 57,000 to 470,000
# objects when one ran: young collections took 0.73-0.80 s of a 10,000 burst
# (docs/benchmarks.md, issue 15), and one snapshot encode took 0.85 s with one
# of them inside it (8 ms alone). With young collections waiting while BURST_IN_FLIGHT
# commands or more are in flight, those objects die by refcount untraversed,
# and what survived is frozen at the next calm moment (`end_deferral`). The threshold stays
# finite, so a flood that never calms still collects, every million allocations.
BURST_IN_FLIGHT = 200
BURST_THRESHOLDS = (1_000_000, 20, 10)
_in_flight = 0  # commands received and not yet answered
_deferring = False  # BURST_THRESHOLDS in force

_departed_at: deque[float] = deque()  # time.monotonic() of each since the last full collection
_arrivals = 0  # since the last freeze
_connected = 0


def arrived() -> None:
    """A connection is set up: its objects will live as long as it does."""
    global _arrivals, _connected
    _arrivals += 1
    _connected += 1


def departed() -> None:
    """A connection has closed: its cycles, frozen with it, wait for a full collection."""
    global _connected
    _departed_at.append(time.monotonic())
    _connected = max(0, _connected - 1)


def command_began() -> None:
    """A command is in flight: from BURST_IN_FLIGHT of them, young collections wait."""
    global _in_flight, _deferring
    _in_flight += 1
    if _in_flight >= BURST_IN_FLIGHT and not _deferring:
        _deferring = True
        gc.set_threshold(*BURST_THRESHOLDS)


def command_ended() -> None:
    global _in_flight
    _in_flight = max(0, _in_flight - 1)


def deferring() -> bool:
    return _deferring


def end_deferral() -> bool:
    """If a burst deferred young collections and it is over (a tenth of
    BURST_IN_FLIGHT in flight or fewer), freeze what the burst left and restore
    THRESHOLDS. Call it when the loop is calm. True if it did.

    Frozen, not collected: what outlives a burst is the hall's new state and
    each connection's reader waiting for its next message (about 300,000
    objects after a burst of 10,000), and a young collection over them took
    0.32 s of samples in the 10,000 burst's profile while finding nothing to
    free (young collections during bursts found no cycles either). A freeze
    costs nothing; these objects die by refcount as usual, and any cycle among
    them is freed by the next full collection (`full_collection`, after phones
    leave or within FULL_COLLECTION_MAX_SECONDS)."""
    global _deferring
    if not _deferring or _in_flight > BURST_IN_FLIGHT // 10:
        return False
    _deferring = False
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return True


def ripe_departures(now: float) -> int:
    """Departures since the last full collection that happened RIPE_SECONDS before `now`."""
    return bisect.bisect_right(_departed_at, now - RIPE_SECONDS)


def full_collection_due(seconds_since_last: float, now: float | None = None) -> bool:
    """Whether the ripe departures since the last full collection, or the time, call for one."""
    ripe = ripe_departures(time.monotonic() if now is None else now)
    enough = max(FULL_COLLECTION_AFTER_DEPARTURES, FULL_COLLECTION_DEPARTED_SHARE * _connected)
    return (
        ripe >= enough
        or (ripe > 0 and seconds_since_last >= FULL_COLLECTION_EVERY_SECONDS)
        or seconds_since_last >= FULL_COLLECTION_MAX_SECONDS
    )


def tune_after_startup() -> None:
    """Collect once, freeze what start-up left (modules, settings, stores), set THRESHOLDS.

    Guarantee: after this call the frozen objects are never traversed by an
    automatic collection; everything allocated later is collected as usual.
    """
    freeze_survivors()
    gc.set_threshold(*THRESHOLDS)
    log.debug("gc: froze %d start-up objects, thresholds %s", gc.get_freeze_count(), THRESHOLDS)


def unfrozen_survivors() -> int:
    """Objects in the two old generations: survivors of a collection, not yet frozen."""
    return len(gc.get_objects(generation=1)) + len(gc.get_objects(generation=2))


def freeze_survivors() -> int:
    """Collect what is not frozen (frozen objects are not traversed), freeze what survived.

    Returns the number of unreachable objects found. Its cost grows with
    what was made since the last freeze, not with the frozen heap.
    """
    global _arrivals
    _arrivals = 0
    found = gc.collect()
    gc.freeze()
    return found


def full_collection(now: float | None = None) -> int:
    """Unfreeze, collect everything, freeze again: frees cycles among frozen objects.

    Its cost grows with the whole heap; run it when the loop is quiet. The
    departures ripe at `now` are done with; later ones wait for the next.
    """
    for _ in range(ripe_departures(time.monotonic() if now is None else now)):
        _departed_at.popleft()
    gc.unfreeze()
    return freeze_survivors()


async def collect_when_quiet(check_seconds: float = QUIET_CHECK_SECONDS) -> None:
    """Forever: while the loop is calm, a full collection when one is due
    (`full_collection_due`: soon after phones left, so the next hall reuses
    their memory); after FREEZE_AFTER_ARRIVALS new connections, freeze the
    survivors. Cancel the task to stop it.
    """
    last = time.monotonic()
    while True:
        asked = time.monotonic()
        await asyncio.sleep(check_seconds)
        now = time.monotonic()
        calm = now - asked - check_seconds < QUIET_LAG_SECONDS
        if calm and end_deferral():
            log.debug("gc: froze what a burst left, at a calm moment")
        elif calm and full_collection_due(now - last):
            started = time.perf_counter()
            freed = full_collection()
            last = time.monotonic()
            took_ms = (time.perf_counter() - started) * 1000
            log.debug("gc: full collection freed %d in %.0f ms", freed, took_ms)
        elif _arrivals >= FREEZE_AFTER_ARRIVALS:
            freeze_survivors()
