"""Replicas no longer needed on this worker are unloaded.

On Redis a worker serves a session it does not own from a replica that
follows the session's log (server/replica.py): a blocking read on a Redis
connection of its own, the session's state in memory, and the fan-out's feeds.
A worker whose connections came and went over a week of sessions would keep
every one of them following, for good. So a replica that has had no
connection on this worker, no command of it waiting for the owner's answer
and no request for it (`Sessions.get`) for `grace_s` (`--redis-replica-idle-s`)
is unloaded (`Sessions.unload`): it stops following, and is dropped with
everything that followed it here. A connection that comes later loads it
again from the store (the snapshot and the log after it), as on first use.

Only replicas: a session this worker owns keeps its runner (its lease has its
own renewal and release), and a replica taken over becomes a runner. The
look runs every quarter of the grace period (at most every SWEEP_MAX_S), so a
replica goes between `grace_s` and `grace_s` plus one look after its last use.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Final

from .lease import pause
from .replica import Replica
from .served import Served
from .sessions import Sessions

log = logging.getLogger("plenary.sessions")
SWEEP_MAX_S: Final = 30.0
SWEEP_MIN_S: Final = 0.25


class IdleReplicas:
    """`connected` answers the sessions with a connection on this worker now."""

    def __init__(
        self,
        sessions: Sessions,
        connected: Callable[[], set[str]],
        grace_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._connected = connected
        self._grace_s = grace_s
        self._clock = clock
        self._every = min(SWEEP_MAX_S, max(SWEEP_MIN_S, grace_s / 4))
        self._since: dict[str, float] = {}  # replica -> first look that found it unused
        self.unloaded = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="idle-replicas")

    async def close(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=5)
            self._task.cancel()

    def counts(self) -> dict[str, Any]:
        return {"replicas_unloaded": self.unloaded}

    async def _run(self) -> None:
        while not await pause(self._stopping, self._every):
            try:
                await self.sweep()
            except Exception:  # the next look tries again
                log.exception("idle replicas could not be unloaded")

    async def sweep(self) -> None:
        """Unload every replica unused here for the grace period."""
        connected, now = self._connected(), self._clock()
        since: dict[str, float] = {}
        due: list[Served] = []
        for served in self._sessions.all():
            if self._in_use(served, connected):
                continue
            first = since[served.session_id] = self._since.get(served.session_id, now)
            if now - max(first, served.used_at) >= self._grace_s:
                due.append(served)
        self._since = since  # sessions in use, unloaded or gone are forgotten
        for served in due:
            # Asked again once its lock is held: each unload before it awaited.
            if await self._sessions.unload(served, self._idle):
                self._since.pop(served.session_id, None)
                self.unloaded += 1
                log.info("replica of session %s unloaded: unused here", served.session_id)

    def _idle(self, served: Served) -> bool:
        unused = not self._in_use(served, self._connected())
        return unused and self._clock() - served.used_at >= self._grace_s

    @staticmethod
    def _in_use(served: Served, connected: set[str]) -> bool:
        """Owned here, a command of it waiting for the owner, or a connection here."""
        inner = served.inner
        return (
            not isinstance(inner, Replica) or inner.forwarding > 0 or served.session_id in connected
        )
