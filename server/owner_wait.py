"""Forwarded commands waiting for their owner's answer: what keeps them waiting, and what ends it.

A command forwarded to a session's owner (server/cluster.py) is sent once and
its answer waited for as long as that owner holds the session's lease and
listens on its channel, however slow it is: a loaded owner is not a gone one.
Every FORWARD_CHECK_S the command checks both (one read of the lease and one
`PUBSUB NUMSUB` at a time per session, shared by the commands waiting there),
and the cluster's lease watch wakes it as soon as it sees the lease name
another owner (`saw_owner`). The wait ends with the answer; with "absent" when
nobody listened on the owner's channel as it was sent (it did not arrive);
with "moved" when the lease names another owner or none; with "unheard" when
nobody has listened on the owner's channel at checks `absent_s` apart; with
"silent" at the command's patience (a monotonic time the caller gives). After
"moved", "unheard" and "silent" the owner may have recorded it. Its correlation id is
forgotten then (server/forwarding.py), so a late answer finds nobody waiting
and is dropped, and the waiting entry and the shared check go with the last
command waiting on the session.
"""

import asyncio
import dataclasses
import logging
import time
from typing import Any, Final, Literal

from redis.exceptions import RedisError

from .forwarding import Forwarder, Message, Missing
from .lease import lease_owner
from .redis_store import RedisStore

log = logging.getLogger("plenary.cluster")
# While a command waits for an owner, it checks this often that the lease still
# names that owner and that the owner still listens on its channel.
FORWARD_CHECK_S: Final = 1.0
# What a check of a session's owner found: it holds the lease and listens, the lease
# names another (or none), it holds the lease but nobody listens, or Redis did not answer.
Seen = Literal["there", "moved", "unheard", "unknown"]
Answer = Message | Missing | Literal["moved", "unheard"]


@dataclasses.dataclass(eq=False)
class _Waiting:
    """A forwarded command waiting for `owner`'s answer since look number `since`."""

    owner: str
    since: int
    moved: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


@dataclasses.dataclass(frozen=True)
class _Check:
    """A read of whether `owner` still holds the session's lease and listens, begun
    at `began` (monotonic)."""

    owner: str
    began: float
    seen: "asyncio.Task[Seen]"


class OwnerWaits:
    """The forwarded commands of one worker waiting for their owners' answers."""

    def __init__(self, forwarder: Forwarder, store: RedisStore, absent_s: float) -> None:
        self._forwarder = forwarder
        self._store = store
        self._absent_s = absent_s
        self._waiting: dict[str, set[_Waiting]] = {}  # session -> commands waiting
        self._checks: dict[str, _Check] = {}  # session -> the last check of its owner
        self._tasks: set[asyncio.Task[Seen]] = set()

    @property
    def count(self) -> int:
        """Commands waiting for an owner's answer now."""
        return sum(len(waits) for waits in self._waiting.values())

    def saw_owner(self, session_id: str, owner: str | None, look: int) -> None:
        """The lease names `owner` as read by look number `look`: wake the commands
        waiting for another owner since before that look began (a command that found
        its owner later may have read a newer lease; the next look sees it too)."""
        for waiting in self._waiting.get(session_id, ()):
            if waiting.owner != owner and waiting.since < look:
                waiting.moved.set()

    async def send(
        self, session_id: str, owner: str, message: Message, patience: float, look: int
    ) -> Answer:
        """The owner's answer, or why none came ("absent", "moved", "unheard",
        "silent": see the module's docstring); `look`: the lease watch's look under way."""
        waits = self._waiting.setdefault(session_id, set())
        waiting = _Waiting(owner, look)
        waits.add(waiting)
        timeout = patience - time.monotonic()
        sending = asyncio.ensure_future(self._forwarder.send(owner, message, timeout))
        watching = asyncio.ensure_future(waiting.moved.wait())
        try:
            return await self._answer_of(session_id, owner, sending, watching)
        finally:
            watching.cancel()
            if not sending.done():
                sending.cancel()  # an answer that comes later is dropped (forwarding.py)
            waits.discard(waiting)
            if not waits and self._waiting.get(session_id) is waits:
                del self._waiting[session_id]
                self._checks.pop(session_id, None)

    async def _answer_of(
        self,
        session_id: str,
        owner: str,
        sending: "asyncio.Future[Message | Missing]",
        watching: "asyncio.Future[Any]",
    ) -> Answer:
        """Wait for the answer, checking every FORWARD_CHECK_S that `owner` still
        holds the lease and listens on its channel."""
        unheard: float | None = None  # since when the checks find nobody listening
        while True:
            since = time.monotonic()
            await asyncio.wait(
                [sending, watching], timeout=FORWARD_CHECK_S, return_when=asyncio.FIRST_COMPLETED
            )
            seen: Seen = "unknown"
            if not sending.done() and not watching.done():
                checking = self._still(session_id, owner, since)
                await asyncio.wait(
                    [sending, watching, checking], return_when=asyncio.FIRST_COMPLETED
                )
                if checking.done() and not checking.cancelled():
                    seen = checking.result()
            if sending.done():
                return sending.result()
            if watching.done() or seen == "moved":
                return "moved"
            if seen != "unheard":
                unheard = None  # "there", or not known (Redis did not answer): wait on
            elif unheard is None:
                unheard = since
            elif time.monotonic() - unheard >= self._absent_s:
                return "unheard"

    def _still(self, session_id: str, owner: str, since: float) -> "asyncio.Task[Seen]":
        """Whether the session's lease still names `owner` and it still listens, read
        at `since` or later: one read at a time per session, shared by the commands
        waiting there."""
        check = self._checks.get(session_id)
        if check is None or check.owner != owner or check.began < since:
            seen = asyncio.create_task(self._read_owner(session_id, owner))
            self._tasks.add(seen)
            seen.add_done_callback(self._tasks.discard)
            check = self._checks[session_id] = _Check(owner, time.monotonic(), seen)
        return check.seen

    async def _read_owner(self, session_id: str, owner: str) -> Seen:
        try:
            leases = await self._store.lease_values([session_id])
            if lease_owner(leases[session_id]) != owner:
                return "moved"
            listening = await self._forwarder.listening([owner])
        except (RedisError, OSError) as error:
            log.warning("could not check the owner of %s: %s", session_id, error)
            return "unknown"
        return "there" if listening[owner] else "unheard"

    def cancel(self) -> None:
        """The worker stops: no check runs on."""
        for task in list(self._tasks):
            task.cancel()
