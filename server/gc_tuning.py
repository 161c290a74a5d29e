"""Settings of Python's cyclic garbage collector for a server holding thousands of connections.

Why: with the default thresholds (700, 10, 10) a burst of 10,000 ratings runs
hundreds of young collections, promotes short-lived per-message objects into
the old generations, and triggers full collections that traverse every
connection's objects: cost that grows with the hall. This module keeps the
long-lived start-up heap out of the collector's way (`gc.freeze()`), makes
young collections rarer (each one is still bounded by the young generation's
size), and runs full collections when the event loop is quiet rather than in
the middle of a burst. Cycles are still collected: the collector stays on.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger(__name__)

# Young collections every 20,000 net container allocations instead of 700:
# a burst's per-message objects mostly die by refcount before a pass sees them.
THRESHOLDS = (20_000, 20, 10)
QUIET_CHECK_SECONDS = 5.0
# The loop counts as quiet when a sleep overshot by less than this.
QUIET_LAG_SECONDS = 0.02
FULL_COLLECTION_EVERY_SECONDS = 60.0


def tune_after_startup() -> None:
    """Collect once, freeze what start-up left (modules, settings, stores), set THRESHOLDS.

    Guarantee: after this call the frozen objects are never traversed by an
    automatic collection; everything allocated later is collected as usual.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    log.debug("gc: froze %d start-up objects, thresholds %s", gc.get_freeze_count(), THRESHOLDS)


async def collect_when_quiet(
    check_seconds: float = QUIET_CHECK_SECONDS,
    every_seconds: float = FULL_COLLECTION_EVERY_SECONDS,
) -> None:
    """Forever: a full collection at most every `every_seconds`, only while the loop is quiet.

    A full collection after a burst frees the burst's cycles and resets the
    collector's own full-collection trigger, so the next burst is less likely
    to pay for one. Cancel the task to stop it.
    """
    last = time.monotonic()
    while True:
        asked = time.monotonic()
        await asyncio.sleep(check_seconds)
        now = time.monotonic()
        quiet = now - asked - check_seconds < QUIET_LAG_SECONDS
        if quiet and now - last >= every_seconds:
            gc.collect()
            last = time.monotonic()
